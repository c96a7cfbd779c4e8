import type { RunSpec, SettingValue } from '../run/types';
import type { ModeSpec } from '../recipes/types';
import { resolveSettings, type Values } from '../recipes/settings';
import type { FeasibilityReport, Suggestion, Verdict } from './types';
import type { CheckInput, Resolved } from './resolve';
import { fullest, maxRequired } from './report-utils';
import { ApiFailure } from '../api/result';
import { GPU_TABLE } from './hardware';
import type { SmallestFit } from './types';
import { both, gb, tCheck } from './text';

/** The check itself, handed in by check.ts (so this module does not import it back). */
export type Recheck = (input: CheckInput) => FeasibilityReport;

/**
 * A candidate the recipe refuses (a flag the mode forces, a value out of range) is not a
 * suggestion. Anything else is a bug and must surface.
 */
function refusedByRecipe(e: unknown): boolean {
  return e instanceof ApiFailure && e.code === 'BAD_INPUT';
}

/**
 * Changes that make the run fit, each proven by re-running the whole check on the changed spec.
 * Cheapest first: a change's cost is what it takes from the user (quality, speed, offline), not
 * the bytes it saves; bytes break ties. Only minimal changes are kept (no combo whose subset fits).
 */
type Change = Record<string, SettingValue>;
interface Candidate {
  mode: ModeSpec;
  change: Change;
  cost: number;
}

const COST = {
  fp8: 1, // small quality cost, faster
  fp8Off: 1,
  infer_frames: 1,
  t5_fsdp: 1,
  ulysses: 1,
  offload_model: 2,
  t5_cpu: 2, // slower prompt encoding, once
  size: 3,
  sizeSmall: 5,
  offload_kv_cache: 4, // ~25 GB of PCIe copies per step (§4)
  mode: 3,
  modeFewerSteps: 5, // 3 steps: lower quality (issue #11)
  modeOffline: 6, // single GPU: offline, not real time
  cpu: 8,
} as const;

const VERDICT_RANK: Record<Verdict, number> = { fits: 0, tight: 1, 'does-not-fit': 2 };
const area = (size: string) => size.split('*').map(Number).reduce((a, b) => a * b, 1);

function singles(r: Resolved, mode: ModeSpec, values: Values, report: FeasibilityReport | null, gpuCount: number): Candidate[] {
  const has = (k: string) => r.recipe.flags.some((f) => f.name === k) && !(k in mode.flags);
  const out: Candidate[] = [];
  const add = (change: Change, cost: number) => out.push({ mode, change, cost });
  const layout = mode.memoryLayout ?? (mode.nproc > 1 ? 'tpp' : 'single');
  const minCc = r.profile?.fp8MinCc;
  const fp8Blocked = report?.reasons.some((x) => x.code === 'FP8_UNSUPPORTED') ?? false;
  if (has('fp8') && values.fp8 === false && !fp8Blocked) add({ fp8: true }, COST.fp8);
  if (has('fp8') && values.fp8 === true && (fp8Blocked || !minCc)) add({ fp8: false }, COST.fp8Off);
  if (has('t5_cpu') && values.t5_cpu === false) add({ t5_cpu: true }, COST.t5_cpu);
  if (has('offload_model') && values.offload_model === false && layout === 'tpp' && values.t5_cpu !== true) add({ offload_model: true }, COST.offload_model);
  if (has('offload_kv_cache') && values.offload_kv_cache === false && layout !== 'tpp' && r.profile?.family === 'causal-s2v') add({ offload_kv_cache: true }, COST.offload_kv_cache);
  if (has('t5_fsdp') && values.t5_fsdp === false && layout === 'fsdp') add({ t5_fsdp: true }, COST.t5_fsdp);
  if (has('infer_frames') && r.profile?.family === 'causal-s2v' && Number(values.infer_frames) !== 48) add({ infer_frames: 48 }, COST.infer_frames);
  const sizeFlag = r.recipe.flags.find((f) => f.name === 'size');
  if (sizeFlag?.choices && values.size !== undefined) {
    const cur = area(String(values.size));
    for (const s of ['704*384', '688*368', '384*256']) {
      // Larger sizes first at equal fit: 704*384 keeps the most detail.
      if (sizeFlag.choices.includes(s) && area(s) < cur) add({ size: s }, s === '384*256' ? COST.sizeSmall : s === '688*368' ? COST.size + 0.5 : COST.size);
    }
  }
  if (mode.nprocFrom && mode.nprocFrom.settings.length === 1 && r.profile) {
    const key = mode.nprocFrom.settings[0];
    const heads = r.profile.attention.numHeads;
    for (let n = Math.min(gpuCount, mode.nprocFrom.max); n >= mode.nprocFrom.min; n--) {
      if (n !== Number(values[key]) && heads % n === 0) {
        add({ [key]: n }, COST.ulysses);
        break;
      }
    }
  }
  if (mode.cpuCapable && values.device !== 'cpu' && has('device') && gpuCount === 0) add({ device: 'cpu' }, COST.cpu);
  return out;
}

