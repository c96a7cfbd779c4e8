import type { RunSpec } from '../run/types';

/**
 * Real runs the model was checked against, as data: the spec the check sees, the hardware, and the
 * device-used peak per rank (MiB, rank order). `fitted: true` rows were used to set constants and
 * only show in-sample error; the error band (band.ts) is derived from the others alone.
 * Sources are in the repository; docs/validation.md is generated from this list
 * (scripts/gen-feasibility-docs.ts).
 */
export interface ValidationRow {
  id: string;
  /** Where the raw measurement lives. */
  source: string;
  machine: string;
  /** What-if hardware spec of the machine it ran on. */
  hardware: string;
  spec: RunSpec;
  measuredMiB: number[];
  fitted: boolean;
  /** ok: finished; oom: died of CUDA OOM (measuredMiB is where it stood when it died). */
  outcome: 'ok' | 'oom';
  /** Free MiB on the GPU before the run, when recorded: what a check on that machine compares with. */
  freeMiB?: number;
}

const FULL = { device: 'cuda', scale: 'full', size: '704*384', infer_frames: 48, load_lora: true, sample_steps: 4 } as const;
const DEFAULT_ALLOC = { PYTORCH_CUDA_ALLOC_CONF: '' };
const EXP = { PYTORCH_CUDA_ALLOC_CONF: 'expandable_segments:True' };
const H100 = 'docs/validation-data/h100x1-allocator/results.ndjson';
const H200 = 'docs/rehearsal-data/h200x4/summary.json';
const NOP2P = 'docs/validation-data/nccl-no-p2p-h200x4/peaks.ndjson';

function single(id: string, settings: RunSpec['settings'], env: Record<string, string>, measured: number, fitted: boolean, outcome: 'ok' | 'oom' = 'ok'): ValidationRow {
  return {
    id,
    source: H100,
    machine: '1x H100 80GB',
    hardware: '1xH100',
    spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { ...FULL, num_clip: 1, ...settings }, env },
    measuredMiB: [measured],
    fitted,
    outcome,
    freeMiB: 81079,
  };
}

const H200X8 = 'docs/validation-data/h200x8/results.ndjson';
const LAL = { device: 'cuda', scale: 'full', num_clip: 2 } as const;

function lalRun(id: string, hardware: string, mode: string, settings: RunSpec['settings'], measured: number[]): ValidationRow {
  return { id, source: H200X8, machine: '8x H200', hardware, spec: { recipe: 'rehearsal', mode, settings: { ...LAL, ...settings }, env: DEFAULT_ALLOC }, measuredMiB: measured, fitted: true, outcome: 'ok' };
}

function noP2p(id: string, hardware: string, settings: RunSpec['settings'], mode: string, measured: number[]): ValidationRow {
  return {
    id,
    source: NOP2P,
    machine: '4x H200',
    hardware,
    spec: { recipe: 'rehearsal', mode, settings: { device: 'cuda', scale: 'tiny', size: '704*384', num_clip: 2, sample_steps: 2, t5_fsdp: false, ...settings }, env: { ...DEFAULT_ALLOC, NCCL_P2P_DISABLE: '1' } },
    measuredMiB: measured,
    fitted: true,
    outcome: 'ok',
  };
}

