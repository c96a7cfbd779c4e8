import type { MemoryPart } from './types';
import type { ServerMemoryProfile } from '../recipes/types';

/**
 * The companion server's GPU (Step-Video's caption/VAE server, api/call_remote_server.py): it holds
 * both text encoders and the VAE for the whole run, answers caption requests at the start and
 * decodes rank 0's latents at the end. Its peak is the decode: the weights plus the decoded video's
 * working set. The parts are allocated bytes; memory.ts adds the CUDA context and allocator margin
 * as for any GPU. The sizes come from the recipe (ServerMemoryProfile) and are what the full-scale
 * rehearsal server allocates (resources/workloads/stepvideo/shapes.py), so a GPU run measures them.
 */
export function serverPhases(server: ServerMemoryProfile, video: { frames: number; height: number; width: number }): Record<string, MemoryPart[]> {
  const eb = server.elemBytes;
  const weights = [...server.textEncoders.map((t) => part(`weights.${t.name}`, t.params * eb)), part('weights.vae', server.vaeParams * eb)];
  // Decoded frames in fp32 while the decode works (× decodeCopies live copies), then uint8 out.
  const elems = Math.max(0, video.frames) * 3 * Math.max(0, video.height) * Math.max(0, video.width);
  const decode = elems * 4 * server.decodeCopies + elems;
  const caption = server.captionBytes;
  return {
    load: weights,
    caption: [...weights, part('caption_activations', caption)],
    decode: [...weights, part('vae_decode', decode)],
  };
}

const part = (key: string, bytes: number): MemoryPart => ({ key, bytes: Math.max(0, Math.round(bytes)) });
