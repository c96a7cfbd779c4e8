import { describe, expect, it } from 'vitest';
import { bands, predictRow, VALIDATION_ROWS } from '../../../shared/feasibility';

/** The acceptance of the error band, on the real runs in shared/feasibility/heldout.ts. */
describe('held-out runs against the error band', () => {
  const b = bands();
  const judged = VALIDATION_ROWS.map((row) => {
    const p = predictRow(row);
    const extra = row.spec.recipe === 'rehearsal' ? 0 : b.unmeasuredPct;
    const up = b.classes[p.cls].upPct + extra;
    const highs = p.predicted.map((x) => x * (1 + up / 100));
    const verdict = p.predicted.some((x) => x > p.available) ? 'does-not-fit' : highs.some((x) => x > p.available) ? 'tight' : 'fits';
    return { row, p, highs, verdict };
  });

  it('every finished held-out rank is under the upper edge of its band', () => {
    for (const j of judged.filter((x) => !x.row.fitted && x.row.outcome === 'ok')) {
      j.row.measuredMiB.forEach((m, i) => expect(m * 2 ** 20, j.row.id).toBeLessThanOrEqual(j.highs[i]!));
    }
  });

  it('no run that ran out of memory is predicted "fits"', () => {
    const ooms = judged.filter((x) => x.row.outcome === 'oom');
    expect(ooms.length).toBeGreaterThanOrEqual(3);
    for (const j of ooms) expect(j.verdict, j.row.id).not.toBe('fits');
  });

  it('on the H100: a "does-not-fit" by under 2% really ran out of memory, and a "fits" with under 5% headroom finished', () => {
    const h100 = judged.filter((x) => x.row.id.startsWith('h100-') && !x.row.fitted);
    const margin = (x: (typeof judged)[number]) => (x.p.available - Math.max(...x.p.predicted)) / x.p.available;
    const closeNo = h100.filter((x) => x.verdict === 'does-not-fit' && margin(x) > -0.02);
    expect(closeNo.map((x) => x.row.id)).toContain('h100-fp8-f72-default');
    for (const x of closeNo) expect(x.row.outcome).toBe('oom');
    const closeYes = h100.filter((x) => x.verdict === 'fits' && margin(x) < 0.05);
    expect(closeYes.map((x) => x.row.id)).toContain('h100-fp8-f72-exp');
    for (const x of closeYes) expect(x.row.outcome).toBe('ok');
  });
});
