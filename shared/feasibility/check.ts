import type { DetectReport } from '../detect/types';
import type { RunSpec } from '../run/types';
import type { FeasibilityReport, GpuPlan, HardwareGpu, LinkAssumption, Reason, Verdict } from './types';
import type { MemoryPlan } from './memory';
import { checkRules } from './constraints';
import { both, gb, tCheck } from './text';
import { suggest, smallestFit } from './suggest';
import { allocatorOf, linksFor, perGpuFrom, placeGpus, planFor, resolveSpec, runEnv, type CheckInput, type Resolved } from './resolve';
import { bandFor, layoutClass } from './band';
import { summariseLinks, type LinkMap } from './links';

export { resolveSpec, withCheckout, type CheckInput, type Resolved } from './resolve';
export { fullest } from './report-utils';

/**
 * The check: resolve the spec against its recipe, plan memory per rank on the links NCCL will use,
 * place ranks on GPUs, put the model's error band around each, apply the rules, give a verdict, and
 * (unless asked not to) search for changes that fit.
 */

/** Predicted bytes per GPU for a spec (no rules, no suggestions): what the run manager stores in each run record. */
export function predictPerGpu(spec: RunSpec, hardware: HardwareGpu[], detect?: DetectReport | null): GpuPlan[] {
  const r = resolveSpec(spec, detect);
  const used = placeGpus(hardware, r.gpuIndexes);
  return withBands(r, perGpuFrom(planFor(r, spec, used, linksFor(runEnv(r, spec), used, detect)), used));
}

/** Each rank's error band (band.ts); the rehearsal is the only recipe with measured runs. */
function withBands(r: Resolved, perGpu: GpuPlan[]): GpuPlan[] {
  const cls = layoutClass(r.mode);
  const measured = r.recipe.id === 'rehearsal';
  return perGpu.map((g) => (g.rank === null ? g : { ...g, band: bandFor(cls, measured, g.requiredBytes, g.ncclUncertainBytes ?? 0) }));
}

function linkAssumption(links: LinkMap, used: HardwareGpu[], nproc: number): LinkAssumption | undefined {
  if (nproc <= 1 || used.length < 2) return undefined;
  const labels = summariseLinks(links, used.slice(0, nproc).map((g) => g.index));
  const vars = (lang: 'en' | 'zh-CN') => ({ links: labels.join(' + '), source: tCheck(lang, `linkSource.${links.source}`) });
  return { source: links.source, labels, ...both('link.assumed', vars('en'), vars('zh-CN')) };
}

/**
 * Per GPU: over the prediction is an error; over the band's upper edge (but not the prediction) is
 * "tight", saying by how much and what would make it certain; a prediction over the card whose
 * lower edge still fits gets a note that it might run after all.
 */
function memoryReasons(perGpu: GpuPlan[]): { reasons: Reason[]; tight: boolean } {
  const reasons: Reason[] = [];
  let tight = false;
  for (const g of perGpu) {
    if (g.missing) continue;
    const roleEn = tCheck('en', `role.${g.role}`);
    const roleZh = tCheck('zh-CN', `role.${g.role}`);
    const high = g.band?.highBytes ?? g.requiredBytes;
    const low = g.band?.lowBytes ?? g.requiredBytes;
    const base = { gpu: g.index, rank: g.rank ?? '–', need: gb(g.requiredBytes), have: gb(g.availableBytes), low: gb(low), high: gb(high), up: g.band?.upPct ?? 0, free: gb(Math.max(0, high - g.availableBytes)) };
    if (g.requiredBytes > g.availableBytes) {
      reasons.push({
        code: 'MEMORY',
        severity: 'error',
        gpus: [g.index],
        ...both('reason.MEMORY', { ...base, role: roleEn, phase: tCheck('en', `phase.${g.phase ?? 'denoise'}`) }, { ...base, role: roleZh, phase: tCheck('zh-CN', `phase.${g.phase ?? 'denoise'}`) }),
      });
      if (low <= g.availableBytes) reasons.push({ code: 'MEMORY_BAND', severity: 'warning', gpus: [g.index], ...both('reason.MEMORY_BAND_LOW', { ...base, role: roleEn }, { ...base, role: roleZh }) });
    } else if (high > g.availableBytes) {
      tight = true;
      reasons.push({ code: 'MEMORY_TIGHT', severity: 'warning', gpus: [g.index], ...both('reason.MEMORY_TIGHT', { ...base, role: roleEn }, { ...base, role: roleZh }) });
    }
  }
  return { reasons, tight };
}

