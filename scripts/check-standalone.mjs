#!/usr/bin/env node
// The project must stand alone: a clone with nothing beside it passes its tests. This check fails
// when a file in the repository reads or cites something that only exists next to a CI checkout:
// a folder called `shared` above the repository root (relative paths that climb out of it, or a
// path join of the parent folder with that name), its fixtures/docs/hooks sub-folders, or the research notes kept
// there, named by file. Captures live in test/fixtures/captured/, upstream facts in
// docs/upstream-notes.md. Used by `npm test` (before lint) and test/unit/standalone.test.ts.
//
//   node scripts/check-standalone.mjs [--root DIR] [--json]     exit 0 clean, 1 with hits, 2 usage
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Spelled in pieces so that this file does not trip over itself.
const NOTE_NAMES = [['liveavatar', 'facts'], ['failure', 'catalog'], ['architecture', 'notes'], ['launcher', 'landscape'], ['multi-node', 'and-readiness']]
  .map(([a, b]) => `${a}-${b}`);
const SHARED = 'shared';

/** Fixed patterns: each names what is outside the repository whatever file it appears in. */
const RULES = [
  { why: 'absolute path to the folder beside the checkout', re: new RegExp(`/work/${SHARED}\\b`) },
  { why: `names ${SHARED}/fixtures|docs|hooks, which exist only beside a CI checkout`, re: new RegExp(`\\b${SHARED}/(?:fixtures|docs|hooks)\\b`) },
  { why: `joins '..' with '${SHARED}' (a folder above the repository)`, re: new RegExp(`['"\`]\\.\\.['"\`]\\s*,\\s*['"\`]${SHARED}['"\`]`) },
  { why: 'names a research note that is not part of the project (cite docs/upstream-notes.md or upstream)', re: new RegExp(`\\b(?:${NOTE_NAMES.join('|')})\\b`, 'i') },
];

/** `../`-chains followed by `shared`: a hit only if the chain climbs above the repository root. */
const CLIMB = new RegExp(`((?:\\.\\./)+)${SHARED}\\b`, 'g');

const SKIP_DIRS = new Set(['.git', 'node_modules', 'out', 'dist', 'test-results', 'coverage', '.lal-data', '__pycache__']);

/** Files to scan: tracked and new (not ignored) files per git; a plain walk when git is unavailable. */
export function listFiles(root) {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (r.status === 0) return [...new Set(r.stdout.split('\0').filter(Boolean))];
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile()) out.push(p);
    }
  };
  walk('');
  return out;
}

/** Violations in one file's text; `file` is its path relative to the repository root, with `/`. */
export function scanText(file, text) {
  const hits = [];
  const depth = file.split('/').length - 1; // folders between the root and the file
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    for (const rule of RULES) {
      if (rule.re.test(line)) hits.push({ file, line: i + 1, why: rule.why, text: line.trim().slice(0, 200) });
    }
    for (const m of line.matchAll(CLIMB)) {
      const ups = m[1].length / 3;
      if (ups > depth) {
        hits.push({ file, line: i + 1, why: `climbs ${ups} folder(s) from ${depth ? dirname(file) : 'the root'} to a ${SHARED} folder outside the repository`, text: line.trim().slice(0, 200) });
      }
    }
  }
  return hits;
}

/** Every violation under `root`, in file order. Binary and unreadable entries are skipped. */
export function findViolations(root) {
  const hits = [];
  for (const file of listFiles(root).sort()) {
    const full = join(root, file);
    let st;
    try {
      st = lstatSync(full);
    } catch {
      continue; // deleted in the working tree
    }
    if (!st.isFile()) continue; // symlinks (a linked node_modules) and the like
    const buf = readFileSync(full);
    if (buf.subarray(0, 8000).includes(0)) continue;
    hits.push(...scanText(file.split(sep).join('/'), buf.toString('utf8')));
  }
  return hits;
}

export function formatViolations(hits) {
  return hits.map((h) => `${h.file}:${h.line}: ${h.why}\n    ${h.text}`).join('\n');
}

function main(argv) {
  let root = resolve(here, '..');
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--root' && argv[i + 1]) root = resolve(argv[++i]);
    else {
      process.stderr.write('usage: check-standalone.mjs [--root DIR] [--json]\n');
      return 2;
    }
  }
  const hits = findViolations(root);
  if (json) process.stdout.write(JSON.stringify(hits) + '\n');
  else if (hits.length) {
    process.stderr.write(`${formatViolations(hits)}\n\n${hits.length} reference(s) to files outside ${relative(process.cwd(), root) || '.'}: ` +
      'keep captures under test/fixtures/captured/ and cite docs/upstream-notes.md or the upstream source.\n');
  } else process.stdout.write('stand-alone: no references outside the repository\n');
  return hits.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
