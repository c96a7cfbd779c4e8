import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Length of a PCM WAV file in seconds, from its RIFF header (fmt byte rate, data chunk size), or
 * null when it is not one. Upstream derives the clip count from the driving audio and caps it by
 * --num_clip (upstream-notes §5.4); without this, clip i/N would show the 10000 of the shipped
 * scripts' --num_clip.
 */
export function wavSeconds(file: string): number | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
    let pos = 12;
    let byteRate = 0;
    const chunk = Buffer.alloc(8);
    for (let i = 0; i < 64; i++) {
      if (readSync(fd, chunk, 0, 8, pos) < 8) return null;
      const id = chunk.toString('ascii', 0, 4);
      const size = chunk.readUInt32LE(4);
      if (id === 'fmt ') {
        const fmt = Buffer.alloc(16);
        if (readSync(fd, fmt, 0, 16, pos + 8) < 16) return null;
        byteRate = fmt.readUInt32LE(8);
      } else if (id === 'data') {
        return byteRate > 0 ? size / byteRate : null;
      }
      pos += 8 + size + (size % 2);
    }
    return null;
  } finally {
    closeSync(fd);
  }
}
