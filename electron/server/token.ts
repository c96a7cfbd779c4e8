import { randomBytes } from 'node:crypto';

/**
 * Access tokens. A random one carries 256 bits. A user-chosen one must be able to carry 128: 22
 * or more characters of the URL-safe alphabet (6 bits each when random), so it can ride in
 * `?token=` unescaped; a string of few distinct characters (`aaaa…`, `0101…`) is refused as plainly
 * not random.
 */
export const MIN_TOKEN_CHARS = 22;
const MIN_DISTINCT = 8;
const TOKEN_RE = /^[A-Za-z0-9._~-]+$/;

export type TokenProblem = 'short' | 'charset' | 'weak';

export const newToken = (): string => randomBytes(32).toString('base64url');

export function tokenProblem(token: string): TokenProblem | null {
  if (token.length < MIN_TOKEN_CHARS) return 'short';
  if (!TOKEN_RE.test(token)) return 'charset';
  if (new Set(token).size < MIN_DISTINCT) return 'weak';
  return null;
}
