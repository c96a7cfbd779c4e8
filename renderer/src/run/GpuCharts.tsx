import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuSample } from '../../../shared/run/types';
import { TimeChart, type ChartSeries } from './TimeChart';

const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

/** Aligns per-GPU samples on one time axis (uPlot wants columns). */
export function alignSamples(gpu: Record<number, GpuSample[]>, pick: (s: GpuSample) => number | null): { indexes: number[]; data: (number | null)[][] } {
  const indexes = Object.keys(gpu).map(Number).sort((a, b) => a - b);
  const times = [...new Set(indexes.flatMap((i) => gpu[i].map((s) => s.t)))].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const rows = indexes.map((i) => {
    const row: (number | null)[] = new Array(times.length).fill(null);
    for (const s of gpu[i]) row[at.get(s.t)!] = pick(s);
    return row;
  });
  return { indexes, data: [times.map((t) => t / 1000), ...rows] };
}

/**
 * GPUs by node for a multi-node run (samples carry their node), in the order of the run's nodes;
 * a one-machine run is one group with node null. Each group keeps its own GPU numbers.
 */
export function groupByNode(gpu: Record<number, GpuSample[]>): { node: string | null; gpu: Record<number, GpuSample[]> }[] {
  const groups = new Map<string | null, { order: number; gpu: Record<number, GpuSample[]> }>();
  for (const samples of Object.values(gpu)) {
    const first = samples[0];
    if (!first) continue;
    const node = first.node ?? null;
    const g = groups.get(node) ?? { order: first.nodeIndex ?? -1, gpu: {} };
    g.gpu[first.index] = samples;
    groups.set(node, g);
  }
  return [...groups].sort((a, b) => a[1].order - b[1].order).map(([node, g]) => ({ node, gpu: g.gpu }));
}

/** Memory per GPU against its capacity, and utilisation, over the run; one pair of charts per node on a multi-node run. */
export function GpuCharts({ gpu }: { gpu: Record<number, GpuSample[]> }) {
  const { t } = useTranslation();
  const groups = useMemo(() => groupByNode(gpu), [gpu]);
  if (groups.length > 1 || (groups.length === 1 && groups[0].node !== null)) {
    return (
      <div data-testid="gpu-charts-nodes">
        {groups.map((g) => (
          <section key={g.node ?? ''} data-testid="gpu-node" data-node={g.node ?? ''}>
            <h4 className="sub">{t('nodes:run.gpuNode', { node: g.node ?? '' })}</h4>
            <NodeGpuCharts gpu={g.gpu} />
          </section>
        ))}
      </div>
    );
  }
  return <NodeGpuCharts gpu={gpu} />;
}

function NodeGpuCharts({ gpu }: { gpu: Record<number, GpuSample[]> }) {
  const { t } = useTranslation();
  const mem = useMemo(() => alignSamples(gpu, (s) => s.memoryUsedMiB / 1024), [gpu]);
  const util = useMemo(() => alignSamples(gpu, (s) => s.utilizationPct), [gpu]);
  const capacity = useMemo(() => Math.max(0, ...Object.values(gpu).flatMap((ss) => ss.slice(-1).map((s) => s.memoryTotalMiB / 1024))), [gpu]);
  if (!mem.indexes.length) return <p className="muted" data-testid="no-gpu-samples">{t('run.gpu.none')}</p>;
  const memSeries: ChartSeries[] = [...mem.indexes.map((i, k) => ({ label: `GPU ${i}`, color: COLORS[k % COLORS.length] })), { label: t('run.gpu.capacity'), color: '#94a3b8', dash: [6, 4] }];
  const memData = [...mem.data, mem.data[0].map(() => capacity)];
  const utilSeries = util.indexes.map((i, k) => ({ label: `GPU ${i}`, color: COLORS[k % COLORS.length] }));
  return (
    <div className="charts" data-testid="gpu-charts">
      <TimeChart title={t('run.gpu.memory')} series={memSeries} data={memData} yMax={capacity} unit=" G" />
      <TimeChart title={t('run.gpu.util')} series={utilSeries} data={util.data} yMax={100} unit="%" />
    </div>
  );
}
