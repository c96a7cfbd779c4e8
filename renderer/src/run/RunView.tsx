import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Diagnosis } from '../../../shared/failures/types';
import type { TeardownReport } from '../../../shared/run/types';
import { CopyButton } from '../components/CopyButton';
import { StatusBadge } from '../components/StatusBadge';
import { useLang } from '../lib/use-lang';
import { useApp, useApi } from '../state/context';
import { emptyLive, firstFailingRank, isActive } from '../state/live-run';
import { recipeOf } from '../state/spec';
import { cardsOf, FailureCard } from './FailureCard';
import { GpuCharts } from './GpuCharts';
import { LogPanel } from './LogPanel';
import { ProgressPanel } from './ProgressPanel';
import { StallBanner } from './StallBanner';
import { StacksPanel } from './StacksPanel';
import { CompanionStatus } from './CompanionStatus';

/** After a stop or crash: did every process go, and is the GPU memory free again? */
function TeardownNote({ teardown }: { teardown: TeardownReport }) {
  const { t } = useTranslation();
  if (teardown.remaining.length) {
    return <p className="note error" role="alert" data-testid="teardown">{t('run.teardown.remaining', { pids: teardown.remaining.join(', ') })}</p>;
  }
  const key = teardown.vramReleased === false ? 'vramHeld' : teardown.vramReleased === true ? 'clean' : 'cleanNoSmi';
  return <p className={`note ${key === 'vramHeld' ? 'warn' : 'ok'} small`} role="status" data-testid="teardown">{t(`run.teardown.${key}`, { ms: teardown.tookMs })}</p>;
}

/** One run, live or finished: progress, GPUs, logs per rank, and what to do when it goes wrong. */
export function RunView({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const client = useApi();
  const { lang, bi } = useLang();
  const live = useApp((s) => s.live[runId]) ?? emptyLive(runId);
  const stopRun = useApp((s) => s.stopRun);
  const relaunch = useApp((s) => s.applyFixAndRelaunch);
  const runAgain = useApp((s) => s.runAgain);
  const [explained, setExplained] = useState<Diagnosis[] | null>(null);
  const [opened, setOpened] = useState<'no' | 'yes' | 'shown'>('no');
  const [focus, setFocus] = useState<{ rank: number; n: number } | null>(null);
  const showRank = (rank: number) => setFocus((f) => ({ rank, n: (f?.n ?? 0) + 1 }));
  const active = isActive(live.status);
  const ended = !active && live.record !== null;

  // The explainer answers in the UI's language; the record's diagnoses are in the launcher's.
  useEffect(() => {
    setExplained(null);
    if (!ended || live.status === 'succeeded') return;
    let gone = false;
    client.explain({ runId, lang }).then((d) => !gone && setExplained(d), () => undefined);
    return () => {
      gone = true;
    };
  }, [runId, ended, live.status, lang]);

  const diagnoses = explained?.length ? explained : live.diagnoses;
  const spec = live.record?.spec;
  const recipe = spec ? recipeOf(spec.recipe) : undefined;
  const modeLabel = recipe?.modes.find((m) => m.id === spec?.mode)?.label;
  const realtime = live.record?.progress?.realtimeFps ?? recipe?.progress.realtimeFps ?? null;
  const failing = firstFailingRank({ ...live, diagnoses });
  const knownRanks = Object.keys(live.ranks).map(Number);

  const openFolder = async () => {
    if (!live.runDir) return;
    const r = await client.openPath({ runId: live.runId }).catch(() => ({ opened: false }));
    setOpened(r.opened ? 'yes' : 'shown');
  };

  return (
    <div className="run-view" data-testid="run-view" data-status={live.status}>
      <header className="run-head panel">
        <div>
          <h1 className="run-title">{recipe ? bi(recipe.label) : (spec?.recipe ?? t('run.title'))}{modeLabel ? ` · ${bi(modeLabel)}` : spec ? ` · ${spec.mode}` : ''}</h1>
          <p className="muted small"><code>{runId}</code></p>
          <CompanionStatus live={live} />
        </div>
        <div className="row">
          <StatusBadge status={live.status} />
          {active && (
            <button type="button" className="danger" onClick={() => void stopRun(runId)} disabled={live.status === 'stopping'} data-testid="stop-run">
              {live.status === 'stopping' ? t('run.stopping') : t('run.stop')}
            </button>
          )}
          {live.runDir && <button type="button" className="secondary" onClick={() => void openFolder()} data-testid="open-folder">{t('run.openFolder')}</button>}
          {ended && live.record && <button type="button" className="secondary" onClick={() => runAgain(live.record!)} data-testid="run-again">{t('history.runAgain')}</button>}
        </div>
      </header>
      {opened === 'shown' && live.runDir && (
        <p className="note info" data-testid="output-path">{t('run.outputAt')} <code>{live.runDir}</code> <CopyButton text={live.runDir} /></p>
      )}
      {live.stall && <StallBanner stall={live.stall} active={active} onStop={() => void stopRun(runId)} />}
      {cardsOf(diagnoses).map(({ diagnosis: d, exit }) => (
        <FailureCard key={`${d.code}-${d.rank}`} diagnosis={d} exit={exit} onRelaunch={(x) => relaunch(runId, x)} onShowRank={showRank} />
      ))}
      {ended && live.status !== 'succeeded' && diagnoses.length === 0 && (
        <article className="card failure" role="alert" data-testid="failure-card" data-code="unexplained">
          <h3>{live.status === 'stopped' ? t('run.failure.stoppedTitle') : t('run.failure.genericTitle', { code: live.exitCode ?? '?' })}</h3>
          <p>{live.stall ? t('run.failure.stallExplain', { ranks: (live.stall.behind?.length ? live.stall.behind : live.stall.ranks).join(', ') }) : t('run.failure.genericExplain')}</p>
          <p className="fix" data-testid="failure-fix"><span className="fix-label">{t('home.warnings.fix')}</span> {live.stall ? t('run.failure.stallFix') : t('run.failure.genericFix')}</p>
          {live.record && <button type="button" className="primary" onClick={() => runAgain(live.record!)}>{t('run.failure.editRelaunch')}</button>}
        </article>
      )}
      {live.status === 'succeeded' && <p className="note ok" role="status" data-testid="run-succeeded">{t('run.succeeded')}</p>}
      {ended && live.record?.teardown && <TeardownNote teardown={live.record.teardown} />}
      <ProgressPanel live={live} realtimeFps={realtime} failingRank={failing} />
      <section className="panel" aria-labelledby="gpu-title">
        <h2 id="gpu-title">{t('run.gpu.title')}</h2>
        <GpuCharts gpu={live.gpu} />
      </section>
      <LogPanel runId={runId} knownRanks={knownRanks} failingRank={failing} focus={focus} ended={ended} companionName={Object.keys(live.companions ?? {})[0] ?? live.record?.companions?.[0]?.name} />
      <StacksPanel runId={runId} active={active} />
    </div>
  );
}
