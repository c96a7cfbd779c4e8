import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Clipboard API where allowed (secure contexts, Electron); a selectable fallback otherwise. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(null), 1500);
  };
  return (
    <button type="button" className="secondary small" onClick={() => void copy()} aria-live="polite">
      {done === 'copied' ? t('common:copied') : done === 'failed' ? t('copyFailed') : (label ?? t('common:copy'))}
    </button>
  );
}
