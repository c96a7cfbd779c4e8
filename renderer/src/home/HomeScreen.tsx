import { useTranslation } from 'react-i18next';
import type { DetectReport } from '../../../shared/detect/types';
import { LoadableView } from '../components/LoadableView';
import { gibFromMiB } from '../lib/format';
import { useLang } from '../lib/use-lang';
import { useApp } from '../state/context';
import { EnvironmentPanel } from './EnvironmentPanel';
import { GpuCard } from './GpuCard';
import { LeftoversBanner } from './LeftoversBanner';
import { QuickLaunch } from './QuickLaunch';
import { ReadinessPanel } from './ReadinessPanel';
import { RecentRuns } from './RecentRuns';
import { TopologySummary } from './TopologySummary';
import { WarningsPanel } from './WarningsPanel';

/** Hardware at a glance, the runs people repeat, and what ran recently. */
export function HomeScreen() {
  const { t } = useTranslation();
  const detect = useApp((s) => s.detect);
  const refresh = useApp((s) => s.refreshDetect);
  return (
    <div className="home">
      <LeftoversBanner />
      <QuickLaunch />
      <section className="panel" aria-labelledby="hw-title">
        <header className="row between">
          <h2 id="hw-title">{t('home.hardware.title')}</h2>
          <button type="button" className="secondary small" onClick={() => void refresh(true)} aria-busy={detect.state === 'loading'}>
            {detect.state === 'loading' ? t('home.hardware.scanning') : t('home.hardware.rescan')}
          </button>
        </header>
        <LoadableView value={detect} what={t('what.detect')} onRetry={() => void refresh(true)}>
          {(report) => <Hardware report={report} />}
        </LoadableView>
      </section>
      <ReadinessPanel />
      <RecentRuns />
    </div>
  );
}

function Hardware({ report }: { report: DetectReport }) {
  const { t } = useTranslation();
  const { zhOr } = useLang();
  const total = report.gpus.reduce((n, g) => n + g.memoryTotalMiB, 0);
  return (
    <>
      {report.nvidiaSmi.status !== 'ok' && (
        <div className="note warn" role="status" data-testid="smi-status">
          <strong>{report.nvidiaSmi.message ? zhOr(report.nvidiaSmi.message, report.nvidiaSmi.messageZh) : t(`home.smi.${report.nvidiaSmi.status}`)}</strong>
          {report.nvidiaSmi.fix && <p className="fix"><span className="fix-label">{t('home.warnings.fix')}</span> {zhOr(report.nvidiaSmi.fix, report.nvidiaSmi.fixZh)}</p>}
        </div>
      )}
      {report.gpus.length > 0 && (
        <p className="lead" data-testid="gpu-summary">{t('home.hardware.summary', { count: report.gpus.length, name: report.gpus[0].name, total: gibFromMiB(total, 0) })}</p>
      )}
      <div className="gpu-grid">
        {report.gpus.map((g) => <GpuCard key={g.uuid || g.index} gpu={g} />)}
      </div>
      <div className="two-col">
        <div>
          <h3 className="sub">{t('home.topology.title')}</h3>
          <TopologySummary topology={report.topology} gpuCount={report.gpus.length} />
          <h3 className="sub">{t('home.warnings.title')}</h3>
          <WarningsPanel warnings={report.warnings} />
        </div>
        <div>
          <h3 className="sub">{t('home.env.title')}</h3>
          <EnvironmentPanel report={report} />
        </div>
      </div>
    </>
  );
}
