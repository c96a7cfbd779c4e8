import type { CatalogEntry } from './catalog';
import type { Diagnosis, DiagnosisText } from './types';
import type { Lang } from '../i18n';
import { renderKey, type Fields } from './template';

/**
 * Failures of companion services (Step-Video's caption/VAE server, stepfun-ai/Step-Video-T2V
 * api/call_remote_server.py) as data and one pure rule. Words: shared/i18n/locales/companion.ts.
 *
 * Why a rule beside the catalog: when the server is slow, the ranks' logs show only a collective
 * timeout (the ranks answered first wait in the Ulysses all-to-all for the one still waiting on its
 * caption), which on its own reads as an NCCL problem. The cause is in the companion's log, where
 * the launcher records what it saw (electron/core/runs/companions.ts writes `[lal] LAL_COMPANION_*`
 * lines: ready, busy with N requests open for S s, exited during the run). The rehearsal server
 * adds `LAL_SERVE {json}` per request.
 */
export const COMPANION_FAILURE_CODES = ['COMPANION_PORT_IN_USE', 'COMPANION_NOT_READY', 'COMPANION_EXITED_EARLY', 'COMPANION_DIED', 'COMPANION_UNHEALTHY', 'COMPANION_UNREACHABLE', 'COMPANION_SLOW'] as const;
export type CompanionFailureCode = (typeof COMPANION_FAILURE_CODES)[number];

/**
 * A rank's client could not connect. aiohttp (upstream's client) words it `Cannot connect to host
 * H:P ssl:default [Connect call failed ...]`; the rehearsal's client raises the same shape.
 */
export const COMPANION_CATALOG: CatalogEntry[] = [
  {
    code: 'COMPANION_UNREACHABLE',
    priority: 8,
    scope: 'rank',
    trigger: /Cannot connect to host/,
    patterns: [{ re: /Cannot connect to host (?<host>[\w.-]{1,200}|\[[\da-fA-F:.]{2,60}\]):(?<port>\d{1,5})/ }],
  },
];

/** Codes a companion's failure explains: what the ranks show when the server is slow or gone. */
const RANK_SYMPTOMS = ['NCCL_WATCHDOG_TIMEOUT', 'NCCL_ERROR', 'STALL', 'RANK_EXIT', 'UNKNOWN'];

export interface CompanionLogFacts {
  name: string;
  port: number;
  /** The companion's log (its own output plus the launcher's `[lal]` lines). */
  logText: string;
  /** Its path relative to the run folder, for the words. */
  logFile: string;
}

interface Parsed {
  port: number | null;
  notReady: { reason: string; code?: string; seconds?: number } | null;
  died: { code: string; at: string } | null;
  /** The probe stopped answering while the process lived. */
  unhealthy: boolean;
  busySec: number;
  open: number;
  slowestSec: number;
  pending: number;
  stoppedByLauncher: boolean;
}

const KV = /(\w+)=(\S+)/g;
const kv = (line: string): Record<string, string> => Object.fromEntries([...line.matchAll(KV)].map((m) => [m[1], m[2]]));

/** Reads the launcher's and the rehearsal server's protocol lines; anything else is ignored. */
export function parseCompanionLog(text: string): Parsed {
  const p: Parsed = { port: null, notReady: null, died: null, unhealthy: false, busySec: 0, open: 0, slowestSec: 0, pending: 0, stoppedByLauncher: false };
  const open = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.length > 2000 ? raw.slice(0, 2000) : raw;
    if (line.startsWith('[lal] LAL_COMPANION_START ')) {
      const port = Number(kv(line).port);
      if (Number.isInteger(port) && port > 0) p.port = port;
    } else if (line.startsWith('[lal] LAL_COMPANION_NOT_READY ')) {
      const f = kv(line);
      p.notReady = { reason: f.reason ?? 'timeout', ...(f.code ? { code: f.code } : {}), ...(f.after_sec ? { seconds: Number(f.after_sec) } : {}) };
      const port = Number(f.port);
      if (Number.isInteger(port) && port > 0) p.port = port;
    } else if (line.startsWith('[lal] LAL_COMPANION_EXIT ')) {
      const f = kv(line);
      if (f.during === 'run') p.died = { code: f.code !== 'null' ? f.code : f.signal ?? '?', at: f.at ?? '' };
    } else if (line.startsWith('[lal] LAL_COMPANION_BUSY ')) {
      const f = kv(line);
      p.busySec = Math.max(p.busySec, Number(f.for_sec) || 0);
      p.open = Math.max(p.open, Number(f.open) || 0);
    } else if (line.startsWith('[lal] LAL_COMPANION_UNHEALTHY ')) {
      p.unhealthy = true;
    } else if (line.startsWith('[lal] LAL_COMPANION_STOP ')) {
      p.stoppedByLauncher = true;
    } else if (line.startsWith('LAL_SERVE {')) {
      try {
        const o = JSON.parse(line.slice('LAL_SERVE '.length)) as { id?: unknown; event?: unknown; sec?: unknown; waited?: unknown };
        const id = String(o.id);
        if (o.event === 'start') open.add(id);
        if (o.event === 'done') {
          open.delete(id);
          p.slowestSec = Math.max(p.slowestSec, (Number(o.sec) || 0) + (Number(o.waited) || 0));
        }
      } catch {
        /* a torn line says nothing */
      }
    }
  }
  p.pending = open.size;
  return p;
}

