/**
 * Regenerates the tables of docs/feasibility.md and docs/validation.md that come from the model's
 * code and data (constants, GPU presets, error bands, predictions against every measured run), so
 * the docs cannot drift from the code. Each table sits between
 * `<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->`; the prose around it is by hand.
 *
 *   npx tsx scripts/gen-feasibility-docs.ts          # rewrite the docs
 *   npx tsx scripts/gen-feasibility-docs.ts --check  # exit 1 when they are out of date
 *
 * test/unit/feasibility/docs-fresh.test.ts runs the same comparison in `npm test`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFeasibility, GPU_TABLE, MODEL, parseHardwareSpec, predictRow, VALIDATION_ROWS, bands } from '../shared/feasibility';
import { DRIVER_RESERVED_BYTES } from '../shared/feasibility/hardware';
import type { ValidationRow } from '../shared/feasibility';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Where each constant comes from: the one piece of prose that lives here, next to the table it fills. */
const SOURCES: Record<keyof typeof MODEL, string> = {
  cudaContextBytes: 'device used − torch reserved of a single-GPU rank: 0.73 GB on H200, 695 MiB on H100 (calibrated)',
  extraContextOnGpu0Bytes: 'upstream t5.py default argument: every rank opens a context on GPU 0, ~0.3–0.5 GB each (upstream only)',
  ncclBaseBytes: 'NVLink: device used − torch reserved − context on FSDP-2/-4 and TPP ranks, 4x/8x H200 NV18 (calibrated)',
  ncclPerPeerBytes: 'per NVLink peer at NV18 (calibrated); scaled by links/18 for fewer links (estimate, the rest goes to the band)',
  ncclPcieBaseBytes: 'host shared memory (no P2P, `NCCL_P2P_DISABLE=1`): 0.47–0.61 GB measured on 4x H200 (calibrated)',
  ncclPciePerPeerBytes: 'SHM does not grow with peers: FSDP-4 = FSDP-2 (measured)',
  ncclPcieP2pPerPeerBytes: 'PCIe P2P per peer (estimate, unmeasured; the band adds the distance to the NVLink figure)',
  allocatorMarginFraction: 'cap on the steady reserve as a fraction of allocated bytes, so tiny runs get a tiny margin',
  allocatorReserveBytes: 'torch reserved − allocated peak with the default allocator: 2.45 GB on H200, 2.35 GB on H100 (calibrated)',
  allocatorReserveExpandableBytes: 'the same with `expandable_segments:True`: 0.06–0.21 GB on H100 (docs/validation-data/h100x1-allocator)',
  allocatorReserveAtLoadBytes: 'reserve at a load-time peak (a few huge tensors): 0.02 GB measured',
  fsdpFragmentationFactor: 'extra reserve × FSDP unshard bytes: 2.4–3.0 GB more on FSDP ranks (default allocator; kept for expandable, unmeasured)',
  compileWorkspaceBytes: 'torch.compile workspace when ENABLE_COMPILE is on (upstream Live Avatar; estimate)',
  actKvCopies: 'lalwork/plan.py activations(): keys and values concatenated for attention',
  actHiddenPerToken: 'lalwork/plan.py activations(): q, k, v, attention out, residual, norm (bf16)',
  actFfnPerToken: 'lalwork/plan.py activations(): FFN intermediate and its GELU (bf16)',
  actFp32HiddenPerToken: 'lalwork/plan.py activations(): fp32 norm and softmax temporaries',
  decodeElemsPerPixel: 'lalwork/plan.py decode_ws: VAE decode workspace per output pixel',
  fullSeqDecodeFactor: 'Wan2.2 whole-clip decode on rank 0 (uncalibrated)',
  hostProcessBaseBytes: 'Python + torch + CUDA libraries per process (host RSS before any model)',
  hostSaveCopies: 'host copies of the decoded video at save time (3–4×)',
  assumedAudioSeconds: 'audio length assumed for host RAM when the clip count is open',
  rehearsalAudioSeconds: "the rehearsal's pretend audio (rehearsal.py --audio_seconds default)",
  tightHeadroomFraction: 'no longer decides the verdict (the error band does); kept for clients that show a headroom hint',
};

