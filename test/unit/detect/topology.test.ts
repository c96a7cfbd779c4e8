import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildTopology, parseP2p, parseTopoMatrix } from '../../../shared/detect';
import { h200, other, section } from './fixtures';

describe('parseTopoMatrix', () => {
  it('reads the real 4×H200 matrix through its ANSI-underlined header: NV18 between all pairs', () => {
    const text = h200('topo-m.txt');
    expect(text).toContain('\x1b[4m');
    const m = parseTopoMatrix(text);
    expect(m.problems).toEqual([]);
    expect(m.gpuIndexes).toEqual([0, 1, 2, 3]);
    expect(m.links).toHaveLength(6);
    for (const l of m.links) expect(l).toMatchObject({ kind: 'NV', nvlinks: 18, raw: 'NV18' });
    expect(m.links.map((l) => `${l.a}-${l.b}`)).toEqual(['0-1', '0-2', '0-3', '1-2', '1-3', '2-3']);
    expect(m.cpuAffinity).toEqual({ 0: '0-63', 1: '0-63', 2: '0-63', 3: '0-63' });
    expect(m.numaAffinity).toEqual({ 0: '0', 1: '0', 2: '0', 3: '0' });
  });

  it('reads a single-GPU matrix with affinities and no pairs', () => {
    const m = parseTopoMatrix(other('topo-1xh100-ansi-1.txt'));
    expect(m.problems).toEqual([]);
    expect(m.gpuIndexes).toEqual([0]);
    expect(m.links).toEqual([]);
    expect(m.cpuAffinity).toEqual({ 0: '0-19' });
    expect(m.numaAffinity).toEqual({ 0: '0' });
  });

  it('reads PCIe kinds and skips NIC rows and columns', () => {
    const text = [
      '\t\x1b[4mGPU0\tGPU1\tGPU2\tNIC0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\x1b[0m',
      'GPU0\t X \tPIX\tSYS\tNODE\t0-15\t0\t\tN/A',
      'GPU1\tPIX\t X \tSYS\tNODE\t0-15\t0\t\tN/A',
      'GPU2\tSYS\tSYS\t X \tSYS\t16-31\t1\t\tN/A',
      'NIC0\tNODE\tNODE\tSYS\t X \t\t\t\t',
      '',
      'Legend:',
    ].join('\n');
    const m = parseTopoMatrix(text);
    expect(m.links.map((l) => [l.a, l.b, l.kind])).toEqual([[0, 1, 'PIX'], [0, 2, 'SYS'], [1, 2, 'SYS']]);
    expect(m.cpuAffinity).toEqual({ 0: '0-15', 1: '0-15', 2: '16-31' });
    expect(m.numaAffinity[2]).toBe('1');
  });

  it('garbled or truncated text gives problems, not exceptions', () => {
    const text = h200('topo-m.txt');
    const cut = parseTopoMatrix(text.slice(0, text.indexOf('\nGPU2\t') + 8));
    expect(cut.gpuIndexes).toEqual([0, 1, 2]);
    expect(cut.problems).toEqual(['GPU2: 1 of 4 columns', '3 of 4 GPU rows']);
    expect(cut.links.filter((l) => l.a < 2).map((l) => l.raw)).toEqual(['NV18', 'NV18', 'NV18', 'NV18', 'NV18']);
    expect(parseTopoMatrix('garbage').problems).toEqual(['no header row with GPU0']);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parseTopoMatrix(s);
        parseP2p(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseP2p', () => {
  it('reads topo -p2p r: OK between all pairs', () => {
    const r = parseP2p(section(h200('topo-p2p.txt')));
    expect(r.problems).toEqual([]);
    expect(r.p2p).toHaveLength(6);
    expect(new Set(r.p2p.map((p) => p.status))).toEqual(new Set(['OK']));
    for (const name of ['w', 'n']) expect(parseP2p(section(h200('topo-p2p.txt'), name)).p2p).toEqual(r.p2p);
  });

  it('keeps the not-supported codes (consumer cards)', () => {
    const text = ' \tGPU0\tGPU1\tGPU2\t\n GPU0\tX\tCNS\tNS\t\n GPU1\tCNS\tX\tOK\t\n GPU2\tNS\tOK\tX\t\n\nLegend:\n';
    expect(parseP2p(text).p2p).toEqual([
      { a: 0, b: 1, status: 'CNS' },
      { a: 0, b: 2, status: 'NS' },
      { a: 1, b: 2, status: 'OK' },
    ]);
  });

  it('buildTopology says NVLink between all pairs only when every pair is NV#', () => {
    const t = buildTopology(parseTopoMatrix(h200('topo-m.txt')), parseP2p(section(h200('topo-p2p.txt'))));
    expect(t?.nvlinkAllPairs).toBe(true);
    const pcie = buildTopology(parseTopoMatrix('\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \tPHB\t0-7\nGPU1\tPHB\t X \t0-7\n'), null);
    expect(pcie?.nvlinkAllPairs).toBe(false);
  });
});
