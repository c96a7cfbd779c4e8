import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { ApiFailure } from '../../../shared/api/result';
import { nodeSchema } from '../../../shared/nodes/schema';
import { sshConfigFromEnv } from './prepare';

/**
 * "Trust this host key" (issue 18: unknown host keys need the user's consent once). scanHostKey
 * asks the machine for its keys with `ssh-keyscan` and shows their SHA256 fingerprints, the same
 * form `ssh` prints, so the user can compare them with what the machine's owner reads from
 * `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`. trustHostKey scans again and appends only
 * the key whose fingerprint the user confirmed: a key that changed in between is refused. Where
 * the key goes, the real address and port come from the user's ssh config (`ssh -G`), so an alias
 * with HostName, Port or UserKnownHostsFile is handled as ssh itself will read it.
 */
export interface HostKeyInfo {
  type: string;
  fingerprint: string;
}

export interface HostKeyScan {
  host: string;
  address: string;
  port: number;
  knownHostsFile: string;
  keys: HostKeyInfo[];
}

interface Target {
  host: string;
  port?: number;
}

export const fingerprintOf = (base64: string): string => `SHA256:${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64').replace(/=+$/, '')}`;

function checkHost(t: Target): void {
  const r = nodeSchema.pick({ host: true, port: true }).safeParse({ host: t.host, ...(t.port ? { port: t.port } : {}) });
  if (!r.success) throw new ApiFailure({ code: 'BAD_INPUT', field: 'host', message: r.error.issues[0]?.message ?? 'not a host name' });
}

async function effective(t: Target, config: string | null): Promise<{ address: string; port: number; knownHosts: string; alias: string | null }> {
  const r = await execa('ssh', ['-G', ...(config ? ['-F', config] : []), ...(t.port ? ['-p', String(t.port)] : []), '--', t.host], { reject: false, timeout: 10_000, stdin: 'ignore' });
  const get = (key: string): string | undefined => String(r.stdout ?? '').split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1).trim();
  const file = (get('userknownhostsfile') ?? '~/.ssh/known_hosts').split(/\s+/)[0]!.replace(/^~(?=\/)/, homedir());
  const alias = get('hostkeyalias');
  return { address: get('hostname') ?? t.host, port: Number(get('port') ?? 22) || 22, knownHosts: file, alias: alias && alias !== 'none' ? alias : null };
}

async function keyscan(address: string, port: number): Promise<{ type: string; key: string }[]> {
  const r = await execa('ssh-keyscan', ['-T', '5', '-p', String(port), '--', address], { reject: false, timeout: 20_000, stdin: 'ignore' });
  const keys: { type: string; key: string }[] = [];
  for (const line of String(r.stdout ?? '').split('\n')) {
    const m = /^\S+ ((?:ssh|ecdsa|sk)-[\w@.-]+) ([A-Za-z0-9+/]+=*)$/.exec(line.trim());
    if (m) keys.push({ type: m[1]!, key: m[2]! });
  }
  return keys;
}

export async function scanHostKey(t: Target, config: string | null = sshConfigFromEnv()): Promise<HostKeyScan> {
  checkHost(t);
  const e = await effective(t, config);
  const keys = await keyscan(e.address, e.port);
  if (!keys.length) throw new ApiFailure({ code: 'UNAVAILABLE', field: 'host', message: `no host key from ${t.host} (${e.address}:${e.port}): is its ssh server reachable?` });
  return { host: t.host, address: e.address, port: e.port, knownHostsFile: e.knownHosts, keys: keys.map((k) => ({ type: k.type, fingerprint: fingerprintOf(k.key) })) };
}

export async function trustHostKey(t: Target & { fingerprint: string }, config: string | null = sshConfigFromEnv()): Promise<{ added: HostKeyInfo; knownHostsFile: string }> {
  checkHost(t);
  const e = await effective(t, config);
  const key = (await keyscan(e.address, e.port)).find((k) => fingerprintOf(k.key) === t.fingerprint);
  if (!key) throw new ApiFailure({ code: 'CONFLICT', field: 'fingerprint', message: `${t.host} no longer offers the key ${t.fingerprint}: scan it again and compare before trusting it` });
  // The names ssh will look up: the alias if the config sets one, else what the user typed and the address.
  const names = e.alias ? [e.alias] : [...new Set([t.host, e.address])];
  const entry = names.map((n) => (e.port === 22 ? n : `[${n}]:${e.port}`)).join(',');
  let existing = '';
  try {
    existing = readFileSync(e.knownHosts, 'utf8');
  } catch {
    mkdirSync(dirname(e.knownHosts), { recursive: true, mode: 0o700 });
  }
  const line = `${entry} ${key.type} ${key.key}`;
  if (!existing.split('\n').includes(line)) appendFileSync(e.knownHosts, (existing && !existing.endsWith('\n') ? '\n' : '') + line + '\n', { mode: 0o600 });
  return { added: { type: key.type, fingerprint: t.fingerprint }, knownHostsFile: e.knownHosts };
}