/** The user's settings that still make sense in another mode. */
function carry(r: Resolved, target: ModeSpec, settings: Change): Change {
  const out: Change = {};
  const open = new Set([...(target.nprocFrom?.settings ?? []), ...Object.keys(target.defaults ?? {})]);
  for (const [k, v] of Object.entries(settings)) {
    const flag = r.recipe.flags.find((f) => f.name === k);
    if (!flag || k in target.flags || (flag.modeOwned && !open.has(k))) continue;
    out[k] = v;
  }
  return out;
}

function modeCost(r: Resolved, m: ModeSpec): number {
  if (m.memoryLayout === 'single') return COST.modeOffline;
  if (m.flags.sample_steps !== undefined && r.mode.flags.sample_steps !== undefined && Number(m.flags.sample_steps) < Number(r.mode.flags.sample_steps)) return COST.modeFewerSteps;
  return COST.mode;
}

function describe(mode: ModeSpec | null, change: Change): { en: string; zh: string } {
  const sets = Object.entries(change).map(([key, value]) => tCheck('en', 'suggestion.set', { key, value: String(value) }));
  const en = [mode ? tCheck('en', 'suggestion.mode', { mode: mode.id }) : '', ...sets].filter(Boolean).join(' ');
  const zh = [mode ? tCheck('zh-CN', 'suggestion.mode', { mode: mode.id }) : '', ...sets].filter(Boolean).join(' ');
  return { en, zh };
}

function combos(list: Candidate[], maxSize: number): Candidate[] {
  const out: Candidate[] = [];
  const rec = (start: number, acc: Candidate | null, size: number) => {
    for (let i = start; i < list.length; i++) {
      const c = list[i];
      if (acc && Object.keys(c.change).some((k) => k in acc.change)) continue;
      const merged: Candidate = acc ? { mode: acc.mode, change: { ...acc.change, ...c.change }, cost: acc.cost + c.cost } : c;
      out.push(merged);
      if (size + 1 < maxSize) rec(i + 1, merged, size + 1);
    }
  };
  rec(0, null, 0);
  return out;
}

