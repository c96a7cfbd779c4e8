import { useTranslation } from 'react-i18next';
import type { DetectReport, PythonEnv } from '../../../shared/detect/types';
import { valueOf, type Loadable } from '../lib/loadable';

/**
 * The interpreters detection found, one click to fill the Python field. Broken ones stay listed
 * (with why) so the user sees that the one they expected was found but does not work.
 */
export function PythonPicks({ detect, selected, onPick }: { detect: Loadable<DetectReport>; selected: string; onPick: (path: string) => void }) {
  const { t } = useTranslation();
  const report = valueOf(detect);
  // An early report lists no interpreters yet: they are being probed, not absent.
  const list = report?.pending?.python ? undefined : report?.python;
  if (!list) {
    return detect.state === 'loading' || report?.pending?.python ? <p className="help" role="status">{t('settings:python.detecting')}</p> : null;
  }
  if (list.length === 0) return <p className="help">{t('settings:python.none')}</p>;
  return (
    <div className="python-picks">
      <p className="help" id="python-picks-title">{t('settings:python.picks')}</p>
      <ul aria-labelledby="python-picks-title">
        {list.map((p) => (
          <li key={p.path}>
            <button type="button" className="python-pick" aria-pressed={p.path === selected} data-testid="python-pick" data-path={p.path} onClick={() => onPick(p.path)}>
              <span className="row">
                <span className={`dot ${p.ok ? 'ok' : 'bad'}`} aria-hidden="true" />
                <code>{p.path}</code>
                <span className="muted small">({t(`settings:python.source.${p.source}`)})</span>
              </span>
              <span className="small muted">{describe(p, t('settings:python.noTorch'), t('settings:python.broken'))}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function describe(p: PythonEnv, noTorch: string, broken: string): string {
  if (!p.ok) return p.error ? `${broken}: ${p.error}` : broken;
  return [
    p.pythonVersion && `Python ${p.pythonVersion}`,
    p.torchVersion ? `torch ${p.torchVersion}` : noTorch,
    p.torchCuda && `CUDA ${p.torchCuda}`,
  ].filter(Boolean).join(' · ');
}
