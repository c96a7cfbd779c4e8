import { describe, expect, it } from 'vitest';
import type { GpuSample, RunEvent } from '../../../shared/run/types';
import { emptyLive, foldEvent } from '../../../renderer/src/state/live-run';
import { groupByNode } from '../../../renderer/src/run/GpuCharts';

/** Issue 18: GPU samples from every node keep their node, and the run view's charts group by it. */
const s = (node: string | undefined, nodeIndex: number | undefined, index: number, used: number, t = 1000): GpuSample => ({ t, index, memoryUsedMiB: used, memoryTotalMiB: 81559, utilizationPct: 50, ...(node ? { node, nodeIndex } : {}) });
const gpuEvent = (samples: GpuSample[]): RunEvent => ({ type: 'gpu', runId: 'r', samples });

describe('GPU charts by node', () => {
  it('two nodes with the same GPU numbers stay apart and group in the run’s node order', () => {
    let live = emptyLive('r');
    live = foldEvent(live, gpuEvent([s('gpu-b', 1, 0, 100), s('gpu-b', 1, 1, 200)]));
    live = foldEvent(live, gpuEvent([s('gpu-a', 0, 0, 300), s('gpu-a', 0, 1, 400)]));
    live = foldEvent(live, gpuEvent([s('gpu-a', 0, 0, 350, 2000), s('gpu-a', 0, 1, 450, 2000)]));
    expect(Object.keys(live.gpu)).toHaveLength(4);
    const groups = groupByNode(live.gpu);
    expect(groups.map((g) => g.node)).toEqual(['gpu-a', 'gpu-b']);
    expect(Object.keys(groups[0].gpu)).toEqual(['0', '1']);
    expect(groups[0].gpu[0].map((x) => x.memoryUsedMiB)).toEqual([300, 350]);
    expect(groups[1].gpu[1].map((x) => x.memoryUsedMiB)).toEqual([200]);
  });

  it('a one-machine run is one group without a node, keyed by GPU index as before', () => {
    const live = foldEvent(emptyLive('r'), gpuEvent([s(undefined, undefined, 0, 1), s(undefined, undefined, 3, 2)]));
    expect(Object.keys(live.gpu)).toEqual(['0', '3']);
    expect(groupByNode(live.gpu)).toEqual([{ node: null, gpu: live.gpu }]);
  });
});
