import type { Lang } from '../i18n';
import { detectText } from './text';
import type { DetectReport, DetectWarning, PythonEnv } from './types';

const GiB = 1024 ** 3;
const gib = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined
    ? '?'
    : bytes >= GiB
      ? `${(bytes / GiB).toFixed(1)} GiB`
      : bytes >= 1024 ** 2
        ? `${Math.round(bytes / 1024 ** 2)} MiB`
        : bytes >= 1024
          ? `${Math.round(bytes / 1024)} KiB`
          : `${bytes} B`;
const mibToGib = (mib: number): string => (mib / 1024).toFixed(1);

/** `[#####·······]`: share of memory in use, so a busy card stands out in a column of bars. */
export function memoryBar(used: number, total: number, width = 16): string {
  const filled = total > 0 ? Math.min(width, Math.round((used / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}]`;
}

function warningLines(w: DetectWarning, lang: Lang): string[] {
  const zh = lang === 'zh-CN';
  const mark = w.severity === 'error' ? '✗' : w.severity === 'info' ? 'i' : '!';
  const out = [`  ${mark} ${zh && w.messageZh ? w.messageZh : w.message}`];
  const fix = zh && w.fixZh ? w.fixZh : w.fix;
  if (fix) out.push(`    ${detectText('cli.fix', {}, lang)}${zh ? '：' : ': '}${fix}`);
  return out;
}

function pythonLine(p: PythonEnv, lang: Lang): string {
  const t = (k: string, params: Record<string, string | number> = {}) => detectText(`cli.${k}`, params, lang);
  if (!p.ok) return `  ✗ ${t('pyError', { path: p.path, source: p.source, error: p.error ?? '?' })}`;
  const parts: string[] = [];
  if (p.torchVersion) {
    parts.push(`torch ${p.torchVersion} (${p.torchCuda ? `CUDA ${p.torchCuda}` : 'CPU'})`);
    if (p.ncclVersion) parts.push(`NCCL ${p.ncclVersion}`);
    if (p.deviceCount !== null && p.deviceCount !== undefined) parts.push(`${p.deviceCount} GPU`);
    parts.push(p.flashAttn3 ? `FA3 ${p.flashAttn3}` : p.flashAttn ? `flash-attn ${p.flashAttn}` : 'no flash-attn');
    if (p.torchrun) parts.push(`torchrun ${p.torchrun}`);
  } else {
    parts.push(p.error ?? t('torchNone'));
  }
  return `  ${p.torchVersion ? '✓' : '·'} ${t('pyLine', { path: p.path, source: p.source, py: p.pythonVersion ?? '?', torch: parts.join(', ') })}`;
}

/** The human-readable `lal detect` report: compact, one line per GPU, in the user's language. */
export function formatReport(r: DetectReport, lang: Lang): string {
  const t = (k: string, params: Record<string, string | number> = {}) => detectText(`cli.${k}`, params, lang);
  const zh = lang === 'zh-CN';
  const out: string[] = [];
  const drv = r.driver?.version ? `  (${t('driver', { driver: r.driver.version, cuda: r.driver.cudaVersion ?? t('unknown') })})` : '';
  out.push(`${t('gpus')}${drv}`);
  if (r.nvidiaSmi.status !== 'ok') {
    out.push(`  ✗ ${zh && r.nvidiaSmi.messageZh ? r.nvidiaSmi.messageZh : (r.nvidiaSmi.message ?? r.nvidiaSmi.status)}`);
    const fix = zh ? r.nvidiaSmi.fixZh : r.nvidiaSmi.fix;
    if (fix) out.push(`    ${t('fix')}${zh ? '：' : ': '}${fix}`);
  } else if (!r.gpus.length) {
    out.push(`  ${t('noGpus')}`);
  }
  const nameWidth = Math.max(0, ...r.gpus.map((g) => g.name.length));
  for (const g of r.gpus) {
    const extra = [
      g.pcieGen && g.pcieWidth ? `PCIe ${g.pcieGen} x${g.pcieWidth}` : '',
      g.temperatureC !== null ? `${g.temperatureC}°C` : '',
      g.utilizationPct !== null ? `${g.utilizationPct}%` : '',
    ].filter(Boolean).join(' ');
    out.push(
      `  ${t('gpuLine', {
        index: g.index,
        name: g.name.padEnd(nameWidth),
        bar: memoryBar(g.memoryUsedMiB, g.memoryTotalMiB),
        used: mibToGib(g.memoryUsedMiB),
        total: mibToGib(g.memoryTotalMiB),
        free: mibToGib(g.memoryFreeMiB),
        cc: g.computeCapability ?? '?',
        extra,
      }).trimEnd()}`,
    );
    if (g.processes.length) {
      out.push(`     ${t('holders')}${zh ? '：' : ': '}${g.processes.map((p) => `${p.name || '?'} (pid ${p.pid}${p.usedMiB !== null ? `, ${p.usedMiB} MiB` : ''})`).join(', ')}`);
    }
  }

  const topo = r.topology;
  if (topo && r.gpus.length > 1) {
    out.push(t('topology'));
    if (topo.nvlinkAllPairs) {
      const kinds = [...new Set(topo.links.map((l) => l.raw))].join('/');
      out.push(`  ${t('nvlinkAll', { links: kinds })}`);
    } else {
      const byKind = new Map<string, string[]>();
      for (const l of topo.links) byKind.set(l.raw, [...(byKind.get(l.raw) ?? []), `${l.a}–${l.b}`]);
      for (const [kind, pairs] of byKind) out.push(`  ${kind.padEnd(5)} ${pairs.join(' ')}`);
    }
    const bad = topo.p2p.filter((p) => p.status !== 'OK');
    if (topo.p2p.length) out.push(`  ${bad.length ? t('p2pNot', { pairs: bad.map((p) => `${p.a}–${p.b} ${p.status}`).join(', ') }) : t('p2pOk')}`);
  }

  const h = r.host;
  out.push(t('host'));
  out.push(`  ${t('hostLine', { cpu: h.cpuModel, cores: h.cpuCores, ramAvail: gib(h.ramAvailableBytes), ramTotal: gib(h.ramTotalBytes), shm: gib(h.shmBytes) })}`);
  out.push(`  ${t('osLine', { os: [h.os, h.kernel].filter(Boolean).join(', ') })}`);
  if (h.outputDir) out.push(`  ${t('outputLine', { dir: h.outputDir, free: gib(h.outputDirFreeBytes) })}`);

  out.push(t('python'));
  if (!r.python.length) out.push(`  ${t('noPython')}`);
  for (const p of r.python) out.push(pythonLine(p, lang));

  if (r.checkout) {
    const c = r.checkout;
    out.push(`${t('checkout')}: ${c.path}`);
    out.push(`  ${c.supportedModes.length ? t('layouts', { modes: c.supportedModes.join(', ') }) : t('noLayouts')}`);
    for (const comp of c.components) {
      const dtypes = Object.entries(comp.bytesByDtype).map(([d, b]) => `${d} ${gib(b)}`).join(', ') || comp.files.join(', ');
      out.push(`  ${t('component', { name: comp.name, size: gib(comp.totalBytes), dtypes })}`);
    }
    if (c.missing.length) out.push(`  ✗ ${t('missing', { missing: c.missing.join('; ') })}`);
  }

  out.push(t('warnings'));
  if (!r.warnings.length) out.push(`  ${t('noWarnings')}`);
  const order = { error: 0, warn: 1, info: 2 } as const;
  for (const w of [...r.warnings].sort((a, b) => order[a.severity ?? 'warn'] - order[b.severity ?? 'warn'])) out.push(...warningLines(w, lang));
  if (r.timings?.total !== undefined) out.push(t('took', { ms: r.timings.total }));
  return out.join('\n') + '\n';
}
