import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostKeyScanResult, NodesPreflightResult } from '../../../shared/api/contract';
import { nodeNames, nodeSchema, type NodeSpec } from '../../../shared/nodes/schema';
import { nodesNeedingConsent } from '../../../shared/nodes/consent';
import { useApp, useAppStore } from '../state/context';
import { allowedNodes, setNodeConsent, setTypedHosts } from './node-consent';

interface Row {
  host: string;
  user: string;
  procs: string;
  python: string;
  /** The user typed this row's host here (consent); false for a row that came from a profile. */
  typed: boolean;
}

const blank = (): Row => ({ host: '', user: '', procs: '', python: '', typed: true });
const toRow = (n: NodeSpec): Row => ({ host: n.host, user: n.user ?? '', procs: n.gpus === undefined ? '' : String(n.gpus), python: n.python ?? '', typed: false });

/** A row as a node, or the first problem with it (the schema is the one startRun enforces). */
function toNode(r: Row): { node: NodeSpec } | { error: string } {
  const raw: Record<string, unknown> = { host: r.host.trim() };
  if (r.user.trim()) raw.user = r.user.trim();
  if (r.procs.trim()) raw.gpus = Number(r.procs);
  if (r.python.trim()) raw.python = r.python.trim();
  const p = nodeSchema.safeParse(raw);
  return p.success ? { node: p.data } : { error: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

/**
 * The wizard's Machines step (shown with Hardware): run across several computers over SSH. The rows
 * become `spec.nodes` once every row is valid; "Check the machines" runs the preflight on each of
 * them and shows every result with its fix, so problems are seen before Run.
 */
export function MachinesStep() {
  const { t, i18n } = useTranslation('nodes');
  const api = useApp((s) => s.api);
  const store = useAppStore();
  const spec = useApp((s) => s.wizard.spec);
  const patchSpec = useApp((s) => s.patchSpec);
  const [rows, setRows] = useState<Row[]>(() => (spec.nodes?.length ? spec.nodes.map(toRow) : [blank(), blank()]));
  const [on, setOn] = useState(!!spec.nodes?.length);
  const [checking, setChecking] = useState(false);
  const [result, setResult] = useState<NodesPreflightResult | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  // "Trust this host key": per node name, the scanned keys, or what happened.
  const [keys, setKeys] = useState<Record<string, { scan?: HostKeyScanResult; note?: string }>>({});
  // Re-render when a consent box is ticked (the list itself lives in node-consent.ts).
  const [allowed, setAllowed] = useState<string[]>(() => allowedNodes());
  const needConsent = on ? nodesNeedingConsent(rows.filter((r) => r.host.trim()).map((r) => ({ host: r.host.trim() })), allowed) : [];

  const parsed = rows.map(toNode);
  const problems = parsed.map((p, i) => ('error' in p ? t('wizard.invalid', { n: i + 1, message: p.error }) : null)).filter((x): x is string => x !== null);

  const apply = (next: Row[], enabled = on) => {
    setRows(next);
    setTypedHosts(next.filter((r) => r.typed).map((r) => r.host.trim()));
    setAllowed(allowedNodes());
    setResult(null);
    const nodes = next.map(toNode);
    const valid = nodes.every((n): n is { node: NodeSpec } => 'node' in n);
    patchSpec({ nodes: enabled && valid && nodes.length >= 2 ? nodes.map((n) => (n as { node: NodeSpec }).node) : undefined });
  };
  const edit = (i: number, field: 'host' | 'user' | 'procs' | 'python', value: string) => apply(rows.map((r, k) => (k === i ? { ...r, [field]: value, typed: r.typed || field === 'host' } : r)));
  const tick = (host: string, yes: boolean) => {
    setNodeConsent(host, yes);
    setAllowed(allowedNodes());
  };

  const hostOf = (node: string | null): { host: string; port?: number } | null => {
    // A check names its node as the run's log folders do (nodeNames): back to the row's host.
    const n = spec.nodes?.[nodeNames(spec.nodes).indexOf(node ?? '')];
    return n ? { host: n.host, ...(n.port ? { port: n.port } : {}) } : null;
  };
  const scanKey = async (node: string) => {
    const target = hostOf(node);
    if (!target) return;
    try {
      setKeys((k) => ({ ...k, [node]: { scan: undefined, note: undefined } }));
      const scan = await api.scanHostKey(target);
      setKeys((k) => ({ ...k, [node]: { scan } }));
    } catch (e) {
      setKeys((k) => ({ ...k, [node]: { note: t('hostKey.failed', { message: (e as Error).message }) } }));
    }
  };
  const trustKey = async (node: string, fingerprint: string) => {
    const target = hostOf(node);
    if (!target) return;
    try {
      const r = await api.trustHostKey({ ...target, fingerprint });
      setKeys((k) => ({ ...k, [node]: { note: t('hostKey.trusted', { file: r.knownHostsFile }) } }));
    } catch (e) {
      setKeys((k) => ({ ...k, [node]: { note: t('hostKey.failed', { message: (e as Error).message }) } }));
    }
  };

  const check = async () => {
    setChecking(true);
    setCheckError(null);
    try {
      setResult(await api.preflightNodes({ spec: store.getState().wizard.spec, allowNodes: allowedNodes(), lang: i18n.language === 'zh-CN' ? 'zh-CN' : 'en' }));
    } catch (e) {
      setCheckError(t('wizard.checkFailed', { message: (e as Error).message }));
    } finally {
      setChecking(false);
    }
  };

  return (
    <section aria-labelledby="machines-step-title" className="machines-step" data-testid="machines-step">
      <h3 id="machines-step-title" className="sub">{t('wizard.title')}</h3>
      <p className="muted small">{t('wizard.intro')}</p>
      <label className="row">
        <input
          type="checkbox"
          checked={on}
          data-testid="machines-enable"
          onChange={(e) => {
            setOn(e.target.checked);
            apply(rows, e.target.checked);
          }}
        />
        <span>{t('wizard.enable')}</span>
      </label>
      {on && (
        <>
          <table className="machines">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('wizard.host')}</th>
                <th>{t('wizard.user')} <span className="muted small">({t('wizard.optional')})</span></th>
                <th>{t('wizard.procs')}</th>
                <th>{t('wizard.python')} <span className="muted small">({t('wizard.optional')})</span></th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} data-testid="machine-row">
                  <td>{i + 1}{i === 0 && <span className="muted small"> · {t('wizard.first')}</span>}</td>
                  <td><input aria-label={`${t('wizard.host')} ${i + 1}`} value={r.host} onChange={(e) => edit(i, 'host', e.target.value)} data-testid="machine-host" /></td>
                  <td><input aria-label={`${t('wizard.user')} ${i + 1}`} value={r.user} onChange={(e) => edit(i, 'user', e.target.value)} data-testid="machine-user" /></td>
                  <td><input aria-label={`${t('wizard.procs')} ${i + 1}`} inputMode="numeric" size={3} value={r.procs} onChange={(e) => edit(i, 'procs', e.target.value)} data-testid="machine-procs" /></td>
                  <td><input aria-label={`${t('wizard.python')} ${i + 1}`} value={r.python} onChange={(e) => edit(i, 'python', e.target.value)} data-testid="machine-python" /></td>
                  <td>{rows.length > 2 && <button type="button" className="secondary" onClick={() => apply(rows.filter((_, k) => k !== i))}>{t('wizard.remove')}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" className="secondary" onClick={() => apply([...rows, blank()])} data-testid="machine-add">{t('wizard.add')}</button>
            <button type="button" disabled={checking || problems.length > 0 || needConsent.length > 0} onClick={() => void check()} data-testid="machines-check">
              {checking ? t('wizard.checking') : t('wizard.check')}
            </button>
          </div>
          {needConsent.length > 0 && (
            <fieldset className="consent note warn" data-testid="nodes-consent">
              <legend>{t('consent.title')}</legend>
              <p className="small">{t('consent.help')}</p>
              <ul className="consent-list">
                {needConsent.map((h) => (
                  <li key={h}>
                    <label className="row">
                      <input type="checkbox" checked={false} onChange={(e) => tick(h, e.target.checked)} data-testid="node-consent-box" data-host={h} />
                      <span>{t('consent.allow', { host: h })}</span>
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          )}
          {problems.length > 0 && rows.some((r) => r.host) && (
            <ul className="note warn small">{problems.map((p) => <li key={p}>{p}</li>)}</ul>
          )}
          {checkError && <p className="note error" role="alert">{checkError}</p>}
          {result && (
            <div data-testid="machines-result" data-ok={String(result.ok)}>
              <p className={`note ${result.ok ? 'info' : 'error'}`}>{result.ok ? t('wizard.passed') : t('wizard.failed')}</p>
              <ul className="preflight">
                {result.checks.map((c, k) => (
                  <li key={k} data-status={c.status} data-testid="preflight-check">
                    <strong>{t(`wizard.status.${c.status}`)}</strong> {c.message}
                    {c.status !== 'ok' && <div className="muted small">→ {c.fix}</div>}
                    {c.id === 'sshHostKey' && c.node && (
                      <div className="host-key" data-testid="host-key" data-node={c.node}>
                        <button type="button" className="secondary" onClick={() => void scanKey(c.node!)} data-testid="host-key-scan">{t('hostKey.check')}</button>
                        {keys[c.node]?.scan && (
                          <>
                            <p className="small">{t('hostKey.scanned', { host: keys[c.node]!.scan!.host, address: keys[c.node]!.scan!.address, port: keys[c.node]!.scan!.port })}</p>
                            <ul className="small">
                              {keys[c.node]!.scan!.keys.map((k) => (
                                <li key={k.fingerprint}>
                                  <code>{k.type} {k.fingerprint}</code>{' '}
                                  <button type="button" onClick={() => void trustKey(c.node!, k.fingerprint)} data-testid="host-key-trust">{t('hostKey.trust', { type: k.type, fingerprint: k.fingerprint })}</button>
                                </li>
                              ))}
                            </ul>
                          </>
                        )}
                        {keys[c.node]?.note && <p className="small" role="status">{keys[c.node]!.note}</p>}
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}
