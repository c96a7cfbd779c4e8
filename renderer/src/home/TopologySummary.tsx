import { useTranslation } from 'react-i18next';
import type { Topology } from '../../../shared/detect/types';

/** One sentence on how the GPUs talk to each other, then the matrix for those who want it. */
export function TopologySummary({ topology, gpuCount }: { topology: Topology | null; gpuCount: number }) {
  const { t } = useTranslation();
  if (!topology || gpuCount < 2) return <p className="muted">{t('home.topology.none')}</p>;
  const kinds = new Map<string, number>();
  for (const l of topology.links) if (l.a < l.b) kinds.set(l.kind, (kinds.get(l.kind) ?? 0) + 1);
  const p2pBad = topology.p2p.filter((p) => p.a !== p.b && p.status !== 'OK');
  const idx = topology.gpuIndexes ?? [...new Set(topology.links.flatMap((l) => [l.a, l.b]))].sort((a, b) => a - b);
  const cell = (a: number, b: number) => {
    if (a === b) return 'X';
    const l = topology.links.find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
    return l ? l.raw : '?';
  };
  return (
    <div data-testid="topology">
      <p>
        {topology.nvlinkAllPairs ? t('home.topology.nvlinkAll') : t('home.topology.mixed', { kinds: [...kinds.entries()].map(([k, n]) => `${k}×${n}`).join(', ') || '—' })}
        {' '}
        {p2pBad.length ? <span className="warn-text">{t('home.topology.p2pBad', { count: p2pBad.length })}</span> : <span className="ok-text">{t('home.topology.p2pOk')}</span>}
      </p>
      {idx.length > 1 && (
        <details>
          <summary>{t('home.topology.matrix')}</summary>
          <table className="matrix">
            <thead><tr><th scope="col"><span className="sr-only">GPU</span></th>{idx.map((i) => <th key={i} scope="col">GPU{i}</th>)}</tr></thead>
            <tbody>
              {idx.map((a) => (
                <tr key={a}><th scope="row">GPU{a}</th>{idx.map((b) => <td key={b}>{cell(a, b)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
