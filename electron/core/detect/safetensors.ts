import { open } from 'node:fs/promises';

export interface SafetensorsSummary {
  bytesByDtype: Record<string, number>;
  params: number;
  tensors: number;
}

/** Bytes per element of each safetensors dtype (safetensors spec); used to count parameters. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8, F4: 0.5, F6_E2M3: 0.75, F6_E3M2: 0.75,
};

/** Guard against a corrupt length field making us read gigabytes: real headers are a few MB. */
const MAX_HEADER = 100 * 1024 * 1024;

export class SafetensorsError extends Error {}

/**
 * Tensor bytes by dtype from a .safetensors header only: an 8-byte little-endian header length,
 * then that many bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`.
 * The weights are never read. Offsets are checked against the file size, so a truncated download
 * is reported instead of silently counted.
 */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsSummary> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size < 8) throw new SafetensorsError(`${size} bytes: too short for a safetensors file`);
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const len = lenBuf.readBigUInt64LE(0);
    if (len > BigInt(Math.min(MAX_HEADER, size - 8))) throw new SafetensorsError(`header length ${len} does not fit in ${size} bytes`);
    const n = Number(len);
    const buf = Buffer.alloc(n);
    await fh.read(buf, 0, n, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new SafetensorsError('header is not JSON');
    }
    const dataSize = size - 8 - n;
    const out: SafetensorsSummary = { bytesByDtype: {}, params: 0, tensors: 0 };
    let maxEnd = 0;
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const t = v as { dtype?: unknown; data_offsets?: unknown };
      const off = t.data_offsets;
      if (typeof t.dtype !== 'string' || !Array.isArray(off) || off.length !== 2 || typeof off[0] !== 'number' || typeof off[1] !== 'number' || off[1] < off[0]) {
        throw new SafetensorsError(`tensor ${name}: bad dtype or data_offsets`);
      }
      const bytes = off[1] - off[0];
      out.bytesByDtype[t.dtype] = (out.bytesByDtype[t.dtype] ?? 0) + bytes;
      const per = DTYPE_BYTES[t.dtype];
      if (per) out.params += bytes / per;
      out.tensors++;
      maxEnd = Math.max(maxEnd, off[1]);
    }
    if (maxEnd > dataSize) throw new SafetensorsError(`tensors need ${maxEnd} bytes but the file holds ${dataSize} (truncated download?)`);
    return out;
  } finally {
    await fh.close();
  }
}
