import { afterAll, beforeAll } from 'vitest';
import { execaSync } from 'execa';
import { chmodSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type tempDir } from '../../support/temp';
import { createCore, type Core } from '../../../electron/core/app';

/**
 * Test machines for multi-node runs: network namespaces with their own sshd, host name and PID
 * namespace (scripts/netns/up.sh). They need root and a kernel that allows namespaces; where that
 * is missing the suites skip and say so in their titles.
 */
export const STATE = '/tmp/lal-netns-test';
export const SSH_CONFIG = join(STATE, 'ssh_config');
export const SYS_PYTHON = '/usr/bin/python3';

export function namespacesUsable(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  const r = execaSync('ip', ['netns', 'add', 'lal-probe-ns'], { reject: false });
  if (r.exitCode !== 0) return { ok: false, why: `ip netns add failed: ${String(r.stderr).trim()}` };
  execaSync('ip', ['netns', 'del', 'lal-probe-ns'], { reject: false });
  for (const tool of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/unshare']) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install -y openssh-server openssh-client util-linux iproute2 (.ci/run does this)`);
  }
  return { ok: true, why: '' };
}

/** A set of test machines: `<prefix>-n<i>` at 10.231.<subnet>.(10+i); two sets (suites running at once) never meet. */
export interface TestNet {
  prefix: string;
  state: string;
  sshConfig: string;
  host(i: number): string;
  up(n?: number): void;
  down(): void;
}

export function testNet(prefix: string, subnet: number, state: string): TestNet {
  const env = { LAL_NETNS_PREFIX: prefix, LAL_NETNS_SUBNET: String(subnet) };
  return {
    prefix,
    state,
    sshConfig: join(state, 'ssh_config'),
    host: (i) => `${prefix}-n${i}`,
    up: (n = 2) => {
      const r = execaSync(join(repoRoot, 'scripts/netns/up.sh'), [String(n), state], { reject: false, env });
      if (r.exitCode !== 0) throw new Error(`scripts/netns/up.sh failed: ${String(r.stderr)}`);
    },
    down: () => void execaSync(join(repoRoot, 'scripts/netns/down.sh'), [state], { reject: false, env }),
  };
}

/**
 * For one describe block: `n` machines up, then a core whose ssh reads `sshConfig()` (LAL_SSH_CONFIG,
 * restored after), all torn down after the last test. `prepare` runs once the machines are up.
 */
export function coreOnNet(net: TestNet, dir: ReturnType<typeof tempDir>, opts: { n: number; sshConfig: () => string; prepare?: () => void }): () => Core {
  let core: Core | undefined;
  const saved = process.env.LAL_SSH_CONFIG;
  beforeAll(() => {
    net.up(opts.n);
    mkdirSync(dir.path, { recursive: true });
    opts.prepare?.();
    process.env.LAL_SSH_CONFIG = opts.sshConfig();
    core = createCore({ transport: 'in-process', dataDir: join(dir.path, 'data'), resourcesDir: join(repoRoot, 'resources') });
  }, 60_000);
  afterAll(async () => {
    await core?.dispose();
    if (saved === undefined) delete process.env.LAL_SSH_CONFIG;
    else process.env.LAL_SSH_CONFIG = saved;
    net.down();
    dir.remove();
  });
  return () => {
    if (!core) throw new Error('coreOnNet: the core is made in beforeAll');
    return core;
  };
}

/** The integration suites' machines (lal-n0, lal-n1); the browser suite has its own (test/e2e/multinode.test.ts). */
const INTEGRATION = testNet('lal', 0, STATE);
export const netnsUp = (n = 2): void => INTEGRATION.up(n);
export const netnsDown = (): void => INTEGRATION.down();

/** Runs a command inside node i's network namespace (nft rules, links). */
export function inNode(i: number, argv: string[]): void {
  execaSync('ip', ['netns', 'exec', `lal-n${i}`, ...argv]);
}

/** A node interpreter that waits `sec` seconds before starting the run's agent (`-u`), not the preflight probe. */
export function latePython(sec: number): string {
  mkdirSync(STATE, { recursive: true });
  const p = join(STATE, `late-python-${sec}`);
  writeFileSync(p, `#!/bin/sh\n[ "$1" = "-u" ] && sleep ${sec}\nexec ${SYS_PYTHON} "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}

/** A node interpreter whose torch reports another version (as a node with a different install would). */
export function otherTorchPython(version: string): string {
  const dir = join(STATE, 'other-torch');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sitecustomize.py'), `import torch\ntorch.__version__ = ${JSON.stringify(version)}\n`);
  const p = join(STATE, 'other-torch-python');
  writeFileSync(p, `#!/bin/sh\nPYTHONPATH=${dir} exec ${SYS_PYTHON} "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}
