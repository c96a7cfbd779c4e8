import type { MemoryProfile } from '../recipes/types';
import type { Values } from '../recipes/settings';

/**
 * Token geometry of one clip (upstream-notes §1.4, §3.7): H×W from the `--size` budget (16:9
 * reference image), fsl = (H/16)(W/16) tokens per latent frame, latent frames per clip, the rolling
 * KV length and the conditioning tokens 2.5·fsl.
 */
export interface Geometry {
  height: number;
  width: number;
  fsl: number;
  latentFrames: number;
  numBlocks: number;
  kvLen: number;
  condTokens: number;
  /** Conditioning tokens at the real size (the constraint uses these even for the tiny rehearsal). */
  fullCondTokens: number;
  blockTokens: number;
}

const MOTION_FRAMES = 73; // pixel motion frames (§3.1)
const LAT_MOTION_FRAMES = 19;
const FRAMES_PER_BLOCK = 3; // latent frames per causal block (§3.1)

export function sizeHw(profile: MemoryProfile, values: Values): [number, number] | null {
  if (values.height !== undefined && values.width !== undefined) return [Number(values.height), Number(values.width)];
  const size = values.size === undefined ? undefined : String(values.size);
  if (size && profile.sizeToHw?.[size]) return profile.sizeToHw[size];
  return profile.fixedHw ?? null;
}

export function geometry(profile: MemoryProfile, values: Values): Geometry {
  const full = sizeHw({ ...profile, fixedHw: undefined }, values) ?? profile.fixedHw ?? [384, 704];
  const [h, w] = profile.fixedHw ?? full;
  const px = profile.pixelsPerToken;
  const fsl = Math.floor(h / px) * Math.floor(w / px);
  const fullFsl = Math.floor(full[0] / px) * Math.floor(full[1] / px);
  const frames = Number(values.infer_frames ?? values.num_frames ?? 48);
  // Causal: upstream's (frames+3+73)//4 − 19 (TPP L944–948) = frames/4; full-seq: ceil(frames / temporal stride).
  const latentFrames =
    profile.family === 'causal-s2v'
      ? Math.floor((frames + 3 + MOTION_FRAMES) / profile.framesPerLatent) - LAT_MOTION_FRAMES
      : Math.ceil(frames / profile.framesPerLatent);
  const numBlocks = Math.floor(latentFrames / FRAMES_PER_BLOCK);
  return {
    height: h,
    width: w,
    fsl,
    latentFrames,
    numBlocks,
    kvLen: latentFrames * fsl,
    condTokens: Math.floor(2.5 * fsl),
    fullCondTokens: Math.floor(2.5 * fullFsl),
    blockTokens: FRAMES_PER_BLOCK * fsl,
  };
}

/** Upstream's clip count for an audio length (upstream-notes §5.4). */
export function clipsForAudio(seconds: number, inferFrames: number): number {
  const samples = Math.round(seconds * 16000);
  const tW2v = Math.max(0, Math.floor((samples - 400) / 320) + 1);
  const audioFrames = Math.floor(0.6 * tW2v);
  return Math.floor(audioFrames / (1.2 * inferFrames)) + 1;
}
