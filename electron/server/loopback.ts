import { BlockList, isIP } from 'node:net';

/**
 * Loopback by the address itself: 127.0.0.0/8, ::1 in any spelling, and IPv4-mapped ::ffff:127.x.
 * node's BlockList parses the address, so `127.evil.example` or `::1.example` never pass as text.
 */
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** True for a loopback IP literal or the name `localhost` (which resolves only locally). */
export function isLoopback(host: string): boolean {
  const h = unbracket(host.trim()).toLowerCase();
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 4) return loopback.check(h, 'ipv4');
  if (family === 6) return loopback.check(h, 'ipv6');
  return false;
}

/** `name`, `name:port`, `[v6]` or `[v6]:port`, as a Host header carries it; null when malformed. */
export function parseHostHeader(value: string | undefined): { hostname: string; port: number | null } | null {
  if (!value || value.length > 300) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && port > 65535) return null;
  return { hostname: unbracket(m[1]).toLowerCase(), port };
}

/**
 * A request addressed to this server by a loopback name and its own port. A DNS-rebinding page
 * reaches 127.0.0.1 under its own name, and the browser then sends that name as Host.
 */
export function hostHeaderOk(value: string | undefined, port: number): boolean {
  const h = parseHostHeader(value);
  if (!h || !isLoopback(h.hostname)) return false;
  return h.port === null ? port === 80 : h.port === port;
}
