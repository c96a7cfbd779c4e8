import { useApi } from '../state/context';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { runConsole, type StreamKey } from '../state/console-hub';
import { LogConsole } from './LogConsole';

/** Merged console plus one tab per rank; the rank to look at first is marked and opened. */
export function LogPanel({ runId, knownRanks, failingRank, focus, ended, companionName }: { runId: string; knownRanks: number[]; failingRank: number | null; focus?: { rank: number; n: number } | null; ended: boolean; companionName?: string }) {
  const { t } = useTranslation();
  const client = useApi();
  const con = runConsole(runId);
  const seen = useSyncExternalStore((cb) => con.onRanks(cb), () => con.rankList().join(','));
  const ranks = [...new Set([...knownRanks, ...(seen ? seen.split(',').map(Number) : [])])].sort((a, b) => a - b);
  const [stream, setStream] = useState<StreamKey>('all');
  const [autoPicked, setAutoPicked] = useState(false);

  useEffect(() => {
    if (failingRank !== null && !autoPicked) {
      setStream(failingRank);
      setAutoPicked(true);
    }
  }, [failingRank, autoPicked]);

  const section = useRef<HTMLElement>(null);
  // Live, a rank's view is split out of torchrun's merged tee (whose threads interleave); once the
  // run is over, show the rank's own log files from disk, which are exact.
  const [fileText, setFileText] = useState<string | undefined>(undefined);
  useEffect(() => {
    setFileText(undefined);
    // -1 is the companion services' output (the run manager pushes it with that rank); it has no rank file.
    if (!ended || stream === 'all' || stream === -1) return;
    let gone = false;
    client.readRunLog({ runId, rank: stream, tailBytes: 256 * 1024 }).then((r) => !gone && setFileText(r.text), () => undefined);
    return () => {
      gone = true;
    };
  }, [runId, stream, ended]);
  useEffect(() => {
    if (!focus) return;
    setStream(focus.rank);
    section.current?.scrollIntoView({ block: 'start' });
  }, [focus]);

  const tabs: StreamKey[] = ['all', ...ranks];
  const name = (k: StreamKey) => (k === 'all' ? t('run.logs.merged') : k === -1 ? t('companion:ui.tab', { name: companionName ?? '' }) : t('run.logs.rank', { rank: k }));
  const onKey = (e: React.KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : -1;
    if (next < 0 || next >= tabs.length) return;
    setStream(tabs[next]);
    (e.currentTarget.parentElement?.children[next] as HTMLElement | undefined)?.focus();
  };
  return (
    <section className="panel logs" aria-labelledby="logs-title" ref={section}>
      <h2 id="logs-title">{t('run.logs.title')}</h2>
      <div role="tablist" aria-label={t('run.logs.title')} className="tabs">
        {tabs.map((k, i) => (
          <button key={String(k)} type="button" role="tab" aria-selected={stream === k} tabIndex={stream === k ? 0 : -1}
            className={k === failingRank ? 'failing' : ''} onClick={() => setStream(k)} onKeyDown={(e) => onKey(e, i)} data-testid="log-tab" data-stream={String(k)}>
            {name(k)}{k === failingRank && <span className="fail-mark" title={t('run.logs.firstFailing')}> ⚠ <span className="sr-only">{t('run.logs.firstFailing')}</span></span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={name(stream)}>
        <LogConsole runId={runId} stream={stream} label={name(stream)} staticText={fileText} />
      </div>
    </section>
  );
}
