import { useTranslation } from 'react-i18next';
import type { DetectReport } from '../../../shared/detect/types';
import { gib } from '../lib/format';

/** Host, Python/torch and checkout: the things that fail before a GPU is ever touched. */
export function EnvironmentPanel({ report }: { report: DetectReport }) {
  const { t } = useTranslation();
  const { host, python, checkout, driver } = report;
  // An early report (GPUs first): these parts are still being probed, not missing.
  const pending = report.pending ?? {};
  return (
    <div className="env" data-testid="environment">
      <dl className="facts wide">
        <div><dt>{t('home.env.driver')}</dt><dd>{driver?.version ?? '—'}{driver?.cudaVersion ? ` · CUDA ${driver.cudaVersion}` : ''}</dd></div>
        <div><dt>{t('home.env.cpu')}</dt><dd>{host.cpuModel} · {t('home.env.cores', { count: host.cpuCores })}</dd></div>
        <div><dt>{t('home.env.ram')}</dt><dd>{t('home.env.freeOf', { free: gib(host.ramAvailableBytes, 0), total: gib(host.ramTotalBytes, 0) })}</dd></div>
        <div><dt>/dev/shm</dt><dd>{host.shmBytes === null ? '—' : gib(host.shmBytes)}{host.container ? ` · ${t('home.env.container')}` : ''}</dd></div>
        {host.outputDir && <div><dt>{t('home.env.output')}</dt><dd><code>{host.outputDir}</code>{host.outputDirFreeBytes !== null ? ` · ${t('home.env.free', { size: gib(host.outputDirFreeBytes, 0) })}` : ''}</dd></div>}
      </dl>
      <h3 className="sub">{t('home.env.python')}</h3>
      {pending.python ? (
        <p className="muted" role="status" data-testid="python-probing">{t('probing:python')}</p>
      ) : python.length === 0 ? (
        <p className="muted">{t('home.env.noPython')}</p>
      ) : (
        <ul className="pythons">
          {python.map((p) => (
            <li key={p.path} className={p.ok ? 'ok' : 'bad'}>
              <span className={`dot ${p.ok ? 'ok' : 'bad'}`} aria-hidden="true" />
              <code>{p.path}</code> <span className="muted">({p.source})</span>
              <div className="small">
                {p.ok
                  ? [p.pythonVersion && `Python ${p.pythonVersion}`, p.torchVersion && `torch ${p.torchVersion}`, p.torchCuda && `CUDA ${p.torchCuda}`,
                     p.ncclVersion && `NCCL ${p.ncclVersion}`, p.flashAttn ? `flash-attn ${p.flashAttn}` : t('home.env.noFlashAttn')].filter(Boolean).join(' · ')
                  : (p.error ?? t('home.env.pythonBroken'))}
              </div>
            </li>
          ))}
        </ul>
      )}
      <h3 className="sub">{t('home.env.checkout')}</h3>
      {pending.checkout ? (
        <p className="muted" role="status" data-testid="checkout-probing">{t('probing:checkout')}</p>
      ) : checkout ? (
        <p><code>{checkout.path}</code> {checkout.missing.length ? <span className="warn-text">{t('home.env.missing', { list: checkout.missing.join(', ') })}</span> : <span className="ok-text">{t('home.env.checkoutOk')}</span>}</p>
      ) : (
        <p className="muted">{t('home.env.noCheckout')}</p>
      )}
    </div>
  );
}