export function suggest(ctx: { input: CheckInput; resolved: Resolved; report: FeasibilityReport; recheck: Recheck }): Suggestion[] {
  const { input, resolved: r, report, recheck } = ctx;
  const spec = input.spec;
  const gpuCount = (r.gpuIndexes ? r.gpuIndexes.length : input.hardware.length) || 0;
  const before = maxRequired(report);
  const tried: { cand: Candidate; modeSwitch: boolean; rep: FeasibilityReport }[] = [];

  const run = (cand: Candidate, modeSwitch: boolean) => {
    const settings = modeSwitch ? { ...carry(r, cand.mode, spec.settings ?? {}), ...cand.change } : { ...(spec.settings ?? {}), ...cand.change };
    const next: RunSpec = { ...spec, mode: cand.mode.id, settings };
    try {
      const rep = recheck({ ...input, spec: next, suggestions: false });
      tried.push({ cand, modeSwitch, rep });
    } catch (e) {
      if (!refusedByRecipe(e)) throw e;
    }
  };

  for (const c of combos(singles(r, r.mode, r.values, report, gpuCount), 3)) run(c, false);

  for (const m of r.recipe.modes) {
    if (m.id === r.mode.id) continue;
    const base: Change = {};
    if (m.nprocFrom && m.nprocFrom.settings.length === 1 && r.profile) {
      const heads = r.profile.attention.numHeads;
      let n = 0;
      for (let k = Math.min(gpuCount - (m.extraGpus ?? 0), m.nprocFrom.max); k >= m.nprocFrom.min; k--) if (heads % k === 0) { n = k; break; }
      if (!n) continue;
      base[m.nprocFrom.settings[0]] = n;
    }
    let values: Values;
    try {
      values = resolveSettings(r.recipe, m, { ...carry(r, m, spec.settings ?? {}), ...base });
    } catch (e) {
      if (!refusedByRecipe(e)) throw e;
      continue;
    }
    const cost = modeCost(r, m);
    run({ mode: m, change: base, cost }, true);
    for (const c of combos(singles(r, m, values, null, gpuCount), 2)) run({ mode: m, change: { ...base, ...c.change }, cost: cost + c.cost }, true);
  }

  // A suggestion must improve the verdict: to tight or fits from does-not-fit, to fits from tight.
  const good = tried.filter((t) => VERDICT_RANK[t.rep.verdict] < VERDICT_RANK[report.verdict]);
  // Minimal: drop a candidate when a strict subset of its change (same mode) already reaches the same or a better verdict.
  const minimal = good.filter((t) =>
    !good.some((o) => o !== t && o.cand.mode.id === t.cand.mode.id && o.modeSwitch === t.modeSwitch && VERDICT_RANK[o.rep.verdict] <= VERDICT_RANK[t.rep.verdict] && isStrictSubset(o.cand.change, t.cand.change)),
  );
  minimal.sort((a, b) => VERDICT_RANK[a.rep.verdict] - VERDICT_RANK[b.rep.verdict] || a.cand.cost - b.cand.cost || maxRequired(a.rep) - maxRequired(b.rep));

  const seen = new Set<string>();
  const out: Suggestion[] = [];
  for (const t of minimal) {
    const key = `${t.rep.mode}|${JSON.stringify(t.rep.settings)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(toSuggestion(t.cand, t.modeSwitch, t.rep, before));
    if (out.length >= 6) break;
  }
  return out;
}

function isStrictSubset(a: Change, b: Change): boolean {
  const ka = Object.keys(a);
  return ka.length < Object.keys(b).length && ka.every((k) => k in b && b[k] === a[k]);
}

function toSuggestion(cand: Candidate, modeSwitch: boolean, rep: FeasibilityReport, before: number): Suggestion {
  const after = maxRequired(rep);
  const saved = before - after;
  const top = fullest(rep.perGpu);
  const d = describe(modeSwitch ? cand.mode : null, cand.change);
  const effect = (lang: 'en' | 'zh-CN') =>
    rep.perGpu.length === 0 ? tCheck(lang, 'suggestion.cpu') : tCheck(lang, saved >= 0 ? 'suggestion.saves' : 'suggestion.costs', { saved: gb(Math.abs(saved)) });
  const vars = (lang: 'en' | 'zh-CN') => ({
    change: lang === 'en' ? d.en : d.zh,
    effect: effect(lang),
    verdict: tCheck(lang, `verdict.${rep.verdict}`),
    need: gb(top?.requiredBytes ?? 0),
    have: gb(top?.availableBytes ?? 0),
  });
  const change: Suggestion['change'] = { ...(modeSwitch ? { mode: cand.mode.id } : {}), ...cand.change };
  return {
    id: Object.entries(change).map(([k, v]) => `${k}=${String(v)}`).join(','),
    change,
    ...both(rep.perGpu.length === 0 ? 'suggestion.changeCpu' : 'suggestion.change', vars('en'), vars('zh-CN')),
    verdict: rep.verdict,
    savesBytes: saved,
    requiredBytes: top?.requiredBytes,
    availableBytes: top?.availableBytes,
  };
}


/** Flags that trade speed for GPU memory without changing the layout (docs/feasibility.md §5). */
const MEMORY_FLAGS = ['fp8', 'offload_kv_cache', 't5_cpu'] as const;

/**
 * The smallest card per GPU on which this layout fits (the upper edge of the band included), over
 * the preset table and every combination of fp8 / offload_kv_cache / t5_cpu the mode allows:
 * what to buy or rent when nothing on this machine will do. Fewer flags win a tie.
 */
export function smallestFit(ctx: { input: CheckInput; resolved: Resolved; recheck: Recheck }): SmallestFit | null {
  const { input, resolved: r, recheck } = ctx;
  const count = r.needGpus;
  if (count < 1) return null;
  const open = MEMORY_FLAGS.filter((k) => r.recipe.flags.some((f) => f.name === k && f.type === 'bool') && !(k in r.mode.flags));
  const combos: Change[] = [];
  for (let mask = 0; mask < 1 << open.length; mask++) {
    const c: Change = {};
    open.forEach((k, i) => {
      if (mask & (1 << i)) c[k] = true;
    });
    combos.push(c);
  }
  combos.sort((a, b) => Object.keys(a).length - Object.keys(b).length);
  const settings = { ...(input.spec.settings ?? {}) };
  delete settings.gpus;
  const cards = [...GPU_TABLE].sort((a, b) => a.memoryMiB - b.memoryMiB);
  for (const card of cards) {
    for (const change of combos) {
      const hardware = Array.from({ length: count }, (_, index) => ({ index, name: card.name, memoryBytes: card.memoryMiB * 2 ** 20, availableBytes: card.memoryMiB * 2 ** 20, computeCapability: card.cc }));
      const spec: RunSpec = { ...input.spec, settings: { ...settings, ...change } };
      delete spec.gpus;
      let rep: FeasibilityReport;
      try {
        rep = recheck({ spec, hardware, suggestions: false, hardwareSource: 'spec' });
      } catch (e) {
        if (!refusedByRecipe(e)) throw e;
        continue;
      }
      if (rep.verdict !== 'fits') continue;
      const flags = Object.keys(change).map((k) => `--${k}`).join(' ');
      const vars = (lang: 'en' | 'zh-CN') => ({
        count,
        gpu: card.name,
        gb: gb(card.memoryMiB * 2 ** 20),
        flags: flags || tCheck(lang, 'smallest.noFlags'),
        need: gb(maxRequired(rep)),
      });
      return { gpu: card.name, memoryMiB: card.memoryMiB, change, ...both('smallest.card', vars('en'), vars('zh-CN')) };
    }
  }
  return null;
}
