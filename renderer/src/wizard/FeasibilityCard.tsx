import { useTranslation } from 'react-i18next';
import type { FeasibilityReport, GpuPlan } from '../../../shared/feasibility/types';
import type { SettingValue } from '../../../shared/run/types';
import { MemoryBar, MemoryLegend, type BarPart } from '../components/MemoryBar';
import { VerdictBadge } from '../components/StatusBadge';
import { gib } from '../lib/format';
import { useLang } from '../lib/use-lang';

export function usePartLabel(): (key: string) => string {
  const { t, i18n } = useTranslation();
  return (key) => {
    const k = `part.${key.replace(/\./g, '_')}`;
    return i18n.exists(k) ? t(k) : key;
  };
}

function partsOf(plan: GpuPlan, label: (k: string) => string, tones: Map<string, number>): BarPart[] {
  return plan.breakdown.filter((p) => p.bytes > 0).map((p) => ({ key: p.key, bytes: p.bytes, label: label(p.key), tone: tones.get(p.key) }));
}

/** One colour per part across all GPUs of a report, in first-seen order. */
function toneMap(plans: GpuPlan[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const g of plans) for (const p of g.breakdown) if (p.bytes > 0 && !m.has(p.key)) m.set(p.key, m.size);
  return m;
}

/**
 * Why a layout fits or not: each GPU's need, stacked by what takes the memory, against what is
 * free on that GPU now; then the reasons and one-click fixes (applied and re-checked at once).
 */
export function FeasibilityCard({ report, onApply, compact = false }: { report: FeasibilityReport; onApply?: (change: Record<string, SettingValue>) => void; compact?: boolean }) {
  const { t } = useTranslation();
  const { zhOr } = useLang();
  const label = usePartLabel();
  const hw = new Map(report.hardware.map((h) => [h.index, h]));
  const tones = toneMap(report.perGpu);
  const legend = [...tones.keys()].map((key) => ({ key, label: label(key), tone: tones.get(key), bytes: Math.max(...report.perGpu.map((g) => g.breakdown.find((b) => b.key === key)?.bytes ?? 0)) }));
  return (
    <div className={`feasibility verdict-${report.verdict}`} data-testid="feasibility">
      <div className="row between">
        <VerdictBadge verdict={report.verdict} />
        {report.hostRamBytes ? <span className="muted small">{t('feas.hostRam', { size: gib(report.hostRamBytes, 0) })}</span> : null}
      </div>
      <ul className="gpu-plans">
        {report.perGpu.map((g) => (
          <li key={`${g.index}-${g.role}`}>
            <div className="row between small">
              <span>{g.index >= 0 ? `GPU ${g.index}` : t('feas.cpu')} · <span className="muted">{t(`role.${g.role}`, { defaultValue: g.role })}</span></span>
              <span className={g.requiredBytes > g.availableBytes ? 'bad' : (g.band?.highBytes ?? 0) > g.availableBytes ? 'warn' : 'muted'}>
                {t('feas.needFree', { need: gib(g.requiredBytes), free: gib(g.availableBytes) })}
                {g.band ? <span className="muted" data-testid="gpu-band"> {t('check:band.short', { low: gib(g.band.lowBytes), high: gib(g.band.highBytes) })}</span> : null}
              </span>
            </div>
            <MemoryBar parts={partsOf(g, label, tones)} capacityBytes={g.availableBytes} totalBytes={hw.get(g.index)?.memoryBytes} label={t('feas.gpuNeed', { index: g.index })} />
          </li>
        ))}
      </ul>
      {!compact && legend.length > 0 && <MemoryLegend parts={legend} />}
      <ModelNotes report={report} />
      {report.reasons.length > 0 && (
        <ul className="reasons">
          {report.reasons.map((r, i) => <li key={`${r.code}-${i}`}>{zhOr(r.message, r.messageZh)}</li>)}
        </ul>
      )}
      {onApply && report.suggestions.length > 0 && (
        <div className="suggestions">
          <h4>{t('feas.fixes')}</h4>
          <ul>
            {report.suggestions.map((s) => (
              <li key={s.id} className="row between">
                <span>
                  {zhOr(s.message, s.messageZh)} <VerdictBadge verdict={s.verdict} />
                  {s.savesBytes ? <span className="muted small"> · {t('feas.saves', { size: gib(s.savesBytes) })}</span> : null}
                </span>
                <button type="button" className="small" onClick={() => onApply(s.change)} data-testid="apply-suggestion">{t('feas.apply')}</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.smallestFit && (
        <p className="small" data-testid="smallest-fit">
          {zhOr(report.smallestFit.message, report.smallestFit.messageZh)}
        </p>
      )}
    </div>
  );
}

/**
 * How sure the numbers are and what they assumed: the fullest GPU's error band (from held-out
 * runs), the NCCL link and where it came from, the allocator, and a calibration from this
 * machine's own runs with before → after.
 */
function ModelNotes({ report }: { report: FeasibilityReport }) {
  const { t } = useTranslation();
  const { zhOr } = useLang();
  const top = [...report.perGpu].filter((g) => g.band).sort((a, b) => b.requiredBytes - a.requiredBytes)[0];
  const b = top?.band;
  const gbText = (bytes: number) => (bytes / 1e9).toFixed(1);
  const lines: { key: string; text: string }[] = [];
  if (b) {
    lines.push({
      key: 'band',
      text: t('check:band.line', { low: gbText(b.lowBytes), high: gbText(b.highBytes), down: b.downPct, up: b.upPct, n: b.basedOn, extra: b.unmeasuredRecipe ? t('check:band.unmeasured') : '' }),
    });
  }
  if (report.link) lines.push({ key: 'link', text: zhOr(report.link.message, report.link.messageZh) });
  if (report.allocator) lines.push({ key: 'allocator', text: t(`check:band.allocator.${report.allocator}`) });
  if (report.calibration) lines.push({ key: 'calibration', text: zhOr(report.calibration.message, report.calibration.messageZh) });
  if (!lines.length) return null;
  return (
    <ul className="model-notes muted small" data-testid="model-notes">
      {lines.map((l) => (
        <li key={l.key} data-testid={`model-note-${l.key}`}>{l.text}</li>
      ))}
    </ul>
  );
}
