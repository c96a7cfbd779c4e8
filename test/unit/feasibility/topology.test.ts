import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology, parseP2p, parseTopoMatrix } from '../../../shared/detect/topology';
import type { DetectReport, Topology } from '../../../shared/detect/types';
import { checkFeasibility, GiB, MODEL, parseHardwareSpec } from '../../../shared/feasibility';
import type { FeasibilityReport } from '../../../shared/feasibility';
import { repoRoot } from '../../support/temp';

/**
 * NCCL's buffer memory follows the links NCCL will really use: read from `nvidia-smi topo -m` and
 * `topo -p2p r` as detection captured them, not guessed from the GPU names.
 */
const local = (f: string) => readFileSync(join(__dirname, 'fixtures', f), 'utf8');
const captured = (f: string) => readFileSync(join(repoRoot, 'test', 'fixtures', 'captured', 'h200x4', f), 'utf8');

function topo(matrix: string, p2p: string): Topology {
  const t = buildTopology(parseTopoMatrix(matrix), parseP2p(p2p));
  if (!t) throw new Error('fixture did not parse');
  return t;
}

/** Detection as the check reads it: the topology, no Python or checkout facts. */
const detectWith = (topology: Topology) => ({ topology, python: [], checkout: null }) as unknown as DetectReport;

function ncclGiB(r: FeasibilityReport): number[] {
  return r.perGpu.map((g) => (g.breakdown.find((p) => p.key === 'nccl')?.bytes ?? 0) / GiB);
}

const fsdp4 = { recipe: 'rehearsal', mode: 'fsdp-ulysses', settings: { device: 'cuda', scale: 'full', ulysses_size: 4 } };
const tpp4 = { recipe: 'liveavatar-s2v-14b', mode: 'tpp-4gpu', settings: { fp8: true } };

function check(spec: typeof fsdp4 | typeof tpp4, hw: string, topology: Topology | null): FeasibilityReport {
  const hardware = parseHardwareSpec(hw);
  return checkFeasibility({ spec, hardware, detect: topology ? detectWith(topology) : null, hardwareSource: topology ? 'detected' : 'spec', suggestions: false });
}

