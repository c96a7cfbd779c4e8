import type { Command } from 'commander';
import { CliError, EXIT, printJson, type GlobalOptions, type RunAction } from '../output';
import { cliCore } from '../core';
import { systemLang } from '../i18n';
import { loadRunSpec } from '../../core/profiles/resolve';
import { defaultDataDir } from '../../core/paths';
import type { RunSpec, SettingValue } from '../../../shared/run/types';
import type { FeasibilityReport, GpuPlan, MemoryPart } from '../../../shared/feasibility/types';
import type { Lang } from '../../../shared/i18n';
import { partLabel, tCheck } from '../../../shared/feasibility/text';
import type { CalibrationView } from '../../../shared/feasibility/calibrate';

/**
 * `lal check`: will this recipe/mode fit, per GPU, why not, and what would.
 * Exit codes: 0 fits or tight, 1 does not fit, 2 bad input (unknown recipe/mode, bad --set, bad --hardware).
 */
interface CheckFlags {
  profile?: string;
  recipe?: string;
  mode?: string;
  set: string[];
  hardware?: string;
  calibration?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerCheck(program: Command, run: RunAction): void {
  program
    .command('check')
    .description('say whether a recipe/mode fits the GPUs, per GPU, with fixes')
    .option('--profile <file>', 'profile file (JSON) to check')
    .option('--recipe <id>', 'recipe id, e.g. liveavatar-s2v-14b or rehearsal')
    .option('--mode <id>', 'process layout, e.g. tpp-5gpu, tpp-4gpu, single-offload, fsdp-ulysses')
    .option('--set <key=value>', 'a flag in upstream spelling without dashes (fp8=true, size=688*368, ulysses_size=4); repeatable', collect, [])
    .option('--hardware <spec>', "what-if GPUs instead of the detected ones: '5xH800', '4xRTX 4090', '1x48GiB@8.9'")
    .option('--calibration <action>', "this machine's calibration records: 'show' them or 'reset' (forget) them")
    // `--hardware 4xRTX 4090` without quotes arrives as two words: take the rest as part of the spec.
    .argument('[words...]')
    .action((words: string[], flags: CheckFlags) =>
      run((g) => {
        if (words.length) {
          if (flags.hardware === undefined) throw new CliError(`unexpected argument "${words[0]}"`, EXIT.USAGE);
          flags.hardware = [flags.hardware, ...words].join(' ');
        }
        if (flags.calibration !== undefined) return calibrationCommand(g, flags.calibration);
        return checkCommand(g, flags);
      }),
    );
}

function parseSets(sets: string[], lang: Lang): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new CliError(tCheck(lang, 'cli.badSet', { value: s }), EXIT.USAGE);
    out[s.slice(0, i).trim().replace(/^--/, '').replace(/-/g, '_')] = s.slice(i + 1);
  }
  return out;
}

async function buildSpec(flags: CheckFlags, lang: Lang): Promise<RunSpec> {
  const byProfile = flags.profile !== undefined;
  const byRecipe = flags.recipe !== undefined || flags.mode !== undefined;
  if (byProfile === byRecipe || (byRecipe && (!flags.recipe || !flags.mode))) throw new CliError(tCheck(lang, 'cli.onlyOneSpec'), EXIT.USAGE);
  const sets = parseSets(flags.set, lang);
  const spec: RunSpec = byProfile ? await loadRunSpec({ profile: flags.profile, dataDir: defaultDataDir() }) : { recipe: flags.recipe!, mode: flags.mode!, settings: {} };
  return { ...spec, settings: { ...spec.settings, ...sets } };
}

async function checkCommand(g: GlobalOptions, flags: CheckFlags): Promise<number> {
  const lang = g.lang ?? systemLang();
  const spec = await buildSpec(flags, lang);
  const core = cliCore(g);
  let report: FeasibilityReport;
  try {
    report = await core.api.check({ spec, ...(flags.hardware !== undefined ? { hardware: flags.hardware } : {}) });
  } finally {
    await core.dispose();
  }
  if (g.json) printJson(report);
  else process.stdout.write(renderReport(report, lang, flags.hardware));
  return report.verdict === 'does-not-fit' ? EXIT.FAILED : EXIT.OK;
}

async function calibrationCommand(g: GlobalOptions, action: string): Promise<number> {
  const lang = g.lang ?? systemLang();
  if (action !== 'show' && action !== 'reset') throw new CliError(tCheck(lang, 'cli.badCalibration', { value: action }), EXIT.USAGE);
  const core = cliCore(g);
  let view: CalibrationView;
  try {
    view = await core.api.calibration({ action });
  } finally {
    await core.dispose();
  }
  if (g.json) printJson(view);
  else process.stdout.write(renderCalibration(view, lang));
  return EXIT.OK;
}

export function renderCalibration(view: CalibrationView, lang: Lang): string {
  if (view.removed !== undefined) return tCheck(lang, 'calibration.reset', { n: view.removed }) + '\n';
  const lines = [tCheck(lang, 'calibration.show', { file: view.file, n: view.entries.length })];
  for (const e of view.entries) {
    const parts = e.gpus.map((x) => `GPU${x.index} ${gb(x.predictedBytes)}/${gb(x.measuredBytes)} GB (${x.errorPct > 0 ? '+' : ''}${x.errorPct}%)`).join(', ');
    const ignored = e.ignored ? tCheck(lang, 'calibration.ignored', { why: tCheck(lang, `calibration.why.${e.ignored}`) }) : '';
    lines.push('  ' + tCheck(lang, 'calibration.entry', { at: e.at.slice(0, 16).replace('T', ' '), runId: e.runId, recipe: e.recipe, mode: e.mode, gpu: e.gpuName ?? '?', parts, ignored }));
  }
  return lines.join('\n') + '\n';
}

