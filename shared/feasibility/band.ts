import type { ModeSpec } from '../recipes/types';
import { parseHardwareSpec } from './hardware';
import { VALIDATION_ROWS, type ValidationRow } from './heldout';
import { linksFor, perGpuFrom, planFor, resolveSpec, runEnv } from './resolve';

/**
 * The model's error band, per layout class, derived from held-out runs (heldout.ts, fitted: false).
 *
 * Rule (docs/feasibility.md §3b):
 * - per held-out rank, error = (measured − predicted) / predicted;
 * - `upPct` (how far the truth may sit above the prediction) = the largest under-prediction of the
 *   class, `downPct` = the largest over-prediction, each rounded up to 0.5% with a 1% floor;
 * - a class with no held-out rank takes the widest `upPct`/`downPct` of the classes that have one,
 *   and is marked unvalidated;
 * - recipes other than the rehearsal (real weights, never measured here) add `unmeasuredPct` on
 *   top: at least 3%, and enough that the upper edge covers every real-model run that ran out of
 *   memory (what it needed is at least its in-use bytes plus the failed request).
 * The NCCL share that rests on unmeasured links (ncclUncertainBytes) is added to the upper edge.
 */
export type LayoutClass = 'single' | 'tpp' | 'fsdp' | 'other';

export interface ClassBand {
  cls: LayoutClass;
  upPct: number;
  downPct: number;
  /** Held-out ranks behind it (0: borrowed from the other classes). */
  ranks: number;
  rows: string[];
}

const FLOOR_PCT = 1;
/** The least widening for a recipe never measured here, before the OOM rows below widen it further. */
const UNMEASURED_FLOOR_PCT = 3;

export function layoutClass(mode: Pick<ModeSpec, 'memoryLayout' | 'nproc'>): LayoutClass {
  const layout = mode.memoryLayout ?? (mode.nproc > 1 ? 'tpp' : 'single');
  return layout === 'single' || layout === 'tpp' || layout === 'fsdp' ? layout : 'other';
}

export interface RowPrediction {
  row: ValidationRow;
  cls: LayoutClass;
  /** Predicted bytes per rank, rank order. */
  predicted: number[];
  /** Hardware bytes the check compares with: the free memory recorded before the run, else the card's total. */
  available: number;
  verdict: 'fits' | 'does-not-fit';
  /** (measured − predicted) / predicted × 100 per rank. */
  errorPct: number[];
}

/** What the current model predicts for a validation row (no rules, no band: the bare estimate). */
export function predictRow(row: ValidationRow): RowPrediction {
  const hw = parseHardwareSpec(row.hardware);
  if (row.freeMiB !== undefined) for (const g of hw) g.availableBytes = row.freeMiB * 2 ** 20;
  const r = resolveSpec(row.spec);
  const used = hw.slice(0, Math.max(r.needGpus, 1));
  const links = linksFor(runEnv(r, row.spec), used, null);
  const perGpu = perGpuFrom(planFor(r, row.spec, used, links), used);
  const predicted = perGpu.map((g) => g.requiredBytes);
  const errorPct = predicted.map((p, i) => ((row.measuredMiB[i]! * 2 ** 20 - p) / p) * 100);
  const available = used[0]?.availableBytes ?? 0;
  return { row, cls: layoutClass(r.mode), predicted, available, verdict: predicted.some((p) => p > available) ? 'does-not-fit' : 'fits', errorPct };
}

const roundUpHalf = (x: number) => Math.ceil(x * 2) / 2;

export interface Bands {
  classes: Record<LayoutClass, ClassBand>;
  /** Extra percent for recipes without measured runs (real weights). */
  unmeasuredPct: number;
  /** Rows behind unmeasuredPct. */
  unmeasuredRows: string[];
}

export function deriveBands(rows: ValidationRow[] = VALIDATION_ROWS): Bands {
  const classes = classBands(rows);
  const real = rows.filter((r) => r.spec.recipe !== 'rehearsal' && r.outcome === 'oom').map(predictRow);
  let extra = UNMEASURED_FLOOR_PCT;
  for (const p of real) {
    const worst = Math.max(...p.errorPct);
    extra = Math.max(extra, roundUpHalf(worst - classes[p.cls].upPct));
  }
  return { classes, unmeasuredPct: extra, unmeasuredRows: real.map((p) => p.row.id) };
}

function classBands(rows: ValidationRow[]): Record<LayoutClass, ClassBand> {
  const held = rows.filter((r) => !r.fitted && r.outcome === 'ok' && r.spec.recipe === 'rehearsal').map(predictRow);
  const classes: LayoutClass[] = ['single', 'tpp', 'fsdp', 'other'];
  const out = {} as Record<LayoutClass, ClassBand>;
  for (const cls of classes) {
    const mine = held.filter((p) => p.cls === cls);
    const errs = mine.flatMap((p) => p.errorPct);
    out[cls] = {
      cls,
      upPct: errs.length ? Math.max(FLOOR_PCT, roundUpHalf(Math.max(0, ...errs))) : 0,
      downPct: errs.length ? Math.max(FLOOR_PCT, roundUpHalf(Math.max(0, ...errs.map((e) => -e)))) : 0,
      ranks: errs.length,
      rows: mine.map((p) => p.row.id),
    };
  }
  const measured = classes.filter((c) => out[c].ranks > 0);
  const widestUp = Math.max(FLOOR_PCT, ...measured.map((c) => out[c].upPct));
  const widestDown = Math.max(FLOOR_PCT, ...measured.map((c) => out[c].downPct));
  for (const c of classes) if (!out[c].ranks) out[c] = { ...out[c], upPct: widestUp, downPct: widestDown };
  return out;
}

let cached: Bands | null = null;

/** The bands of the shipped data, computed once per process (a dozen plans). */
export function bands(): Bands {
  cached ??= deriveBands();
  return cached;
}

export interface RankBand {
  lowBytes: number;
  highBytes: number;
  upPct: number;
  downPct: number;
  /** Held-out ranks of this layout class behind the percentages. */
  basedOn: number;
  /** The recipe itself was never measured (real weights): the band is wider by Bands.unmeasuredPct. */
  unmeasuredRecipe: boolean;
}

export function bandFor(cls: LayoutClass, measuredRecipe: boolean, requiredBytes: number, ncclUncertainBytes = 0): RankBand {
  const all = bands();
  const b = all.classes[cls];
  const extra = measuredRecipe ? 0 : all.unmeasuredPct;
  const upPct = b.upPct + extra;
  const downPct = b.downPct + extra;
  return {
    lowBytes: Math.round(requiredBytes * (1 - downPct / 100)),
    highBytes: Math.round(requiredBytes * (1 + upPct / 100) + ncclUncertainBytes),
    upPct,
    downPct,
    basedOn: b.ranks,
    unmeasuredRecipe: !measuredRecipe,
  };
}
