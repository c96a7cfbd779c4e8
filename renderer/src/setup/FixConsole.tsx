import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../state/context';

const MAX_CHARS = 200_000;

/**
 * Live output of the fix the checklist started (pip, git clone…). Only the run it was handed is
 * shown; the text is rendered as text, never as markup, and capped so a chatty pip cannot grow the
 * page without bound.
 */
export function FixConsole({ fixRunId, onExit }: { fixRunId: string; onExit?: (code: number | null) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [text, setText] = useState('');
  const [code, setCode] = useState<number | null | undefined>(undefined);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    setText('');
    setCode(undefined);
    return api.on('setupFixOutput', (o) => {
      if (o.fixRunId !== fixRunId) return;
      if (o.text) setText((prev) => (prev + (o.stream === 'start' ? `$ ${o.text}` : o.text)).slice(-MAX_CHARS));
      if (o.stream === 'exit') {
        setCode(o.exitCode ?? null);
        onExit?.(o.exitCode ?? null);
      }
    });
  }, [api, fixRunId, onExit]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  return (
    <div data-testid="fix-console">
      <h3 className="sub">{t('setup:panel.console')}</h3>
      <pre ref={pre} className="fix-console" aria-live="polite">{text}</pre>
      {code !== undefined && <p className={code === 0 ? 'ok-text' : 'warn-text'}>{t('setup:panel.exited', { code: code ?? '?' })}</p>}
    </div>
  );
}
