/**
 * Parameter counts of the Wan2.2-S2V-14B family from its dimensions, per the formulas in
 * upstream-notes §3.1 (DiT), §3.2 (umT5-XXL encoder), §3.5 (LoRA) and §3.6 (fp8 elements).
 * The full-size results are pinned by tests (16,295,755,609 DiT params etc.); the rehearsal's tiny
 * scale uses the same formulas on toy dimensions (resources/workloads/lalwork/shapes.py TINY).
 */
export interface S2vDims {
  dim: number;
  ffnDim: number;
  numHeads: number;
  headDim: number;
  numLayers: number;
  textDim: number;
  freqDim: number;
  inDim: number;
  injectors: number;
  condParams: number;
  audioEncoderParams: number;
  framepackParams: number;
  t5Vocab: number;
  t5Dim: number;
  t5Ffn: number;
  t5Layers: number;
  t5Heads: number;
  t5Buckets: number;
  vaeParams: number;
  wav2vecParams: number;
  loraRank: number;
}

export const S2V_14B: S2vDims = {
  dim: 5120, ffnDim: 13824, numHeads: 40, headDim: 128, numLayers: 40, textDim: 4096, freqDim: 256, inDim: 16,
  injectors: 12, condParams: 348_160, audioEncoderParams: 95_051_545, framepackParams: 23_936_000,
  t5Vocab: 256_384, t5Dim: 4096, t5Ffn: 10_240, t5Layers: 24, t5Heads: 64, t5Buckets: 32,
  vaeParams: 126_892_531, wav2vecParams: 315_000_000, loraRank: 128,
};

/** The rehearsal's `--scale tiny` toy model (same code, CI-sized). */
export const S2V_TINY: S2vDims = {
  dim: 64, ffnDim: 128, numHeads: 4, headDim: 16, numLayers: 4, textDim: 32, freqDim: 16, inDim: 16,
  injectors: 2, condParams: 1_000, audioEncoderParams: 2_000, framepackParams: 1_000,
  t5Vocab: 512, t5Dim: 32, t5Ffn: 64, t5Layers: 2, t5Heads: 4, t5Buckets: 32,
  vaeParams: 5_000, wav2vecParams: 3_000, loraRank: 4,
};

/** Self-attention (q,k,v,o with bias, plus q/k RMSNorm weights). Cross-attention has the same size. */
const attnParams = (d: S2vDims) => 4 * (d.dim * d.dim + d.dim) + 2 * d.dim;

export function blockParams(d: S2vDims): number {
  const ffn = d.dim * d.ffnDim + d.ffnDim + d.ffnDim * d.dim + d.dim;
  return 2 * attnParams(d) + 2 * d.dim + ffn + 6 * d.dim;
}

export function injectorParams(d: S2vDims): number {
  return attnParams(d) + 2 * d.dim * d.dim + 2 * d.dim;
}

export function ditParams(d: S2vDims): number {
  const D = d.dim;
  const embeddings = d.inDim * 4 * D + D + (d.textDim * D + D) + (D * D + D) + (d.freqDim * D + D) + (D * D + D) + D * 6 * D + 6 * D;
  const head = D * d.inDim * 4 + d.inDim * 4 + 2 * D;
  return d.numLayers * blockParams(d) + d.injectors * injectorParams(d) + embeddings + head + d.condParams + d.audioEncoderParams + d.framepackParams;
}

/** Linear weight elements that `--fp8` stores as float8 (8 D² + 2 D·F per block, 6 D² per injector). */
export function ditFp8Params(d: S2vDims): number {
  return d.numLayers * (8 * d.dim * d.dim + 2 * d.dim * d.ffnDim) + d.injectors * 6 * d.dim * d.dim;
}

export function t5Params(d: S2vDims): number {
  const layer = 4 * d.t5Dim * d.t5Dim + 3 * d.t5Dim * d.t5Ffn + 2 * d.t5Dim + d.t5Buckets * d.t5Heads;
  return d.t5Vocab * d.t5Dim + d.t5Layers * layer + d.t5Dim;
}

export function loraParams(d: S2vDims): number {
  const r = d.loraRank;
  return d.numLayers * (8 * r * (2 * d.dim) + 2 * r * (d.dim + d.ffnDim)) + d.injectors * 4 * r * (2 * d.dim);
}