function hostReasons(plan: MemoryPlan | null, detect: DetectReport | null | undefined, nproc: number): Reason[] {
  const host = detect?.host;
  if (!plan || !host || !(host.ramTotalBytes > 0)) return [];
  const need = plan.host.bytes;
  const v = (which: string, lang: 'en' | 'zh-CN', have: number) => ({ need: gb(need), procs: nproc, have: gb(have), which: tCheck(lang, `which.${which}`) });
  if (need > host.ramTotalBytes) return [{ code: 'HOST_RAM', severity: 'error', ...both('reason.HOST_RAM', v('total', 'en', host.ramTotalBytes), v('total', 'zh-CN', host.ramTotalBytes)) }];
  if (host.ramAvailableBytes > 0 && need > host.ramAvailableBytes) {
    return [{ code: 'HOST_RAM', severity: 'warning', ...both('reason.HOST_RAM', v('available', 'en', host.ramAvailableBytes), v('available', 'zh-CN', host.ramAvailableBytes)) }];
  }
  return [];
}

export function checkFeasibility(input: CheckInput): FeasibilityReport {
  const { spec, hardware } = input;
  const detect = input.detect ?? null;
  const r = resolveSpec(spec, detect);
  const used = placeGpus(hardware, r.gpuIndexes);
  const env = runEnv(r, spec);
  const links = linksFor(env, used, detect);
  const plan = planFor(r, spec, used, links);
  const perGpu = withBands(r, perGpuFrom(plan, used));
  const rules = checkRules({
    recipe: r.recipe,
    mode: r.mode,
    values: r.values,
    nproc: r.nproc,
    needGpus: r.needGpus,
    used,
    available: used.length,
    profile: r.profile,
    geometry: plan?.geometry ?? null,
    detect,
    spec,
  });
  const report = assemble(input, r, plan, perGpu, rules, detect);
  const link = r.needGpus > 0 ? linkAssumption(links, used, r.nproc) : undefined;
  if (link) report.link = link;
  if (plan && r.needGpus > 0) report.allocator = allocatorOf(env);
  if (input.suggestions !== false && report.verdict !== 'fits') {
    report.suggestions = suggest({ input, resolved: r, report, recheck: checkFeasibility });
    if (report.verdict === 'does-not-fit') report.smallestFit = smallestFit({ input, resolved: r, recheck: checkFeasibility });
  }
  return report;
}

/** Verdict and report from the planned GPUs and the rules; also used again after a calibration rescales the plan. */
export function assemble(input: CheckInput, r: Resolved, plan: MemoryPlan | null, perGpu: GpuPlan[], rules: Reason[], detect: DetectReport | null): FeasibilityReport {
  const mem = memoryReasons(perGpu);
  const unmodelled: Reason[] = (plan?.unmodelled ?? []).map((rank) => {
    const g = perGpu.find((p) => p.rank === null && p.role === 'server') ?? perGpu[rank];
    return { code: 'UNMODELLED', severity: 'warning', ...both('reason.UNMODELLED', { gpu: g?.index ?? rank, role: tCheck('en', 'role.server') }, { gpu: g?.index ?? rank, role: tCheck('zh-CN', 'role.server') }) };
  });
  const reasons = [...rules, ...mem.reasons, ...hostReasons(plan, detect, r.nproc), ...unmodelled];
  const verdict: Verdict = reasons.some((x) => (x.severity ?? 'error') === 'error') ? 'does-not-fit' : mem.tight ? 'tight' : 'fits';
  return {
    verdict,
    recipe: r.recipe.id,
    mode: r.mode.id,
    hardware: input.hardware,
    perGpu,
    reasons,
    suggestions: [],
    nproc: r.nproc,
    settings: r.values,
    hostRamBytes: plan?.host.bytes,
    hostBreakdown: plan?.host.parts,
    geometry: plan?.geometry ? { height: plan.geometry.height, width: plan.geometry.width, fsl: plan.geometry.fsl, kvLen: plan.geometry.kvLen, condTokens: plan.geometry.condTokens } : null,
    ...(input.hardwareSource ? { hardwareSource: input.hardwareSource } : {}),
  };
}

/** Re-judge a report whose per-GPU needs changed (calibration): same rules, new memory reasons. */
export function rejudge(report: FeasibilityReport, perGpu: GpuPlan[]): FeasibilityReport {
  const kept = report.reasons.filter((x) => !['MEMORY', 'MEMORY_TIGHT', 'MEMORY_BAND'].includes(x.code));
  const mem = memoryReasons(perGpu);
  const reasons = [...kept, ...mem.reasons];
  const verdict: Verdict = reasons.some((x) => (x.severity ?? 'error') === 'error') ? 'does-not-fit' : mem.tight ? 'tight' : 'fits';
  return { ...report, perGpu, reasons, verdict };
}