describe('NCCL terms from the detected topology', () => {
  it('NVLink between all pairs (captured 4x H200, NV18): the measured NVLink figure, said to come from the topology', () => {
    const r = check(fsdp4, '4xH200', topo(captured('topo-m.txt'), captured('topo-p2p.txt')));
    // Three peers each: base + 3 × per-peer, as fitted on 4x H200 FSDP-4.
    for (const x of ncclGiB(r)) expect(x).toBeCloseTo(0.7 + 3 * 0.45, 2);
    expect(r.link).toMatchObject({ source: 'detected', labels: ['NV18'] });
    expect(r.link!.message).toBe('NCCL memory assumes NV18 between the GPUs (detected topology).');
    expect(r.perGpu.every((g) => !g.ncclUncertainBytes)).toBe(true);
  });

  it('SYS/PHB without P2P (GeForce): the flat host-memory figure, even when the name rule would not know', () => {
    const t = topo(local('topo-m-4x4090-sys.txt'), local('topo-p2p-4x4090-sys.txt'));
    expect(t.p2p.every((p) => p.status === 'NS')).toBe(true);
    const r = check(tpp4, '4xRTX 4090', t);
    for (const x of ncclGiB(r).filter((v) => v > 0)) expect(x).toBeCloseTo(MODEL.ncclPcieBaseBytes / GiB, 3);
    expect(r.link).toMatchObject({ source: 'detected', labels: ['SHM'] });
    // The same H200 names on this topology would also get SHM: the topology wins over the name.
    const named = check(fsdp4, '4xH200', t);
    for (const x of ncclGiB(named)) expect(x).toBeCloseTo(0.5, 3);
  });

  it('NV12 between all pairs (A100 SXM): fewer links, fewer channels, and the band carries the rest', () => {
    const t = topo(local('topo-m-4xa100-nv12.txt'), local('topo-p2p-4xa100-nv12.txt'));
    const r = check(fsdp4, '4xA100-80GB', t);
    for (const x of ncclGiB(r)) expect(x).toBeCloseTo(0.7 + 3 * 0.45 * (12 / 18), 2);
    expect(r.link!.labels).toEqual(['NV12']);
    for (const g of r.perGpu) {
      expect(g.ncclUncertainBytes! / GiB).toBeCloseTo(3 * 0.45 * (6 / 18), 2);
      // The upper edge is as large as the NV18-measured buffers would make it.
      expect(g.band!.highBytes).toBeGreaterThan(g.requiredBytes * (1 + g.band!.upPct / 100) + 0.4 * GiB);
    }
  });

  it('NVLink bridges in pairs (H100 NVL): the bridged neighbour over NVLink, the others over PCIe P2P', () => {
    const t = topo(local('topo-m-4xh100nvl-pairs.txt'), local('topo-p2p-4xh100nvl-pairs.txt'));
    const r = check(fsdp4, '4xH100 NVL', t);
    // One NVLink peer (NV12) and two PCIe P2P peers per rank.
    const expected = 0.7 + 0.45 * (12 / 18) + 2 * MODEL.ncclPcieP2pPerPeerBytes / GiB;
    for (const x of ncclGiB(r)) expect(x).toBeCloseTo(expected, 2);
    expect(r.link!.labels).toEqual(['PCIe P2P', 'NV12']);
    // TPP: rank 0 talks only to rank 1, over its bridge.
    const tpp = check(tpp4, '4xH100 NVL', t);
    expect(ncclGiB(tpp)[0]).toBeCloseTo(0.7 + 0.45 * (12 / 18), 2);
  });

  it('without a topology a what-if uses the preset of the named card, and says so', () => {
    const nvl = check(fsdp4, '4xH100 NVL', null);
    expect(nvl.link).toMatchObject({ source: 'preset', labels: ['PCIe P2P', 'NV12'] });
    const a100 = check(fsdp4, '4xA100-80GB', null);
    expect(a100.link).toMatchObject({ source: 'preset', labels: ['NV12'] });
    const l40s = check(tpp4, '4xL40S', null);
    expect(l40s.link).toMatchObject({ source: 'preset', labels: ['PCIe P2P'] });
    const raw = check(tpp4, '4x48GiB@8.9', null);
    expect(raw.link).toMatchObject({ source: 'name', labels: ['SHM'] });
  });

  it('NCCL_P2P_DISABLE=1 overrides the topology (host memory on any hardware)', () => {
    const t = topo(captured('topo-m.txt'), captured('topo-p2p.txt'));
    const hardware = parseHardwareSpec('4xH200');
    const r = checkFeasibility({ spec: { ...fsdp4, env: { NCCL_P2P_DISABLE: '1' } }, hardware, detect: detectWith(t), suggestions: false });
    expect(r.link).toMatchObject({ source: 'env', labels: ['SHM'] });
    for (const x of ncclGiB(r)) expect(x).toBeCloseTo(0.5, 3);
  });
});

describe('allocator configuration is an input', () => {
  const single = (env: Record<string, string>) =>
    checkFeasibility({ spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { device: 'cuda', scale: 'full', fp8: true, load_lora: true }, env }, hardware: parseHardwareSpec('1xH100'), suggestions: false });
  it('expandable_segments: a 0.2 GiB reserve; the default allocator: the 2.3 GiB measured without it', () => {
    const exp = single({ PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' });
    const def = single({ PYTORCH_CUDA_ALLOC_CONF: '' });
    const margin = (r: FeasibilityReport) => r.perGpu[0]!.breakdown.find((p) => p.key === 'allocator_margin')!.bytes / GiB;
    expect(margin(exp)).toBeCloseTo(0.2, 3);
    expect(margin(def)).toBeCloseTo(2.3, 3);
    expect(exp.allocator).toBe('expandable');
    expect(def.allocator).toBe('default');
    // The rehearsal recipe runs with Live Avatar's setting unless the profile says otherwise.
    expect(single({}).allocator).toBe('expandable');
    expect(single({ PYTORCH_CUDA_ALLOC_CONF: 'max_split_size_mb:512,expandable_segments:True' }).allocator).toBe('expandable');
  });
});
