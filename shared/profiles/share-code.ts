import { Unzlib, strFromU8, strToU8, zlibSync } from 'fflate';
import { canonicalJson } from './canonical';
import { parseProfileValue } from './migrate';
import type { FieldError, Profile } from './schema';

/**
 * The compact share code: `lav1.` + base64url(zlib(canonical JSON)). Text that survives chat apps
 * and forums (no `+ / =`), identical for equal profiles, and checked on the way back: zlib's
 * adler32 (verified here; fflate skips it) catches a truncated or altered code, and the decoded JSON goes through the same
 * validator as a file. Local state (`pinned`) is not shared.
 */
export const SHARE_PREFIX = 'lav1.';
/** A profile is a few KB; anything beyond these is not a profile (and not worth inflating). */
const MAX_CODE_CHARS = 200_000;
const MAX_JSON_BYTES = 1_000_000;

export function encodeShareCode(profile: Profile): string {
  const { pinned: _pinned, ...shared } = profile;
  return SHARE_PREFIX + toBase64Url(zlibSync(strToU8(canonicalJson(shared)), { level: 9 }));
}

export function looksLikeShareCode(text: string): boolean {
  return text.trim().startsWith(SHARE_PREFIX);
}

export type DecodeResult = { ok: true; profile: Profile } | { ok: false; errors: FieldError[] };

export function decodeShareCode(text: string): DecodeResult {
  const fail = (message: string, messageZh: string): DecodeResult => ({ ok: false, errors: [{ path: '(share code)', message, messageZh }] });
  // Codes pasted from chat often pick up line breaks or spaces; they carry no meaning here.
  const code = text.replace(/\s+/g, '');
  if (!code.startsWith(SHARE_PREFIX)) {
    const other = /^lav(\d+)\./.exec(code);
    return other
      ? fail(`share code version lav${other[1]} is not one this app reads (lav1); update the app`, `本应用读不了 lav${other[1]} 版分享码（只读 lav1）；请更新应用`)
      : fail(`a share code starts with "${SHARE_PREFIX}"`, `分享码以"${SHARE_PREFIX}"开头`);
  }
  if (code.length > MAX_CODE_CHARS) return fail(`too long for a share code (${code.length} characters; at most ${MAX_CODE_CHARS})`, `作为分享码太长了（${code.length} 个字符，上限 ${MAX_CODE_CHARS}）`);
  const body = code.slice(SHARE_PREFIX.length);
  const bad = /[^A-Za-z0-9_-]/.exec(body);
  if (bad) return fail(`character "${bad[0]}" at position ${SHARE_PREFIX.length + bad.index + 1} is not part of a share code (copy it again, whole)`, `第 ${SHARE_PREFIX.length + bad.index + 1} 个字符"${bad[0]}"不属于分享码（请重新完整复制）`);
  const bytes = fromBase64Url(body);
  if (!bytes) return fail('the code is cut short (its length is not a valid base64url length); copy it again, whole', '分享码不完整（长度不对）；请重新完整复制');
  let json: string;
  try {
    json = inflateLimited(bytes, MAX_JSON_BYTES);
  } catch (e) {
    if (e instanceof ShareCodeTooLarge) {
      return fail(`the code expands to more than ${MAX_JSON_BYTES / 1_000_000} MB, far more than any profile; it was not read`, `分享码解压后超过 ${MAX_JSON_BYTES / 1_000_000} MB，远超任何配置；已拒绝读取`);
    }
    return fail(`the code is damaged or incomplete (${(e as Error).message}); copy it again, whole`, `分享码损坏或不完整（${(e as Error).message}）；请重新完整复制`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return fail('the code decodes to something that is not a profile', '分享码解出来的不是配置');
  }
  const parsed = parseProfileValue(raw);
  return parsed.ok ? { ok: true, profile: parsed.profile } : { ok: false, errors: parsed.errors };
}

/**
 * Compressed bytes handed to the inflater per step. Deflate expands at most ~1032:1, so one slice
 * yields at most ~264 KB: the cap below is checked after every slice and a bomb is abandoned having
 * produced little more than the cap, instead of inflating all of it in one push first.
 */
const INFLATE_SLICE = 256;

/** The cap was hit while inflating (a decompression bomb or not a profile). */
export class ShareCodeTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`it expands past ${limit} bytes`);
  }
}

function inflateLimited(bytes: Uint8Array, limit: number): string {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    // Keep nothing past the cap; the loop below stops at the next slice boundary.
    if (total <= limit) chunks.push(chunk);
  });
  for (let at = 0; at < bytes.length; at += INFLATE_SLICE) {
    const end = Math.min(at + INFLATE_SLICE, bytes.length);
    inflater.push(bytes.subarray(at, end), end === bytes.length);
    if (total > limit) throw new ShareCodeTooLarge(limit);
  }
  if (bytes.length === 0) inflater.push(bytes, true);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  // fflate does not check zlib's trailing adler32, so a code altered in its last characters
  // would still inflate; check it here.
  const stored = bytes.length >= 4 ? ((bytes[bytes.length - 4]! << 24) | (bytes[bytes.length - 3]! << 16) | (bytes[bytes.length - 2]! << 8) | bytes[bytes.length - 1]!) >>> 0 : -1;
  if (stored !== adler32(out)) throw new Error('checksum mismatch');
  return strFromU8(out);
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]));

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 1 >= bytes.length ? 2 : i + 2 >= bytes.length ? 3 : 4;
    for (let j = 0; j < chars; j++) out += ALPHABET[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    const group = text.slice(i, i + 4);
    for (let j = 0; j < 4; j++) n = (n << 6) | (j < group.length ? LOOKUP.get(group[j]!)! : 0);
    const bytes = group.length - 1;
    for (let j = 0; j < bytes; j++) out[at++] = (n >> (16 - 8 * j)) & 255;
  }
  return out.subarray(0, at);
}
