import { argLines, shellQuote } from '../profiles/sh-export';

/**
 * A multi-node profile as an sbatch script for SLURM: one `srun` task per allocated node, each
 * starting torchrun with the same c10d rendezvous the launcher uses over ssh (the first node of the
 * allocation hosts it, the job id is the rendezvous id). Every value is a quoted literal, as in the
 * bash export, so a hostile prompt stays text. SLURM picks the machines; the profile's hosts are
 * offered as `--nodelist` so the job lands where the profile was made for.
 */
export interface SbatchParts {
  name: string;
  recipe: string;
  mode: string;
  hosts: string[];
  /** Processes per node (equal on every node: one srun step starts the same command everywhere). */
  nprocPerNode: number;
  gpusPerNode: number;
  entry: string;
  args: string[];
  env: Record<string, string>;
  runFrom: string | null;
  joinTimeoutSec: number;
}

export function renderSbatch(p: SbatchParts): string {
  const job = p.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'lal';
  const out = [
    '#!/usr/bin/env bash',
    '# Live Avatar Launcher profile, exported for SLURM (lal profile export --format sbatch).',
    `# recipe ${p.recipe}, mode ${p.mode}: ${p.hosts.length} nodes × ${p.nprocPerNode} processes.`,
    `#SBATCH --job-name=${job}`,
    `#SBATCH --nodes=${p.hosts.length}`,
    '#SBATCH --ntasks-per-node=1',
    `#SBATCH --nodelist=${p.hosts.join(',')}`,
  ];
  if (p.gpusPerNode > 0) out.push(`#SBATCH --gpus-per-node=${p.gpusPerNode}`);
  if (p.runFrom) out.push(`# Submit it from ${p.runFrom} (upstream paths are relative to the checkout).`);
  out.push('set -euo pipefail', '');
  for (const [k, v] of Object.entries(p.env)) out.push(`export ${k}=${shellQuote(v)}`);
  out.push(
    '',
    '# The first node of the allocation hosts the rendezvous store; every node runs the same line.',
    // sed reads to the end: `head -n 1` would close the pipe early and pipefail would end the job (SIGPIPE, 141).
    'RDZV_HOST=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed -n 1p)',
    'RDZV_PORT=${RDZV_PORT:-29500}',
    '',
  );
  const lines = [
    'srun --ntasks-per-node=1 --kill-on-bad-exit=1 torchrun',
    `  --nnodes=${p.hosts.length}`,
    `  --nproc_per_node=${p.nprocPerNode}`,
    '  --rdzv_backend=c10d',
    '  --rdzv_endpoint="$RDZV_HOST:$RDZV_PORT"',
    '  --rdzv_id="$SLURM_JOB_ID"',
    `  --rdzv_conf=join_timeout=${p.joinTimeoutSec}`,
    '  --max_restarts=0',
    `  ${shellQuote(p.entry)}`,
  ];
  lines.push(...argLines(p.args));
  out.push(lines.join(' \\\n'), '');
  return out.join('\n');
}