function value(key: string, v: number): string {
  if (/Bytes$/.test(key)) return `${+(v / GiB).toFixed(3)} GiB`;
  return String(+v.toFixed(4));
}

function constantsTable(): string {
  const rows = (Object.keys(MODEL) as (keyof typeof MODEL)[]).map((k) => `| \`${k}\` | ${value(k, MODEL[k])} | ${SOURCES[k]} |`);
  return ['| constant | value | source |', '|---|---|---|', ...rows].join('\n');
}

function gpuTable(): string {
  const link = (g: (typeof GPU_TABLE)[number]) => (g.link.kind === 'nvlink' ? `NV${g.link.nvlinks}${g.link.pairs ? ' in pairs, PCIe P2P between pairs' : ' all pairs'}` : g.link.kind === 'pcie-p2p' ? 'PCIe P2P' : 'host memory (no P2P)');
  const rows = GPU_TABLE.map((g) => `| ${g.name} | ${g.memoryMiB} | ${g.memoryMiB - DRIVER_RESERVED_BYTES / MiB} | ${g.cc} | ${link(g)} |`);
  return ['| GPU | MiB (nvidia-smi total) | MiB available in a what-if | CC | links assumed |', '|---|---|---|---|---|', ...rows].join('\n');
}

function bandTable(): string {
  const b = bands();
  const rows = Object.values(b.classes).map((c) => `| ${c.cls} | +${c.upPct}% | −${c.downPct}% | ${c.ranks || 'none: the widest of the others'} | ${c.rows.join(', ') || '–'} |`);
  return [
    '| layout class | upper edge | lower edge | held-out ranks | held-out rows |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Recipes with no measured run here (Live Avatar, Wan2.2, Step-Video) add **${b.unmeasuredPct}%** on both sides (from ${b.unmeasuredRows.join(', ') || 'the 3% floor'}).`,
  ].join('\n');
}

const PREDICTED: [string, string, string, Record<string, string | number | boolean>][] = [
  ['single, fp8', 'single-offload', '1xH100', { fp8: true }],
  ['single, fp8, `--offload_kv_cache`', 'single-offload', '1xH100', { fp8: true, offload_kv_cache: true }],
  ['single, bf16, `--offload_kv_cache`', 'single-offload', '1xH100', { fp8: false, offload_kv_cache: true }],
  ['single, bf16', 'single-offload', '1xH100', { fp8: false }],
  ['TPP 4 GPUs, fp8', 'tpp-4gpu', '4xH100', { fp8: true }],
  ['TPP 4 GPUs, fp8, `--t5_cpu`', 'tpp-4gpu', '4xH100', { fp8: true, t5_cpu: true }],
  ['TPP 5 GPUs, fp8', 'tpp-5gpu', '5xH100', { fp8: true }],
  ['FSDP 2 + Ulysses 2, T5 whole', 'fsdp-ulysses', '2xH100', { ulysses_size: 2, t5_fsdp: false }],
  ['FSDP 4 + Ulysses 4, T5 whole', 'fsdp-ulysses', '4xH100', { ulysses_size: 4, t5_fsdp: false }],
];

function predictionsTable(): string {
  const rows = PREDICTED.map(([label, mode, hw, set]) => {
    const r = checkFeasibility({ spec: { recipe: 'rehearsal', mode, settings: { device: 'cuda', scale: 'full', size: '704*384', infer_frames: 48, load_lora: true, ...set } }, hardware: parseHardwareSpec(hw), suggestions: false });
    const roles = new Map<string, string>();
    for (const g of r.perGpu) if (!roles.has(g.role)) roles.set(g.role, `${g.role} ${(g.requiredBytes / GiB).toFixed(2)} (${g.phase}; band ${(g.band!.lowBytes / GiB).toFixed(2)}–${(g.band!.highBytes / GiB).toFixed(2)})`);
    return `| ${label} | ${hw} | ${[...roles.values()].join(', ')} | ${r.verdict} |`;
  });
  return ['| layout | hardware | need per role, GiB (peak phase; band) | verdict |', '|---|---|---|---|', ...rows].join('\n');
}

