import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from '../../../electron/core/app';
import { encodeShareCode } from '../../../shared/profiles/share-code';
import { nodesNeedingConsent } from '../../../shared/nodes/consent';
import type { RunSpec } from '../../../shared/run/types';
import { lal } from '../../support/cli';
import { repoRoot, tempDir } from '../../support/temp';
import { profile } from '../profiles/helpers';

/**
 * Hostile profiles with nodes (issue 18, threat model): a profile file, share code or launch script
 * that lists machines must not make the launcher ssh anywhere until the user agrees to each host.
 * `ssh` here is a stand-in first on PATH that only records that it was called: any call before
 * consent fails the test.
 */
const dir = tempDir('lal-node-consent-');
const bin = join(dir.path, 'bin');
const sshLog = join(dir.path, 'ssh-calls.log');
const sshCalls = () => (existsSync(sshLog) ? readFileSync(sshLog, 'utf8').trim().split('\n').filter(Boolean) : []);
const PATH = `${bin}:${process.env.PATH}`;
const hostile = profile({ name: 'friendly', mode: 'tpp-4gpu', settings: { device: 'cpu', scale: 'tiny' }, nodes: [{ host: 'attacker.example', user: 'root' }, { host: 'victim-b', gpus: 2 }] });
const spec: RunSpec = { recipe: 'rehearsal', mode: 'tpp-4gpu', settings: { device: 'cpu', scale: 'tiny' }, nodes: [{ host: 'attacker.example' }, { host: 'victim-b' }] };
const env = () => ({ PATH, LAL_DATA_DIR: join(dir.path, 'data'), LAL_LANG: 'en', LAL_SSH_CONFIG: '/dev/null' });

beforeAll(() => {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\necho "ssh $*" >> '${sshLog}'\nexit 255\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
});
afterAll(() => dir.remove());

