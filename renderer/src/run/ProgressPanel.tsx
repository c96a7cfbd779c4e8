import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { duration, pct, runSeconds } from '../lib/format';
import type { LiveRun } from '../state/live-run';

/** Overall progress: clip i/N, step, FPS against real time, ETA, phase; and each rank's phase. */
export function ProgressPanel({ live, realtimeFps, failingRank }: { live: LiveRun; realtimeFps: number | null; failingRank: number | null }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  const active = live.status === 'running' || live.status === 'starting' || live.status === 'stopping';
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [active]);
  const started = live.record?.startedAt;
  const elapsed = started ? runSeconds(started, live.record?.endedAt ?? null, now) : null;
  const rt = live.fps !== null && realtimeFps ? live.fps / realtimeFps : null;
  const ranks = Object.values(live.ranks).sort((a, b) => a.rank - b.rank);
  // Announced politely and only when it changes meaningfully, not on every step.
  const announce = t('run.progress.announce', { clip: live.clip, clips: live.clips || '?', phase: t(`phase.${live.phase}`), status: t(`status.${live.status}`) });
  return (
    <section className="panel progress" aria-labelledby="progress-title">
      <h2 id="progress-title">{t('run.progress.title')}</h2>
      <div className="progressbar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(live.fraction * 100)} aria-label={t('run.progress.title')} data-testid="progressbar">
        <span style={{ width: pct(live.fraction) }} className={`fill status-${live.status}`} />
      </div>
      <dl className="stats" data-testid="progress-stats">
        <div><dt>{t('run.progress.clip')}</dt><dd data-testid="clip">{live.clips ? `${live.clip} / ${live.clips}` : '—'}</dd></div>
        <div><dt>{t('run.progress.step')}</dt><dd>{live.steps ? `${live.step} / ${live.steps}` : '—'}</dd></div>
        <div><dt>{t('run.progress.fps')}</dt><dd>{live.fps !== null ? `${live.fps.toFixed(1)}` : '—'}{rt !== null && <span className={`muted small ${rt >= 1 ? 'ok-text' : ''}`}> · {t('run.progress.realtime', { x: rt.toFixed(2), target: realtimeFps })}</span>}</dd></div>
        <div><dt>{t('run.progress.eta')}</dt><dd>{active ? duration(live.etaSec) : '—'}</dd></div>
        <div><dt>{t('run.progress.elapsed')}</dt><dd>{duration(elapsed)}</dd></div>
        <div><dt>{t('run.progress.phase')}</dt><dd data-testid="phase">{t(`phase.${live.phase}`)}</dd></div>
        <div><dt>{t('run.progress.done')}</dt><dd data-testid="fraction">{pct(live.fraction)}</dd></div>
      </dl>
      {ranks.length > 0 &&
        // A multi-node run groups its ranks by machine (record.rankNodes); one machine: one group.
        groupByNode(ranks, live.record?.rankNodes).map(([node, group]) => (
          <div key={node ?? ''} className="rank-group" data-testid={node ? 'rank-node' : undefined} data-node={node ?? undefined}>
            {node && <h3 className="sub small">{node}</h3>}
            <ul className="rank-chips" aria-label={node ? `${t('run.progress.ranks')} · ${node}` : t('run.progress.ranks')}>
              {group.map((r) => (
                <li key={r.rank} className={`chip phase-${r.phase}${r.rank === failingRank ? ' failing' : ''}`}>
                  {t('run.logs.rank', { rank: r.rank })}: {t(`phase.${r.phase}`)}{r.steps ? ` · ${r.step}/${r.steps}` : ''}
                </li>
              ))}
            </ul>
          </div>
        ))}
      <p className="sr-only" aria-live="polite" aria-atomic="true">{announce}</p>
    </section>
  );
}

/** Ranks by the node they run on, in node order of first rank; ranks of no known node form one unnamed group. */
function groupByNode<R extends { rank: number }>(ranks: R[], nodes: Record<string, string> | undefined): [string | null, R[]][] {
  if (!nodes || !Object.keys(nodes).length) return [[null, ranks]];
  const groups = new Map<string | null, R[]>();
  for (const r of ranks) {
    const n = nodes[String(r.rank)] ?? null;
    groups.set(n, [...(groups.get(n) ?? []), r]);
  }
  return [...groups];
}
