import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { resolvedTheme, THEME_EVENT } from '../lib/theme';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
}

/**
 * A uPlot time series that keeps one chart instance and only swaps its data. `data[0]` is time in
 * seconds; each further row is one series (null = gap).
 */
export function TimeChart({ title, series, data, yMax, unit }: { title: string; series: ChartSeries[]; data: (number | null)[][]; yMax?: number; unit: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const axisColor = () => (resolvedTheme() === 'dark' ? '#9aa6b8' : '#4a5568');
    const gridColor = () => (resolvedTheme() === 'dark' ? '#263041' : '#e3e8ef');
    const make = () => {
      const opts: uPlot.Options = {
        width: Math.max(200, el.clientWidth),
        height: 180,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(yMax ?? max, max, min + 1)] } },
        axes: [
          { stroke: axisColor(), grid: { stroke: gridColor() }, ticks: { stroke: gridColor() } },
          { stroke: axisColor(), grid: { stroke: gridColor() }, ticks: { stroke: gridColor() }, values: (_u, v) => v.map((x) => `${Math.round(x)}${unit}`), size: 56 },
        ],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, dash: s.dash, spanGaps: true, points: { show: false } }))],
      };
      plot.current?.destroy();
      plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    };
    make();
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: 180 }));
    ro.observe(el);
    window.addEventListener(THEME_EVENT, make);
    return () => {
      ro.disconnect();
      window.removeEventListener(THEME_EVENT, make);
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; data updates go through setData below.
  }, [key, yMax, unit]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return <figure className="chart"><figcaption>{title}</figcaption><div ref={host} /></figure>;
}