describe('nodes need the user’s consent before any ssh', () => {
  it('matching is by host, case-insensitive, IPv6 brackets optional; each host once', () => {
    expect(nodesNeedingConsent([{ host: 'A' }, { host: 'b' }, { host: 'b' }, { host: '[fd00::1]' }], ['a', 'fd00::1'])).toEqual(['b']);
    expect(nodesNeedingConsent(undefined, [])).toEqual([]);
  });

  it('`lal run --profile FILE` whose profile lists nodes: exit 2, CONSENT_REQUIRED naming every host; no ssh', async () => {
    const file = join(dir.path, 'friendly.lavprofile.json');
    writeFileSync(file, JSON.stringify(hostile));
    for (const extra of [[], ['--dry-run']]) {
      const r = await lal(['run', '--profile', file, '--json', ...extra], { env: env() });
      expect(r.exitCode, String(r.stderr)).toBe(2);
      // The CLI's JSON error: the message, the exit code, and the refusal's details (the hosts).
      const err = JSON.parse(String(r.stdout || r.stderr).trim().split('\n').pop()!) as { error: { message: string; exitCode: number; details: { nodes: string[] } } };
      expect(err.error).toMatchObject({ exitCode: 2, details: { nodes: ['attacker.example', 'victim-b'] } });
      expect(err.error.message).toContain('connects over ssh to machines its profile lists');
    }
    const plain = await lal(['run', '--profile', file], { env: env() });
    expect(plain.exitCode).toBe(2);
    expect(String(plain.stderr)).toContain('attacker.example, victim-b');
    expect(String(plain.stderr)).toContain('--allow-node attacker.example');
    // One host allowed is not both.
    const one = await lal(['run', '--profile', file, '--dry-run', '--allow-node', 'victim-b'], { env: env() });
    expect(one.exitCode).toBe(2);
    expect(String(one.stderr)).toContain('attacker.example');
    expect(String(one.stderr)).not.toContain('victim-b.');
    expect(sshCalls()).toEqual([]);
  }, 60_000);

  it('a share code with nodes: the import preview lists the hosts; running the code still asks', async () => {
    const code = encodeShareCode(hostile);
    const pre = await lal(['profile', 'import', code], { env: env() });
    expect(String(pre.stdout)).toContain('This profile runs on other machines over ssh: attacker.example, victim-b');
    const pj = await lal(['profile', 'import', code, '--json'], { env: env() });
    expect(JSON.parse(String(pj.stdout)).nodeHosts ?? JSON.parse(String(pj.stdout)).preview?.nodeHosts).toEqual(['attacker.example', 'victim-b']);
    const file = join(dir.path, 'code.txt');
    writeFileSync(file, code);
    const r = await lal(['run', '--profile', file, '--dry-run'], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('connects over ssh to machines its profile lists: attacker.example, victim-b');
    expect(sshCalls()).toEqual([]);
  }, 60_000);

  it('a launch script naming a rendezvous elsewhere never becomes nodes', async () => {
    const sh = join(dir.path, 'launch.sh');
    writeFileSync(sh, '#!/bin/bash\ntorchrun --nnodes 2 --nproc_per_node 2 --rdzv_backend c10d --rdzv_endpoint attacker.example:29500 minimal_inference/batch_eval.py --size "704*384"\n');
    const r = await lal(['profile', 'import', sh, '--json'], { env: env() });
    expect(String(r.stdout)).not.toContain('nodeHosts');
    expect(sshCalls()).toEqual([]);
  }, 60_000);

  it('--node typed by the user is consent (dry run plans the multi-node driver), and --allow-node for each host is too', async () => {
    const typed = await lal(['run', '--recipe', 'rehearsal', '--mode', 'tpp-4gpu', '--set', 'device=cpu', '--set', 'scale=tiny', '--node', 'root@host-a:2', '--node', 'host-b:2', '--dry-run', '--json'], { env: env() });
    expect(typed.exitCode, String(typed.stderr)).toBe(0);
    expect(String(typed.stdout)).toContain('lal_nodes.py');
    const file = join(dir.path, 'friendly2.lavprofile.json');
    writeFileSync(file, JSON.stringify(hostile));
    const allowed = await lal(['run', '--profile', file, '--dry-run', '--json', '--allow-node', 'attacker.example', '--allow-node', 'VICTIM-B'], { env: env() });
    expect(allowed.exitCode, String(allowed.stderr)).toBe(0);
    expect(sshCalls()).toEqual([]);
  }, 60_000);

  describe('in process (the app and the server use the same core)', () => {
    let core: Core;
    const savedPath = process.env.PATH;
    beforeAll(() => {
      process.env.PATH = PATH;
      process.env.LAL_SSH_CONFIG = '/dev/null';
      core = createCore({ transport: 'in-process', dataDir: join(dir.path, 'inproc'), resourcesDir: join(repoRoot, 'resources') });
    });
    afterAll(async () => {
      process.env.PATH = savedPath;
      delete process.env.LAL_SSH_CONFIG;
      await core.dispose();
    });

    it('planRun, startRun and preflightNodes refuse with CONSENT_REQUIRED naming `nodes` and the hosts, in the asked language; no ssh', async () => {
      for (const call of [() => core.api.planRun({ spec }), () => core.api.startRun({ spec, lang: 'en' }), () => core.api.preflightNodes({ spec, lang: 'en' }), () => core.api.startRun({ spec, allowNodes: ['victim-b'] })]) {
        await expect(call()).rejects.toMatchObject({ error: { code: 'CONSENT_REQUIRED', field: 'nodes', details: { nodes: expect.arrayContaining(['attacker.example']) } } });
      }
      const zh = await core.api.startRun({ spec, lang: 'zh-CN' }).catch((e: { error: { message: string } }) => e.error.message);
      expect(zh).toContain('此运行会通过 ssh 连接');
      expect(sshCalls()).toEqual([]);
    });

    it('with both hosts allowed the gate opens: the plan is built, and the preflight goes on to ssh', async () => {
      const allowNodes = ['attacker.example', 'victim-b'];
      const plan = await core.api.planRun({ spec, allowNodes });
      expect(plan.argv.join(' ')).toContain('lal_nodes.py');
      const pf = await core.api.preflightNodes({ spec, allowNodes, lang: 'en' });
      expect(pf.ok).toBe(false);
      expect(sshCalls().some((l) => l.includes('attacker.example'))).toBe(true);
      rmSync(sshLog, { force: true });
    });
  });
});