export const VALIDATION_ROWS: ValidationRow[] = [
  // 8x H200, 2026-11-22, `lal run` (default allocator): the runs the NCCL, context and reserve
  // constants were fitted to (commits 2e56cc3, 4b4fed6).
  lalRun('h200-lal-single', '1xH200', 'single-offload', {}, [61905]),
  lalRun('h200-lal-fsdp2', '2xH200', 'fsdp-ulysses', { ulysses_size: 2 }, [54093, 54093]),
  lalRun('h200-lal-tpp4', '4xH200', 'tpp-4gpu', {}, [44539, 45057, 45057, 33473]),
  lalRun('h200-lal-fsdp4', '4xH200', 'fsdp-ulysses', { ulysses_size: 4 }, [34221, 34221, 34221, 34221]),
  lalRun('h200-lal-tpp5', '5xH200', 'tpp-5gpu', {}, [44539, 45057, 45057, 45057, 33473]),
  // 1x H100, 2026-12-06, scripts/gpu/feasibility-h100x1.py. The expandable reserve was set from the
  // two fitted rows (0.19 and 0.06 GB); the default-allocator row checks the old constant.
  single('h100-fp8-f48-default', { fp8: true }, DEFAULT_ALLOC, 61905, true),
  single('h100-fp8-f48-exp', { fp8: true }, EXP, 59615, true),
  single('h100-bf16-f36-exp', { fp8: false, infer_frames: 36 }, EXP, 64533, true),
  single('h100-fp8-f36-exp', { fp8: true, infer_frames: 36 }, EXP, 49633, false),
  single('h100-fp8-f60-exp', { fp8: true, infer_frames: 60 }, EXP, 69573, false),
  single('h100-bf16-f36-default', { fp8: false, infer_frames: 36 }, DEFAULT_ALLOC, 65455, false),
  single('h100-fp8-f48-t5cpu-exp', { fp8: true, t5_cpu: true }, EXP, 59575, false),
  single('h100-fp8-f72-688-exp', { fp8: true, infer_frames: 72, size: '688*368' }, EXP, 74053, false),
  single('h100-bf16-f48-exp', { fp8: false }, EXP, 74495, false),
  single('h100-fp8-f72-exp', { fp8: true, infer_frames: 72 }, EXP, 79555, false),
  single('h100-bf16-f48-offloadkv-exp', { fp8: false, offload_kv_cache: true }, EXP, 44795, false),
  single('h100-fp8-f72-default', { fp8: true, infer_frames: 72 }, DEFAULT_ALLOC, 81073, false, 'oom'),
  // Second call, predictions written down before it ran (scripts/gpu/feasibility-h100x1.py --only …):
  // bf16 48 frames default "fits" at 5.2% headroom, fp8 84 frames 688*368 "does-not-fit" by 2.5%.
  single('h100-bf16-f48-default', { fp8: false }, DEFAULT_ALLOC, 75357, false),
  single('h100-fp8-f60-default', { fp8: true, infer_frames: 60 }, DEFAULT_ALLOC, 72509, false),
  single('h100-fp8-f60-688-default', { fp8: true, infer_frames: 60, size: '688*368' }, DEFAULT_ALLOC, 67611, false),
  single('h100-bf16-f24-exp', { fp8: false, infer_frames: 24 }, EXP, 54573, false),
  single('h100-fp8-f72-exp-again', { fp8: true, infer_frames: 72 }, EXP, 79555, false),
  single('h100-fp8-f84-688-exp', { fp8: true, infer_frames: 84, size: '688*368' }, EXP, 81059, false, 'oom'),
  // 4x H200, 2026-11-22, resources/workloads/measure.py (default allocator): not used for fitting.
  {
    id: 'h200-single-fp8-offloadkv',
    source: H200,
    machine: '4x H200',
    hardware: '1xH200',
    spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { ...FULL, num_clip: 1, fp8: true, offload_kv_cache: true }, env: DEFAULT_ALLOC },
    measuredMiB: [33473],
    fitted: false,
    outcome: 'ok',
  },
  {
    id: 'h200-single-bf16-offloadkv',
    source: H200,
    machine: '4x H200',
    hardware: '1xH200',
    spec: { recipe: 'rehearsal', mode: 'single-offload', settings: { ...FULL, num_clip: 1, fp8: false, offload_kv_cache: true }, env: DEFAULT_ALLOC },
    measuredMiB: [45599],
    fitted: false,
    outcome: 'ok',
  },
  {
    id: 'h200-tpp4-fp8-t5cpu',
    source: H200,
    machine: '4x H200',
    hardware: '4xH200',
    spec: { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { ...FULL, sample_steps: 3, num_clip: 2, fp8: true, t5_cpu: true }, env: DEFAULT_ALLOC },
    measuredMiB: [33705, 34223, 34223, 33473],
    fitted: false,
    outcome: 'ok',
  },
  // Tiny scale, NCCL_P2P_DISABLE=1: the flat SHM figure was fitted to these.
  noP2p('h200-tiny-fsdp2-shm', '2xH200', { ulysses_size: 2 }, 'fsdp-ulysses', [1201, 1179]),
  noP2p('h200-tiny-fsdp4-shm', '4xH200', { ulysses_size: 4 }, 'fsdp-ulysses', [1201, 1179, 1179, 1179]),
  noP2p('h200-tiny-tpp4-shm', '4xH200', { sample_steps: 3 }, 'tpp-4gpu', [1207, 1237, 1237, 1215]),
  // Tiny scale with P2P over NVLink: almost only context + NCCL (the no-P2P halves were fitted).
  {
    id: 'h200-tiny-fsdp2-p2p',
    source: NOP2P,
    machine: '4x H200',
    hardware: '2xH200',
    spec: { recipe: 'rehearsal', mode: 'fsdp-ulysses', settings: { device: 'cuda', scale: 'tiny', size: '704*384', num_clip: 2, sample_steps: 2, ulysses_size: 2, t5_fsdp: false }, env: DEFAULT_ALLOC },
    measuredMiB: [2041, 2019],
    fitted: false,
    outcome: 'ok',
  },
  {
    id: 'h200-tiny-fsdp4-p2p',
    source: NOP2P,
    machine: '4x H200',
    hardware: '4xH200',
    spec: { recipe: 'rehearsal', mode: 'fsdp-ulysses', settings: { device: 'cuda', scale: 'tiny', size: '704*384', num_clip: 2, sample_steps: 2, ulysses_size: 4, t5_fsdp: false }, env: DEFAULT_ALLOC },
    measuredMiB: [2809, 2787, 2787, 2787],
    fitted: false,
    outcome: 'ok',
  },
  // The real model, third-party (Jp-17/avatar-benchmark, output/liveavatar_official_nearby/results.md):
  // single A800 80GB, 48 frames, 704*384, --fp8 asked for but not in effect on Ampere, no
  // --offload_kv_cache: "Tried to allocate 360.00 MiB ... this process has 79.02 GiB memory in use".
  // What it needed is at least in-use + request; it widens the band of recipes never measured here.
  {
    id: 'a800-liveavatar-single-bf16-oom',
    source: 'Jp-17/avatar-benchmark output/liveavatar_official_nearby/results.md',
    machine: '1x A800 80GB (third party)',
    hardware: '1xA800',
    spec: { recipe: 'liveavatar-s2v-14b', mode: 'single-offload', settings: { fp8: false, infer_frames: 48, size: '704*384' } },
    measuredMiB: [Math.round(79.02 * 1024) + 360],
    fitted: false,
    outcome: 'oom',
  },
];
