import type { NodeSpec } from '../../../shared/nodes/schema';

/**
 * The system OpenSSH client, argv only. BatchMode: keys come from the user's agent and config and
 * a password prompt can never appear (none is ever stored). `--` ends ssh's options, so even a host
 * that slipped past the schema could not be read as one. The remote side always gets a command
 * string for its login shell; every part of it is single-quoted here and was validated first
 * (shared/nodes/schema.ts), so no value is ever interpreted by that shell.
 */
export interface SshOptions {
  /** `-F FILE`: a config other than the user's default (tests). */
  config?: string | null;
  extra?: string[];
  connectTimeoutSec?: number;
}

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function sshArgv(node: Pick<NodeSpec, 'host' | 'user' | 'port'>, remote: string[], opts: SshOptions = {}): string[] {
  return [
    'ssh', '-T',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${opts.connectTimeoutSec ?? 5}`,
    ...(opts.config ? ['-F', opts.config] : []),
    ...(opts.extra ?? []),
    ...(node.port ? ['-p', String(node.port)] : []),
    ...(node.user ? ['-l', node.user] : []),
    '--', node.host,
    ['exec', ...remote.map(shQuote)].join(' '),
  ];
}
