import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CheckoutInfo, CheckoutLayout, CheckpointComponent } from '../../../shared/detect';
import { readSafetensorsHeader } from './safetensors';

/** Entry points and launch scripts of Alibaba-Quark/LiveAvatar (docs/upstream-notes.md §0, §2). */
const ENTRIES = [
  'minimal_inference/s2v_streaming_interact.py',
  'minimal_inference/gradio_app.py',
  'minimal_inference/batch_eval.py',
  'infinite_inference_single_gpu.sh',
  'infinite_inference_multi_gpu.sh',
  'gradio_single_gpu.sh',
  'gradio_multi_gpu.sh',
];
const CLI = 'minimal_inference/s2v_streaming_interact.py';
const GRADIO = 'minimal_inference/gradio_app.py';
const CKPT = 'ckpt/Wan2.2-S2V-14B';
const LORA_DIR = 'ckpt/LiveAvatar';
const TRAINING_CONFIG = 'liveavatar/configs/s2v_causal_sft.yaml';

export interface AssertScan {
  /** `assert world_size >= N` (L372 upstream), or null when absent or commented out. */
  minWorld: { n: number; line: number } | null;
  /** `assert num_gpus_dit == N` (L373). */
  ditEquals: { n: number; line: number } | null;
  /** `assert enable_vae_parallel` (L374; gradio_app.py L338). */
  vaeRequired: { line: number } | null;
}

/** Finds the distributed-mode asserts on live (uncommented) lines of an entry script. */
export function scanAsserts(source: string): AssertScan {
  const out: AssertScan = { minWorld: null, ditEquals: null, vaeRequired: null };
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line.startsWith('assert')) return;
    const ws = /world_size\s*>=?\s*(\d+)/.exec(line);
    if (ws && !out.minWorld) out.minWorld = { n: Number(ws[1]) + (line.includes('>=') ? 0 : 1), line: i + 1 };
    const dit = /num_gpus_dit\s*==\s*(\d+)/.exec(line);
    if (dit && !out.ditEquals) out.ditEquals = { n: Number(dit[1]), line: i + 1 };
    if (/enable_vae_parallel/.test(line) && !out.vaeRequired) out.vaeRequired = { line: i + 1 };
  });
  return out;
}

/**
 * Which recipe modes (issue 7: single-offload, tpp-4gpu = 3 DiT ranks + VAE rank, tpp-5gpu =
 * 4 DiT ranks + VAE rank) one entry script lets through (docs/upstream-notes.md §1.1 items 1–4, §1.2).
 */
export function layoutsFor(entry: string, scan: AssertScan): CheckoutLayout[] {
  const at = (l: { line: number } | null) => (l ? `${entry}:${l.line}` : entry);
  const tpp = (nproc: number, dit: number): CheckoutLayout => {
    if (scan.minWorld && nproc < scan.minWorld.n) {
      return { mode: `tpp-${nproc}gpu`, entry, nproc, allowed: false, reason: `${at(scan.minWorld)}: assert world_size >= ${scan.minWorld.n}` };
    }
    if (scan.ditEquals && scan.ditEquals.n !== dit) {
      return { mode: `tpp-${nproc}gpu`, entry, nproc, allowed: false, reason: `${at(scan.ditEquals)}: assert num_gpus_dit == ${scan.ditEquals.n}` };
    }
    const why = scan.minWorld || scan.ditEquals ? `asserts at ${[scan.minWorld, scan.ditEquals].filter(Boolean).map((a) => a!.line).join(', ')} allow it` : 'no GPU-count assert';
    return { mode: `tpp-${nproc}gpu`, entry, nproc, allowed: true, reason: `${entry}: ${why}` };
  };
  return [{ mode: 'single-offload', entry, nproc: 1, allowed: true, reason: `${entry}: world_size 1 path` }, tpp(4, 3), tpp(5, 4)];
}

async function size(p: string): Promise<number | null> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function component(name: string, root: string, files: string[]): Promise<CheckpointComponent> {
  const c: CheckpointComponent = { name, files: [], bytesByDtype: {}, totalBytes: 0, params: 0 };
  for (const f of files) {
    const bytes = await size(f);
    if (bytes === null) continue;
    c.files.push(relative(root, f));
    if (f.endsWith('.safetensors')) {
      try {
        const h = await readSafetensorsHeader(f);
        for (const [dt, b] of Object.entries(h.bytesByDtype)) c.bytesByDtype[dt] = (c.bytesByDtype[dt] ?? 0) + b;
        c.totalBytes += Object.values(h.bytesByDtype).reduce((a, b) => a + b, 0);
        c.params = (c.params ?? 0) + h.params;
      } catch (err) {
        (c.problems ??= []).push(`${relative(root, f)}: ${(err as Error).message}`);
      }
    } else {
      // .pth/.bin are pickles: reading their tensors means unpickling; report the file size only.
      c.totalBytes += bytes;
    }
  }
  return c;
}

