import { describe, expect, it } from 'vitest';
import { nodeNames, nodeSchema, parseNodeFlag, profileNodesSchema } from '../../../shared/nodes/schema';
import { judgePreflight, type NodeFacts, type NodeProbe } from '../../../shared/nodes/preflight';
import { sshArgv, shQuote } from '../../../electron/core/nodes/ssh';
import { profileSchema } from '../../../shared/profiles/schema';
import { profileToRunSpec, runSpecToProfile } from '../../../shared/profiles/spec';

/** Every node field reaches `ssh` or a remote shell; profiles from strangers are hostile. */
describe('node schema against hostile input', () => {
  it('refuses hosts that ssh would read as options, and shell text anywhere', () => {
    for (const host of ['-oProxyCommand=touch /tmp/x', '-p22', 'a b', 'a;id', '$(id)', '`id`', 'host\nx', '.hidden', '']) {
      expect(nodeSchema.safeParse({ host }).success, host).toBe(false);
    }
    for (const user of ['-l', 'a b', "o'neil", 'root;id']) expect(nodeSchema.safeParse({ host: 'a', user }).success, user).toBe(false);
    for (const python of ['python', 'rel/python3', '/usr/bin/python3 -c x', "/x'y", '/x$(id)', '/x;y']) {
      expect(nodeSchema.safeParse({ host: 'a', python }).success, python).toBe(false);
    }
    expect(nodeSchema.safeParse({ host: 'gpu-b.lab.example', user: 'alice', port: 2222, gpus: 4, python: '/opt/conda/envs/la/bin/python', checkout: '/home/alice/LiveAvatar' }).success).toBe(true);
    expect(nodeSchema.safeParse({ host: '[fe80::1]' }).success).toBe(true);
  });

  it('a profile may name machines but not which program or folder runs on them', () => {
    expect(profileNodesSchema.safeParse([{ host: 'a' }, { host: 'b', python: '/usr/bin/python3' }]).success).toBe(false);
    const base = { format: 'lavprofile', version: 2, name: 'x', recipe: 'rehearsal', mode: 'tpp-4gpu' };
    expect(profileSchema.safeParse({ ...base, nodes: [{ host: 'a', gpus: 2 }, { host: 'b', gpus: 2 }] }).success).toBe(true);
    expect(profileSchema.safeParse({ ...base, nodes: [{ host: '-oProxyCommand=x' }, { host: 'b' }] }).success).toBe(false);
  });

  it('a profile\'s nodes reach the run spec; a spec saved as a profile keeps the hosts, not their programs', () => {
    const profile = profileSchema.parse({ format: 'lavprofile', version: 2, name: 'x', recipe: 'rehearsal', mode: 'tpp-4gpu', nodes: [{ host: 'a', gpus: 2 }, { host: 'b', user: 'alice', gpus: 2 }] });
    expect(profileToRunSpec(profile).nodes).toEqual([{ host: 'a', gpus: 2 }, { host: 'b', user: 'alice', gpus: 2 }]);
    const back = runSpecToProfile({ recipe: 'rehearsal', mode: 'tpp-4gpu', settings: {}, nodes: [{ host: 'a', python: '/usr/bin/python3', checkout: '/src' }, { host: 'b' }] }, 'y');
    expect(back.nodes).toEqual([{ host: 'a' }, { host: 'b' }]);
  });

  it('--node [USER@]HOST[:NPROC]', () => {
    expect(parseNodeFlag('alice@gpu-a:4')).toEqual({ node: { host: 'gpu-a', user: 'alice', gpus: 4 } });
    expect(parseNodeFlag('gpu-b')).toEqual({ node: { host: 'gpu-b' } });
    expect('error' in parseNodeFlag('-oProxyCommand=x')).toBe(true);
    expect('error' in parseNodeFlag('a:b:c')).toBe(true);
  });

  it('node names are file-safe and unique', () => {
    expect(nodeNames([{ host: 'gpu-a' }, { host: 'gpu-a' }, { host: '[fe80::1]' }])).toEqual(['gpu-a', 'gpu-a-2', 'fe80__1_']);
  });

  it('ssh argv: options end before the host, the remote command is quoted word by word', () => {
    const argv = sshArgv({ host: 'gpu-b', user: 'alice', port: 2222 }, ['/usr/bin/python3', '-c', "print('x')", '$(id)']);
    expect(argv.slice(0, 4)).toEqual(['ssh', '-T', '-o', 'BatchMode=yes']);
    expect(argv.slice(-3, -1)).toEqual(['--', 'gpu-b']);
    expect(argv.at(-1)).toBe(`exec '/usr/bin/python3' '-c' 'print('\\''x'\\'')' '$(id)'`);
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('preflight verdict', () => {
  const facts = (over: Partial<NodeFacts> = {}): NodeFacts => ({
    hostname: 'n', python: '3.11.2', executable: '/usr/bin/python3', torch: '2.8.0+cu128', nccl: '2.27.3', cuda: true,
    gpus: [{ name: 'RTX 4090', totalBytes: 24e9, freeBytes: 23e9 }, { name: 'RTX 4090', totalBytes: 24e9, freeBytes: 23e9 }],
    resolved: ['10.0.0.1'], route: 'eth0', interfaces: ['eth0', 'lo'], ifnamesMissing: [], shmBytes: 8e9, diskFreeBytes: 100e9, time: 0, ...over,
  });
  const node = (name: string, f: NodeFacts, over: Partial<NodeProbe> = {}): NodeProbe => ({ name, host: name, ranks: 2, facts: f, clockOffsetSec: 0, reach: { ok: true }, ...over });

  it('all good: per-node interfaces and the port', () => {
    const v = judgePreflight({ nodes: [node('a', facts()), node('b', facts({ route: 'eno1' }))], rdzvHost: 'a', port: { port: 29500, free: true }, needsGpus: true });
    expect(v.ok).toBe(true);
    expect(v.ifnames).toEqual(['eth0', 'eno1']);
    expect(v.port).toBe(29500);
  });

  it('NCCL versions differ, too few GPUs, tiny /dev/shm, a clock 5 s off, unreachable port, ssh host key', () => {
    const v = judgePreflight({
      nodes: [
        node('a', facts({ shmBytes: 64 * 1024 ** 2 })),
        node('b', facts({ nccl: '2.21.5', gpus: [] }), { clockOffsetSec: 5, reach: { ok: false, error: 'TimeoutError: timed out' } }),
        { name: 'c', host: 'c', ranks: 1, sshError: { code: 255, stderr: 'Host key verification failed.' } },
      ],
      rdzvHost: 'a',
      port: { port: 29500, free: true },
      needsGpus: true,
    });
    expect(v.ok).toBe(false);
    const ids = v.checks.filter((c) => c.status !== 'ok').map((c) => `${c.id}@${c.node}`);
    expect(ids).toEqual(expect.arrayContaining(['shm@a', 'gpuCount@b', 'clock@b', 'portBlocked@b', 'sshHostKey@c', 'ncclMismatch@null']));
  });
});
