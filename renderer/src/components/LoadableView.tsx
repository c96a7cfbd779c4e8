import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Loadable } from '../lib/loadable';

/**
 * Renders a Loadable: the content when ready, and a calm inline note otherwise. A service that
 * has not landed yet shows "not available", never a blank screen or a stack trace.
 */
export function LoadableView<T>({ value, what, children, onRetry }: { value: Loadable<T>; what: string; children: (v: T) => ReactNode; onRetry?: () => void }) {
  const { t } = useTranslation();
  const stale = 'value' in value ? value.value : undefined;
  if (value.state === 'ready') return <>{children(value.value)}</>;
  if (value.state === 'loading') {
    return stale !== undefined ? <>{children(stale)}</> : <p className="muted" role="status">{t('common:loading')}</p>;
  }
  if (value.state === 'unauthorized') return <p className="note warn">{t('shell.unauthorizedShort')}</p>;
  const message = value.state === 'unavailable' ? t('state.unavailable', { what }) : t('state.error', { what, message: value.error.message });
  return (
    <div className={`note ${value.state === 'unavailable' ? 'info' : 'error'}`} data-testid={`state-${value.state}`}>
      <span>{message}</span>
      {onRetry && <button type="button" className="link" onClick={onRetry}>{t('common:retry')}</button>}
      {stale !== undefined && children(stale)}
    </div>
  );
}
