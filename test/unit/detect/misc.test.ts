import { describe, expect, it } from 'vitest';
import { APPS_QUERY_FIELDS, GPU_QUERY_FIELDS, parseGpuList, parseHelpQuery, parseNvlinkStatus, parseNvrmVersion, parseQueryGpuCsv } from '../../../shared/detect';
import { h200, section } from './fixtures';

describe('the remaining H200 captures', () => {
  it('every field we query is one the real driver lists as valid', () => {
    const gpuFields = parseHelpQuery(h200('help-query-gpu.txt'));
    const appFields = parseHelpQuery(h200('help-query-apps.txt'));
    expect(gpuFields.size).toBeGreaterThan(100);
    for (const f of GPU_QUERY_FIELDS) expect(gpuFields.has(f), f).toBe(true);
    for (const f of APPS_QUERY_FIELDS) expect(appFields.has(f), f).toBe(true);
    // The run manager's sampler asks for these too.
    for (const f of ['memory.used', 'memory.total', 'utilization.gpu']) expect(gpuFields.has(f)).toBe(true);
  });

  it('-L (misc.txt): four H200s with uuids', () => {
    const list = parseGpuList(section(h200('misc.txt')));
    expect(list.map((g) => [g.index, g.name])).toEqual([0, 1, 2, 3].map((i) => [i, 'NVIDIA H200']));
    expect(list[0]!.uuid).toBe('GPU-1c98acf2-2372-f6ea-e898-fcde7e9615f5');
    // -L and the query give the same GPUs on one machine; misc.txt is from the sister machine of busy-apps.csv.
    expect(parseQueryGpuCsv(h200('query-gpu.csv')).gpus.map((g) => g.name)).toEqual(list.map((g) => g.name));
  });

  it('nvlink -s: 18 links of 26.562 GB/s per GPU', () => {
    const s = parseNvlinkStatus(section(h200('nvlink.txt')));
    expect(s.map((g) => [g.index, g.links])).toEqual([[0, 18], [1, 18], [2, 18], [3, 18]]);
    expect(new Set(s.flatMap((g) => g.gbPerLink))).toEqual(new Set([26.562]));
  });

  it('env.txt: the loaded kernel module version', () => {
    expect(parseNvrmVersion(h200('env.txt'))).toEqual({ version: '580.159.04', open: true });
    expect(parseNvrmVersion('nothing here')).toBeNull();
  });
});
