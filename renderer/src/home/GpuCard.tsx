import { useTranslation } from 'react-i18next';
import type { GpuInfo } from '../../../shared/detect/types';
import { MemoryBar } from '../components/MemoryBar';
import { gibFromMiB } from '../lib/format';

const MIB = 1024 * 1024;

/** One GPU: memory in use against its size, and who holds that memory right now. */
export function GpuCard({ gpu }: { gpu: GpuInfo }) {
  const { t } = useTranslation();
  const held = gpu.processes.reduce((n, p) => n + (p.usedMiB ?? 0), 0);
  const other = Math.max(0, gpu.memoryUsedMiB - held);
  const parts = [
    ...gpu.processes.map((p) => ({ key: `pid${p.pid}`, bytes: (p.usedMiB ?? 0) * MIB, label: `${p.name} (${p.pid})` })),
    ...(other > 0 ? [{ key: 'other', bytes: other * MIB, label: t('home.gpu.otherUse') }] : []),
  ];
  return (
    <article className="card gpu-card" data-testid="gpu-card" aria-labelledby={`gpu-${gpu.index}-name`}>
      <header className="row between">
        <h3 id={`gpu-${gpu.index}-name`}>
          <span className="gpu-index">GPU {gpu.index}</span> {gpu.name}
        </h3>
        <span className="muted small">{gibFromMiB(gpu.memoryTotalMiB, 0)}</span>
      </header>
      <MemoryBar parts={parts} capacityBytes={gpu.memoryTotalMiB * MIB} label={t('home.gpu.memory', { index: gpu.index })} />
      <dl className="facts">
        <div><dt>{t('home.gpu.free')}</dt><dd>{gibFromMiB(gpu.memoryFreeMiB)}</dd></div>
        <div><dt>{t('home.gpu.util')}</dt><dd>{gpu.utilizationPct === null ? '—' : `${gpu.utilizationPct}%`}</dd></div>
        <div><dt>{t('home.gpu.temp')}</dt><dd>{gpu.temperatureC === null ? '—' : `${gpu.temperatureC} °C`}</dd></div>
        <div><dt>{t('home.gpu.power')}</dt><dd>{gpu.powerDrawW === null ? '—' : `${Math.round(gpu.powerDrawW)}${gpu.powerLimitW ? ` / ${Math.round(gpu.powerLimitW)}` : ''} W`}</dd></div>
        <div><dt>{t('home.gpu.arch')}</dt><dd>{gpu.computeCapability ? `sm_${gpu.computeCapability.replace('.', '')}` : '—'}</dd></div>
        <div><dt>PCIe</dt><dd>{gpu.pcieGen ? `Gen${gpu.pcieGen} ×${gpu.pcieWidth ?? '?'}` : '—'}</dd></div>
      </dl>
      {gpu.processes.length > 0 ? (
        <details className="holders">
          <summary>{t('home.gpu.holders', { count: gpu.processes.length })}</summary>
          <ul>
            {gpu.processes.map((p) => (
              <li key={p.pid}>
                <code>{p.pid}</code> {p.name} <span className="muted">{p.usedMiB === null ? '' : gibFromMiB(p.usedMiB)}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <p className="muted small">{t('home.gpu.noHolders')}</p>
      )}
    </article>
  );
}
