import { useApi } from '../state/context';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LeftoverRun } from '../../../shared/run/types';

/**
 * Processes of an earlier run that outlived its launcher still hold GPU memory, and the next run
 * would fail with out-of-memory. Say so on the home screen and offer the verified stop.
 */
export function LeftoversBanner() {
  const { t } = useTranslation();
  const client = useApi();
  const [left, setLeft] = useState<LeftoverRun[]>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<number | null>(null);
  useEffect(() => {
    let gone = false;
    client.findLeftovers(undefined).then((l) => !gone && setLeft(l), () => undefined);
    return () => {
      gone = true;
    };
  }, []);
  if (!left.length && done === null) return null;
  if (!left.length) return <p className="note ok" role="status">{t('home.leftovers.stopped', { count: done })}</p>;
  const reap = async () => {
    setBusy(true);
    try {
      const r = await client.reapLeftovers({ runIds: left.map((l) => l.runId) });
      setDone(r.stopped.length);
      setLeft(await client.findLeftovers(undefined));
    } catch {
      setDone(0);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="banner stall" role="alert" data-testid="leftovers">
      <div>
        <strong>{t('home.leftovers.title', { count: left.length })}</strong>
        <ul className="small">
          {left.map((l) => <li key={l.runId}><code>{l.runId}</code> · PID {l.pids.join(', ')}</li>)}
        </ul>
      </div>
      <button type="button" className="danger" disabled={busy} onClick={() => void reap()}>{t('home.leftovers.stop')}</button>
    </div>
  );
}
