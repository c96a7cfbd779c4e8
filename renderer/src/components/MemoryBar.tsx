import { useTranslation } from 'react-i18next';
import { gib } from '../lib/format';

export interface BarPart {
  key: string;
  bytes: number;
  label: string;
  /** Colour slot; the same part keeps one colour on every bar and in the legend. */
  tone?: number;
}

const PART_CLASS = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11'];
const tone = (p: BarPart, i: number) => PART_CLASS[(p.tone ?? i) % PART_CLASS.length];

/**
 * A stacked bar against a capacity. Parts past the capacity spill over a marker so "does not fit"
 * is visible at a glance, not only in a number.
 */
export function MemoryBar({ parts, capacityBytes, totalBytes, label }: { parts: BarPart[]; capacityBytes: number; totalBytes?: number; label: string }) {
  const { t } = useTranslation();
  const used = parts.reduce((n, p) => n + p.bytes, 0);
  const scale = Math.max(used, capacityBytes, totalBytes ?? 0) || 1;
  const over = used > capacityBytes;
  const summary = t('bar.summary', { used: gib(used), capacity: gib(capacityBytes) });
  return (
    <div className="membar-wrap">
      <div
        className={`membar${over ? ' over' : ''}`}
        role="img"
        aria-label={`${label}: ${summary}`}
        title={parts.map((p) => `${p.label}: ${gib(p.bytes)}`).join('\n')}
      >
        {parts.map((p, i) => (
          <span key={p.key} className={`seg ${tone(p, i)}`} style={{ width: `${(p.bytes / scale) * 100}%` }} />
        ))}
        <span className="cap" style={{ left: `${(capacityBytes / scale) * 100}%` }} aria-hidden="true" />
      </div>
      <div className="membar-legend">
        <span className={over ? 'bad' : ''}>{summary}</span>
      </div>
    </div>
  );
}

export function MemoryLegend({ parts }: { parts: BarPart[] }) {
  return (
    <ul className="legend">
      {parts.map((p, i) => (
        <li key={p.key}>
          <span className={`swatch ${tone(p, i)}`} aria-hidden="true" />
          {p.label} <span className="muted">{gib(p.bytes)}</span>
        </li>
      ))}
    </ul>
  );
}
