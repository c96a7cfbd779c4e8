import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../state/context';

const MAX_CHARS = 200_000;

export interface FixLog {
  text: string;
  /** undefined while running; null when it ended without a code (killed, failed to start). */
  code?: number | null;
}

/**
 * Collects every fix's output from the moment the panel mounts: a fast command can print and exit
 * before `runFix` has even answered with its id, so listening only after that would lose its output.
 */
export function useFixLogs(onExit?: (fixRunId: string, code: number | null) => void): Record<string, FixLog> {
  const api = useApi();
  const [logs, setLogs] = useState<Record<string, FixLog>>({});
  const exitRef = useRef(onExit);
  exitRef.current = onExit;
  useEffect(() => api.on('setupFixOutput', (o) => {
    setLogs((prev) => {
      const cur = prev[o.fixRunId] ?? { text: '' };
      const text = o.text ? (cur.text + (o.stream === 'start' ? `$ ${o.text}` : o.text)).slice(-MAX_CHARS) : cur.text;
      return { ...prev, [o.fixRunId]: { text, code: o.stream === 'exit' ? (o.exitCode ?? null) : cur.code } };
    });
    if (o.stream === 'exit') exitRef.current?.(o.fixRunId, o.exitCode ?? null);
  }), [api]);
  return logs;
}

/** A fix's output, as text (never markup), capped so a chatty pip cannot grow the page without bound. */
export function FixConsole({ log }: { log: FixLog }) {
  const { t } = useTranslation();
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [log.text]);
  return (
    <div data-testid="fix-console">
      <h3 className="sub">{t('setup:panel.console')}</h3>
      <pre ref={pre} className="fix-console" aria-live="polite">{log.text}</pre>
      {log.code !== undefined && <p className={log.code === 0 ? 'ok-text' : 'warn-text'}>{t('setup:panel.exited', { code: log.code ?? '?' })}</p>}
    </div>
  );
}