/**
 * What the companion's log adds to a failed run's diagnoses, and which of those become
 * consequences of it. Died during the run: the cause, whatever the ranks show. Busy (requests held
 * open for seconds, or requests never answered) while the ranks timed out or stalled: the cause of
 * the timeout. Otherwise nothing: a healthy companion is not blamed for an NCCL failure.
 */
export function companionDiagnoses(facts: CompanionLogFacts, diagnoses: Diagnosis[]): { add: Diagnosis[]; consequences: string[] } {
  const p = parseCompanionLog(facts.logText);
  const base = { name: facts.name, port: facts.port, host: '127.0.0.1', log: facts.logFile };
  if (p.died) {
    return {
      add: [{ code: 'COMPANION_DIED', rank: null, evidence: null, fields: { ...base, exitCode: p.died.code, ...(p.died.at ? { at: p.died.at } : {}) } }],
      consequences: [...RANK_SYMPTOMS, 'COMPANION_UNREACHABLE'],
    };
  }
  if (p.unhealthy) {
    // Alive but unreachable: the ranks' refused connections and timeouts are its doing.
    return { add: [{ code: 'COMPANION_UNHEALTHY', rank: null, evidence: null, fields: base }], consequences: [...RANK_SYMPTOMS, 'COMPANION_UNREACHABLE'] };
  }
  const timedOut = diagnoses.some((d) => d.code === 'NCCL_WATCHDOG_TIMEOUT' || d.code === 'STALL');
  const timeout = diagnoses.find((d) => d.code === 'NCCL_WATCHDOG_TIMEOUT' && d.fields?.timeoutMs !== undefined)?.fields?.timeoutMs;
  const busy = p.busySec >= 2 || p.pending > 0 || (timeout !== undefined && p.slowestSec * 1000 >= Number(timeout));
  if (timedOut && busy) {
    const fields: Record<string, string | number> = { ...base, busySec: Math.round(Math.max(p.busySec, p.slowestSec) * 10) / 10 };
    if (p.open || p.pending) fields.open = Math.max(p.open, p.pending);
    if (p.slowestSec) fields.slowestSec = Math.round(p.slowestSec * 10) / 10;
    if (timeout !== undefined) fields.timeoutMs = timeout;
    return { add: [{ code: 'COMPANION_SLOW', rank: null, evidence: null, fields }], consequences: RANK_SYMPTOMS };
  }
  return { add: [], consequences: [] };
}

/**
 * A run folder's verdict with its companions' logs read in (`lal explain FOLDER`, the app, the run
 * manager all go through this): a startup failure when nothing else was found, else the companion's
 * diagnoses first and the ranks' symptoms of it marked consequences.
 */
export function applyCompanionLogs(logs: CompanionLogFacts[], diagnoses: Diagnosis[]): Diagnosis[] {
  const add: Diagnosis[] = [];
  const consequences = new Set<string>();
  for (const facts of logs) {
    const p = parseCompanionLog(facts.logText);
    const withPort = { ...facts, port: p.port ?? facts.port };
    if (p.notReady && !diagnoses.length) {
      const base = { name: facts.name, port: withPort.port, host: '127.0.0.1', log: facts.logFile };
      const code = p.notReady.reason === 'port' ? 'COMPANION_PORT_IN_USE' : p.notReady.reason === 'exited' ? 'COMPANION_EXITED_EARLY' : 'COMPANION_NOT_READY';
      const extra: Record<string, string | number> = code === 'COMPANION_EXITED_EARLY' ? { exitCode: p.notReady.code ?? '?', lastLine: lastWords(facts.logText) } : code === 'COMPANION_NOT_READY' ? { seconds: p.notReady.seconds ?? '?', reason: p.notReady.reason } : {};
      add.push({ code, rank: null, evidence: null, fields: { ...base, ...extra } });
      continue;
    }
    const r = companionDiagnoses(withPort, diagnoses);
    add.push(...r.add);
    for (const c of r.consequences) consequences.add(c);
  }
  if (!add.length) return diagnoses;
  return [...add, ...diagnoses.map((d) => (consequences.has(d.code) ? { ...d, consequence: true } : d))];
}

/** The server's own last lines before the launcher's notes, for an early exit's explanation. */
function lastWords(text: string): string {
  const own = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('[lal] ') && !l.startsWith('LAL_'));
  return own.slice(-2).join(' | ').slice(0, 400);
}

export const isCompanionCode = (code: string): code is CompanionFailureCode => (COMPANION_FAILURE_CODES as readonly string[]).includes(code);

/** The words of a companion code; `vars` are describe.ts's (who, timeout) over the diagnosis's fields. */
export function companionText(d: Diagnosis, lang: Lang, vars: Fields): DiagnosisText {
  const v: Fields = { ...vars, who: typeof vars.who === 'string' && vars.who ? vars.who : lang === 'zh-CN' ? '某个进程' : 'A rank' };
  const r = (part: string) => renderKey('companion', `codes.${d.code}.${part}`, v, lang).replace(/\{\{\w+\}\}/g, '?');
  return { title: r('title'), explanation: r('explanation'), fix: r('fix') };
}
