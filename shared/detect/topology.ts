import type { LinkKind, Topology, TopologyLink } from './types';
import { lines, stripAnsi } from './values';

export interface TopoMatrixResult {
  links: TopologyLink[];
  cpuAffinity: Record<number, string>;
  numaAffinity: Record<number, string>;
  gpuIndexes: number[];
  problems: string[];
}

const GPU_COL = /^GPU(\d+)$/;

/** Cells are tab-separated; older builds padded with spaces, so two or more spaces also split. */
function cells(line: string): string[] {
  return line.split(/\t| {2,}/).map((c) => c.trim());
}

const CELL_VALUE = /^(X|NV\d+|PIX|PXB|PHB|NODE|SYS|SOC|OK|NS|CNS|GNS|TNS|U)$/i;

/** The header starts with GPU0 followed by another column name; a data row has a link value there. */
function isHeader(line: string): boolean {
  const c = cells(line).filter((x) => x !== '');
  return c[0] === 'GPU0' && (c[1] === undefined || !CELL_VALUE.test(c[1]));
}

export function linkKind(raw: string): { kind: LinkKind; nvlinks?: number } {
  const r = raw.trim().toUpperCase();
  const nv = /^NV(\d+)$/.exec(r);
  if (nv) return { kind: 'NV', nvlinks: Number(nv[1]) };
  if (r === 'X' || r === 'PIX' || r === 'PXB' || r === 'PHB' || r === 'NODE' || r === 'SYS' || r === 'SOC') return { kind: r };
  return { kind: 'unknown' };
}

/**
 * Parses `nvidia-smi topo -m`. The header row carries ANSI underline codes in real output
 * (fixtures h200x4/topo-m.txt, nvidia-smi/topo-1xh100-ansi-1.txt); NIC rows and columns are skipped.
 * Only the upper triangle is kept (a < b): the matrix is symmetric.
 */
export function parseTopoMatrix(text: string): TopoMatrixResult {
  const out: TopoMatrixResult = { links: [], cpuAffinity: {}, numaAffinity: {}, gpuIndexes: [], problems: [] };
  const all = lines(stripAnsi(text));
  const headerAt = all.findIndex(isHeader);
  if (headerAt < 0) {
    out.problems.push('no header row with GPU0');
    return out;
  }
  const header = cells(all[headerAt]!).filter((c, i) => !(i === 0 && c === ''));
  const matrixCols = header.findIndex((c) => /affinity|numa id/i.test(c));
  const colCount = matrixCols < 0 ? header.length : matrixCols;
  const tail = header.slice(colCount);
  for (let i = headerAt + 1; i < all.length; i++) {
    const line = all[i]!;
    if (!line.trim()) break;
    if (/^\s*Legend/i.test(line)) break;
    const row = cells(line);
    while (row.length && row[0] === '') row.shift();
    const label = row[0] ?? '';
    const m = GPU_COL.exec(label);
    if (!m) continue;
    const a = Number(m[1]);
    const values = row.slice(1);
    if (values.length < colCount) {
      out.problems.push(`${label}: ${values.length} of ${colCount} columns`);
    }
    out.gpuIndexes.push(a);
    for (let c = 0; c < Math.min(colCount, values.length); c++) {
      const col = GPU_COL.exec(header[c] ?? '');
      if (!col) continue;
      const b = Number(col[1]);
      if (b <= a) continue;
      const raw = values[c] ?? '';
      out.links.push({ a, b, raw, ...linkKind(raw) });
    }
    const rest = values.slice(colCount).filter((v) => v !== '');
    tail.forEach((name, k) => {
      const v = rest[k];
      if (v === undefined) return;
      if (/cpu affinity/i.test(name)) out.cpuAffinity[a] = v;
      else if (/numa affinity/i.test(name)) out.numaAffinity[a] = v;
    });
  }
  if (!out.gpuIndexes.length) out.problems.push('no GPU rows');
  const columns = header.slice(0, colCount).filter((c) => GPU_COL.test(c)).length;
  if (out.gpuIndexes.length && out.gpuIndexes.length < columns) out.problems.push(`${out.gpuIndexes.length} of ${columns} GPU rows`);
  return out;
}

export interface P2pResult {
  p2p: { a: number; b: number; status: string }[];
  problems: string[];
}

/** Legend of `nvidia-smi topo -p2p r` (fixtures h200x4/topo-p2p.txt). */
export const P2P_STATUS_TEXT: Record<string, string> = {
  OK: 'Status Ok',
  CNS: 'Chipset not supported',
  GNS: 'GPU not supported',
  TNS: 'Topology not supported',
  NS: 'Not supported',
  U: 'Unknown',
};

/** Parses the first matrix of `nvidia-smi topo -p2p r|w|n`; upper triangle only. */
export function parseP2p(text: string): P2pResult {
  const out: P2pResult = { p2p: [], problems: [] };
  const all = lines(stripAnsi(text));
  const headerAt = all.findIndex(isHeader);
  if (headerAt < 0) {
    out.problems.push('no header row with GPU0');
    return out;
  }
  const header = cells(all[headerAt]!).filter((c) => c !== '');
  let rows = 0;
  for (let i = headerAt + 1; i < all.length; i++) {
    const line = all[i]!;
    if (!line.trim() || /^\s*Legend/i.test(line)) break;
    const row = cells(line).filter((c) => c !== '');
    const m = GPU_COL.exec(row[0] ?? '');
    if (!m) continue;
    rows++;
    const a = Number(m[1]);
    const values = row.slice(1);
    if (values.length < header.length) out.problems.push(`GPU${a}: ${values.length} of ${header.length} columns`);
    values.forEach((status, c) => {
      const col = GPU_COL.exec(header[c] ?? '');
      if (!col) return;
      const b = Number(col[1]);
      if (b > a) out.p2p.push({ a, b, status: status.toUpperCase() });
    });
  }
  if (!rows) out.problems.push('no GPU rows');
  return out;
}

/** True when every pair among `indexes` is joined by NVLink. */
export function nvlinkAllPairs(links: TopologyLink[], indexes: number[]): boolean {
  if (indexes.length < 2) return false;
  for (const a of indexes) {
    for (const b of indexes) {
      if (b <= a) continue;
      if (links.find((l) => l.a === a && l.b === b)?.kind !== 'NV') return false;
    }
  }
  return true;
}

export function buildTopology(matrix: TopoMatrixResult | null, p2p: P2pResult | null): Topology | null {
  if (!matrix && !p2p) return null;
  const gpuIndexes = matrix?.gpuIndexes ?? [];
  const links = matrix?.links ?? [];
  return {
    links,
    cpuAffinity: matrix?.cpuAffinity ?? {},
    numaAffinity: matrix?.numaAffinity ?? {},
    p2p: p2p?.p2p ?? [],
    gpuIndexes,
    nvlinkAllPairs: nvlinkAllPairs(links, gpuIndexes),
  };
}
