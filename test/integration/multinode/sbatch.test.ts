import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { repoRoot, tempDir } from '../../support/temp';
import { exportProfileText } from '../../../electron/core/profiles/export';
import type { Profile } from '../../../shared/profiles/schema';

/**
 * `lal profile export --format sbatch` (issue 18): the script parses (`bash -n`), and it runs: stub
 * `sbatch`, `srun` and `scontrol` execute it on this machine, one torchrun per "node", both meeting
 * at the same c10d rendezvous — the rehearsal on CPU, 2 nodes × 2 ranks.
 */
const PWNED = '/tmp/lal-sbatch-pwned';
const profile: Profile = {
  format: 'lavprofile',
  version: 2,
  name: 'two boxes',
  recipe: 'rehearsal',
  mode: 'tpp-4gpu',
  inputs: { prompt: `it's $(touch ${PWNED}) \`touch ${PWNED}\`` },
  settings: { device: 'cpu', scale: 'tiny', num_clip: 1 },
  env: {},
  nodes: [{ host: 'gpu-a' }, { host: 'gpu-b' }],
};

describe('sbatch export of a profile with nodes', () => {
  const dir = tempDir('lal-sbatch-');
  afterAll(() => dir.remove());
  const text = exportProfileText(profile, 'sbatch', { resourcesDir: join(repoRoot, 'resources'), checkoutPath: null }).text;

  it('names the allocation and starts torchrun with one c10d rendezvous through srun', () => {
    expect(text).toMatch(/^#SBATCH --nodes=2$/m);
    expect(text).toMatch(/^#SBATCH --nodelist=gpu-a,gpu-b$/m);
    expect(text).toContain('srun --ntasks-per-node=1 --kill-on-bad-exit=1 torchrun');
    expect(text).toContain('--rdzv_backend=c10d');
    expect(text).toContain('--rdzv_endpoint="$RDZV_HOST:$RDZV_PORT"');
    expect(text).toContain('--rdzv_id="$SLURM_JOB_ID"');
    expect(text).toContain('--nproc_per_node=2');
    expect(execaSync('bash', ['-n'], { input: text, reject: false }).exitCode).toBe(0);
  });

  it('refuses a profile without nodes', () => {
    expect(() => exportProfileText({ ...profile, nodes: undefined }, 'sbatch', { resourcesDir: join(repoRoot, 'resources'), checkoutPath: null })).toThrow(/nodes/);
  });

  it('runs with stub sbatch/srun/scontrol on this machine: both "nodes" meet and finish; the prompt stays text', async () => {
    const torch = execaSync('/usr/bin/python3', ['-c', 'import torch.distributed.run'], { reject: false });
    if (torch.exitCode !== 0) throw new Error('torch is missing: apt-get install -y python3-torch python3-tqdm');
    const bin = join(dir.path, 'bin');
    mkdirSync(bin);
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    // sbatch: run the script as the allocation would, two nodes, job id 4242.
    stub('sbatch', 'SLURM_JOB_ID=4242 SLURM_JOB_NODELIST=gpu-a,gpu-b SLURM_NNODES=2 exec bash "$1"');
    // scontrol show hostnames: every "node" is this machine.
    stub('scontrol', '[ "$1 $2" = "show hostnames" ] && for h in ${3//,/ }; do echo 127.0.0.1; done');
    // srun: drop its own options, start the command once per node with SLURM_NODEID, wait for all.
    stub('srun', 'while [[ "$1" == --* ]]; do shift; done\npids=()\nfor ((i=0;i<SLURM_NNODES;i++)); do SLURM_NODEID=$i "$@" > "$OUT/node$i.log" 2>&1 & pids+=($!); done\nrc=0; for p in "${pids[@]}"; do wait $p || rc=$?; done; exit $rc');
    // Debian's torch 1.13 on Python 3.11 cannot parse torchrun's own defaults (resources/torchrun/README.md):
    // on this machine `torchrun` is the launcher's compatible wrapper, as it would be on a patched cluster.
    stub('torchrun', `exec /usr/bin/python3 ${join(repoRoot, 'resources/torchrun/lal_torchrun.py')} "$@"`);
    const script = join(dir.path, 'job.sbatch');
    writeFileSync(script, text);
    const r = await execa(join(bin, 'sbatch'), [script], {
      cwd: dir.path,
      reject: false,
      timeout: 180_000,
      env: { PATH: `${bin}:/usr/bin:/bin`, OUT: dir.path, RDZV_PORT: String(29600 + Math.floor(Math.random() * 300)) },
    });
    const logs = ['node0', 'node1'].map((n) => (existsSync(join(dir.path, `${n}.log`)) ? execaSync('cat', [join(dir.path, `${n}.log`)]).stdout : ''));
    expect(r.exitCode, logs.join('\n----\n').slice(-3000)).toBe(0);
    expect(logs.join('\n')).toMatch(/world_size: 4/);
    expect(existsSync(PWNED)).toBe(false);
  });
});