/** The LoRA in the README's --local-dir layout, or in the HF cache layout hf_hub_download uses (§2). */
async function findLora(root: string): Promise<string | null> {
  const direct = join(root, LORA_DIR, 'liveavatar.safetensors');
  if ((await size(direct)) !== null) return direct;
  const snaps = join(root, LORA_DIR, 'models--Quark-Vision--Live-Avatar', 'snapshots');
  for (const s of await list(snaps)) {
    const f = join(snaps, s, 'liveavatar.safetensors');
    if ((await size(f)) !== null) return f;
  }
  return null;
}

/**
 * Inspects a Live Avatar checkout: entry scripts, layouts its asserts allow, checkpoint components
 * with exact tensor bytes from safetensors headers, and the pieces that are missing (the six items of
 * docs/upstream-notes.md §6 #13 plus the LoRA and training config). Throws only if `dir` is unreadable.
 */
export async function inspectCheckout(dir: string, ckptDir?: string): Promise<CheckoutInfo> {
  const root = resolve(dir);
  await readdir(root);
  const ckpt = ckptDir ? resolve(root, ckptDir) : join(root, CKPT);
  const entryScripts: string[] = [];
  for (const e of ENTRIES) if ((await size(join(root, e))) !== null) entryScripts.push(e);

  const layouts: CheckoutLayout[] = [];
  for (const entry of [CLI, GRADIO]) {
    if (!entryScripts.includes(entry)) continue;
    layouts.push(...layoutsFor(entry, scanAsserts(await readFile(join(root, entry), 'utf8'))));
  }
  const missing: string[] = [];
  if (!entryScripts.includes(CLI)) missing.push(`entry script (${CLI})`);

  const ckptFiles = await list(ckpt);
  const shards = ckptFiles.filter((f) => /^diffusion_pytorch_model.*\.safetensors$/.test(f)).sort();
  const components: CheckpointComponent[] = [];
  const rel = (p: string) => relative(root, p) || '.';

  // The index names every shard; a missing one is a half-finished download.
  let expected: string[] = [];
  const index = await readFile(join(ckpt, 'diffusion_pytorch_model.safetensors.index.json'), 'utf8').catch(() => null);
  if (index) {
    try {
      expected = [...new Set(Object.values((JSON.parse(index) as { weight_map?: Record<string, string> }).weight_map ?? {}))];
    } catch {
      /* unreadable index: fall back to the files present */
    }
  }
  const dit = await component('dit', root, shards.map((f) => join(ckpt, f)));
  components.push(dit);
  const absentShards = expected.filter((f) => !shards.includes(f));
  if (!shards.length) missing.push(`DiT (${rel(ckpt)}/diffusion_pytorch_model-*.safetensors)`);
  else if (absentShards.length) missing.push(`DiT shards (${absentShards.join(', ')})`);
  if ((await size(join(ckpt, 'config.json'))) === null) missing.push(`DiT config (${rel(ckpt)}/config.json)`);

  const t5 = join(ckpt, 'models_t5_umt5-xxl-enc-bf16.pth');
  components.push(await component('t5', root, [t5]));
  if ((await size(t5)) === null) missing.push(`T5 (${rel(t5)})`);
  if (!(await isDir(join(ckpt, 'google', 'umt5-xxl')))) missing.push(`T5 tokenizer (${rel(ckpt)}/google/umt5-xxl/)`);

  const vae = join(ckpt, 'Wan2.1_VAE.pth');
  components.push(await component('vae', root, [vae]));
  if ((await size(vae)) === null) missing.push(`VAE (${rel(vae)})`);

  const w2v = join(ckpt, 'wav2vec2-large-xlsr-53-english');
  const w2vFiles = (await list(w2v)).filter((f) => /\.(safetensors|bin)$/.test(f));
  // Prefer safetensors when both exist: transformers loads that one.
  const w2vPick = w2vFiles.some((f) => f.endsWith('.safetensors')) ? w2vFiles.filter((f) => f.endsWith('.safetensors')) : w2vFiles;
  components.push(await component('wav2vec2', root, w2vPick.map((f) => join(w2v, f))));
  if (!w2vPick.length) missing.push(`wav2vec2 (${rel(w2v)}/)`);

  const lora = await findLora(root);
  components.push(await component('lora', root, lora ? [lora] : []));
  if (!lora) missing.push(`LoRA (${LORA_DIR}/liveavatar.safetensors)`);
  if ((await size(join(root, TRAINING_CONFIG))) === null) missing.push(`training config (${TRAINING_CONFIG})`);

  for (const c of components) if (c.problems?.length) missing.push(`${c.name}: ${c.problems.join('; ')}`);

  return {
    path: root,
    entryScripts,
    supportedModes: layouts.filter((l) => l.entry === CLI && l.allowed).map((l) => l.mode),
    layouts,
    components: components.filter((c) => c.files.length),
    missing,
    ckptDir: rel(ckpt),
    loraFile: lora ? rel(lora) : null,
  };
}