const BAR_WIDTH = 24;
const GLYPHS: Record<string, string> = { weights: '█', kv_cache: '▓', cond_cache: '▓', activations: '▒', fsdp_unshard: '▒', decode_workspace: '▒' };

/** A bar scaled to the GPU's memory: filled by category, `!` past the end when it does not fit. */
function bar(g: GpuPlan): string {
  const cap = g.availableBytes > 0 ? g.availableBytes : g.requiredBytes;
  const cells: string[] = [];
  for (const p of g.breakdown) {
    const n = Math.round((p.bytes / cap) * BAR_WIDTH);
    const glyph = GLYPHS[p.key.split('.')[0]] ?? GLYPHS[p.key] ?? '░';
    for (let i = 0; i < n; i++) cells.push(glyph);
  }
  const inside = cells.slice(0, BAR_WIDTH).join('').padEnd(BAR_WIDTH, '·');
  return `[${inside}]${g.requiredBytes > g.availableBytes ? '!' : ''}`;
}

const gb = (b: number) => (b / 1e9).toFixed(1);

function legend(parts: MemoryPart[], lang: Lang): string {
  return parts
    .filter((p) => p.bytes >= 0.05e9)
    .map((p) => `${partLabel(lang, p.key)} ${gb(p.bytes)}`)
    .join(' + ');
}

export function renderReport(r: FeasibilityReport, lang: Lang, hardwareSpec?: string): string {
  const lines: string[] = [];
  const hw = hardwareSpec ?? (r.hardware.length ? summarise(r.hardware.map((h) => h.name)) : '–');
  lines.push(tCheck(lang, 'cli.header', { recipe: r.recipe, mode: r.mode, nproc: r.nproc ?? r.perGpu.length, hardware: hw, verdict: tCheck(lang, `verdict.${r.verdict}`) }));
  if (!r.perGpu.length) lines.push('  ' + tCheck(lang, 'cli.cpuOnly'));
  for (const g of r.perGpu) {
    const line = tCheck(lang, 'cli.gpuLine', { index: g.index, role: tCheck(lang, `role.${g.role}`).padEnd(4), need: gb(g.requiredBytes).padStart(5), have: gb(g.availableBytes), bar: bar(g) });
    const band = g.band ? '  ' + tCheck(lang, 'band.short', { low: gb(g.band.lowBytes), high: gb(g.band.highBytes) }) : '';
    lines.push('  ' + (g.missing ? `${line}  (${tCheck(lang, 'cli.missing')})` : line + band));
  }
  const top = [...r.perGpu].sort((a, b) => b.requiredBytes - a.requiredBytes)[0];
  if (top) lines.push('  ' + tCheck(lang, 'cli.legend') + ' ' + legend(top.breakdown, lang));
  for (const x of modelLines(r, lang)) lines.push('  ' + x);
  if (r.hostRamBytes) lines.push('  ' + tCheck(lang, 'cli.host', { need: gb(r.hostRamBytes) }));
  const msg = (x: { message: string; messageZh?: string }) => (lang === 'zh-CN' && x.messageZh ? x.messageZh : x.message);
  const errors = r.reasons.filter((x) => (x.severity ?? 'error') === 'error');
  const warnings = r.reasons.filter((x) => x.severity === 'warning');
  if (errors.length) {
    lines.push(tCheck(lang, 'cli.reasons'));
    for (const x of errors) lines.push(`  [${x.code}] ${msg(x)}`);
  }
  if (warnings.length) {
    lines.push(tCheck(lang, 'cli.warnings'));
    for (const x of warnings) lines.push(`  [${x.code}] ${msg(x)}`);
  }
  if (r.verdict !== 'fits') {
    lines.push(tCheck(lang, 'cli.suggestions'));
    if (!r.suggestions.length) lines.push('  ' + tCheck(lang, 'cli.noSuggestions'));
    for (const s of r.suggestions) lines.push(`  • ${msg(s)}`);
    if (r.smallestFit) lines.push(`  • ${msg(r.smallestFit)}`);
  }
  const calib = calibrationLine(r, lang);
  if (calib) lines.push(calib);
  return lines.join('\n') + '\n';
}

/** What the prediction assumed and how sure it is: band, NCCL link, allocator, calibration. */
export function modelLines(r: FeasibilityReport, lang: Lang): string[] {
  const out: string[] = [];
  const top = [...r.perGpu].filter((g) => g.band).sort((a, b) => b.requiredBytes - a.requiredBytes)[0];
  if (top?.band) {
    const b = top.band;
    out.push(tCheck(lang, 'band.line', { low: gb(b.lowBytes), high: gb(b.highBytes), down: b.downPct, up: b.upPct, n: b.basedOn, extra: b.unmeasuredRecipe ? tCheck(lang, 'band.unmeasured') : '' }));
  }
  if (r.link) out.push(lang === 'zh-CN' ? r.link.messageZh : r.link.message);
  if (r.allocator) out.push(tCheck(lang, `band.allocator.${r.allocator}`));
  if (r.calibration) out.push(lang === 'zh-CN' ? r.calibration.messageZh : r.calibration.message);
  return out;
}

function summarise(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => `${c}x${n}`).join(' + ');
}

/** The last measured run of this recipe/mode, if any: prediction error as recorded after the run. */
function calibrationLine(r: FeasibilityReport, lang: Lang): string | null {
  const last = r.lastMeasured;
  if (!last) return null;
  const parts = last.gpus.map((g) => `GPU${g.index} ${gb(g.predictedBytes)}/${gb(g.measuredBytes)} GB (${g.errorPct > 0 ? '+' : ''}${g.errorPct}%)`).join(', ');
  return tCheck(lang, 'cli.measured', { runId: last.runId, parts });
}