function describeRow(row: ValidationRow): string {
  const s = row.spec.settings ?? {};
  const bits = [row.spec.mode, s.scale === 'tiny' ? 'tiny' : '', s.fp8 === true ? 'fp8' : s.fp8 === false ? 'bf16' : '', s.infer_frames ? `${s.infer_frames} frames` : '', s.size && s.size !== '704*384' ? String(s.size) : '', s.offload_kv_cache ? 'offload_kv_cache' : '', s.t5_cpu ? 't5_cpu' : '', s.ulysses_size ? `ulysses ${s.ulysses_size}` : ''];
  const alloc = row.spec.env?.PYTORCH_CUDA_ALLOC_CONF ? 'expandable' : row.spec.recipe === 'rehearsal' ? 'default' : 'recipe';
  return `${row.spec.recipe === 'rehearsal' ? '' : `${row.spec.recipe} `}${bits.filter(Boolean).join(', ')}; ${alloc}`;
}

function validationTable(): string {
  const b = bands();
  const rows = VALIDATION_ROWS.map((row) => {
    const p = predictRow(row);
    const cls = b.classes[p.cls];
    const extra = row.spec.recipe === 'rehearsal' ? 0 : b.unmeasuredPct;
    const fmt = (xs: number[]) => [...new Set(xs.map((x) => Math.round(x)))].join(' / ');
    const predicted = fmt(p.predicted.map((x) => x / MiB));
    const band = fmt(p.predicted.map((x) => (x * (1 + (cls.upPct + extra) / 100)) / MiB));

    const errors = [...new Set(p.errorPct.map((e) => `${e >= 0 ? '+' : '−'}${Math.abs(e).toFixed(1)}%`))].join(' / ');
    // The verdict the check gives: the bare need against the memory, then the band's upper edge.
    const highs = p.predicted.map((x) => x * (1 + (cls.upPct + extra) / 100));
    const verdict = p.predicted.some((x) => x > p.available) ? 'does-not-fit' : highs.some((x) => x > p.available) ? 'tight' : 'fits';
    const outcome = row.outcome === 'oom' ? `**OOM**, predicted ${verdict}` : `ok, predicted ${verdict}`;
    return `| ${row.id} | ${row.machine} | ${describeRow(row)} | ${predicted} | ≤ ${band} | ${fmt(row.measuredMiB)} | ${errors} | ${outcome}${row.freeMiB ? ` (${row.freeMiB} MiB free)` : ''} | ${row.fitted ? 'fitted' : 'held out'} |`;
  });
  return [
    '| row | machine | layout, settings; allocator | predicted (MiB) | band upper edge (MiB) | measured (MiB) | measured vs predicted | outcome | use |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const GENERATED: Record<string, Record<string, () => string>> = {
  'docs/feasibility.md': { constants: constantsTable, band: bandTable, predictions: predictionsTable, gpus: gpuTable },
  'docs/validation.md': { 'model-vs-measured': validationTable },
};

/** The file's text with every generated section replaced by what the code says now. */
export function regenerate(text: string, sections: Record<string, () => string>): string {
  let out = text;
  for (const [name, make] of Object.entries(sections)) {
    const begin = `<!-- BEGIN GENERATED: ${name} -->`;
    const end = `<!-- END GENERATED: ${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`missing markers for "${name}"`);
    out = out.slice(0, i + begin.length) + '\n' + make() + '\n' + out.slice(j);
  }
  return out;
}

function main(): number {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, sections] of Object.entries(GENERATED)) {
    const path = join(ROOT, file);
    const text = readFileSync(path, 'utf8');
    const next = regenerate(text, sections);
    if (next === text) continue;
    stale++;
    if (check) process.stderr.write(`${file} is out of date: run npx tsx scripts/gen-feasibility-docs.ts\n`);
    else writeFileSync(path, next);
  }
  return check && stale ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
