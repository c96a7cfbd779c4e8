import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesRoot } from '../../support/temp';

export const H200 = join(fixturesRoot, 'h200x4');
export const OTHERS = join(fixturesRoot, 'nvidia-smi');

export const h200 = (name: string): string => readFileSync(join(H200, name), 'utf8');

/** A published capture without its "# source: URL" first line, which the tool did not print. */
export const other = (name: string): string => readFileSync(join(OTHERS, name), 'utf8').replace(/^# source:.*\n/, '');

/** "## name" annotations split a fixture file into the outputs of several commands. */
export function section(text: string, name = ''): string {
  const out: string[] = [];
  let current = '';
  for (const line of ('\n' + text).split('\n')) {
    const m = /^## (.*)$/.exec(line);
    if (m) {
      current = m[1]!.trim();
      continue;
    }
    if (current === name) out.push(line);
  }
  return out.join('\n').replace(/^\n/, '');
}

export const otherTables = (): string[] => readdirSync(OTHERS).filter((f) => f.startsWith('table-'));
