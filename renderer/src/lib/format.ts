/** Number formatting shared by every screen; all sizes are binary (GiB) like nvidia-smi. */
const GIB = 1024 ** 3;

export const gib = (bytes: number, digits = 1): string => `${(bytes / GIB).toFixed(digits)} GiB`;
export const gibFromMiB = (mib: number, digits = 1): string => `${(mib / 1024).toFixed(digits)} GiB`;

export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—';
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h) return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
  return `${m}:${String(r).padStart(2, '0')}`;
}

export function runSeconds(startedAt: string, endedAt: string | null, now = Date.now()): number {
  const end = endedAt ? Date.parse(endedAt) : now;
  return Math.max(0, (end - Date.parse(startedAt)) / 1000);
}

export const pct = (fraction: number): string => `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;

/** Shows argv as a POSIX shell line for copying; the launcher itself never uses a shell. */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: string[], env: Record<string, string>, baseEnvNames: string[] = []): string {
  const shown = Object.entries(env).filter(([k]) => !baseEnvNames.includes(k));
  const envPart = shown.map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...envPart, ...argv.map(shellQuote)].join(' \\\n  ');
}
