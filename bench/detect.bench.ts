// Detection time against one `nvidia-smi --query-gpu` call (the goal: a refresh within 1.5× of it)
// and next to systeminformation.graphics(), on the same machine, same moment. Without a GPU all of
// them read the nvidia-smi stand-in (test/support/fake-nvidia-smi) put first on PATH, so the figures
// compare process and parsing cost, not a real driver's NVML init (each nvidia-smi process pays that
// once, which is why a refresh runs two of them and the first detection five).
import { join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import si from 'systeminformation';
import { detectAll } from '../electron/core/detect';
import { detectGpus, forgetStaticSmi, runSmi } from '../electron/core/detect/smi';
import { GPU_QUERY_ARGS } from '../shared/detect';
import { which } from '../electron/core/detect/which';
import type { BenchResult } from './types';

const root = fileURLToPath(new URL('..', import.meta.url));
const FAKE = join(root, 'test/support/fake-nvidia-smi');

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  await fn(); // warm caches (module loading, first spawn) for both sides alike
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median time of each function, the functions run in turn in every round (after one warm-up round). */
async function interleaved(rounds: number, fns: (() => Promise<unknown>)[]): Promise<number[]> {
  const times = fns.map(() => [] as number[]);
  for (let r = -1; r < rounds; r++) {
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      if (r >= 0) times[i]!.push(performance.now() - t0);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

export default async function (): Promise<BenchResult[]> {
  const real = await which('nvidia-smi');
  const savedPath = process.env.PATH;
  if (!real) process.env.PATH = `${FAKE}${delimiter}${savedPath ?? ''}`;
  const where = real ? `real nvidia-smi at ${real}` : 'no GPU here: both read the nvidia-smi stand-in on PATH';
  try {
    const runs = 7;
    let gpusSeen = 0;
    let siSeen = 0;
    const smiPath = (await which('nvidia-smi')) ?? 'nvidia-smi';
    // Taken in turns, so a load spike from elsewhere on the machine hits both sides alike.
    const [one, warm, cold, warmAll] = await interleaved(9, [
      () => runSmi(smiPath, GPU_QUERY_ARGS, 20_000),
      () => detectGpus({}),
      () => detectGpus({ refreshStatic: true }),
      () => detectAll({ resourcesDir: join(root, 'resources'), skipPython: true, outputDir: root }),
    ]);
    forgetStaticSmi();
    const ours = await median(runs, async () => {
      gpusSeen = (await detectGpus({})).gpus.length;
    });
    const base = await median(runs, async () => {
      siSeen = (await si.graphics()).controllers.length;
    });
    // What si.graphics() adds on a GPU box once lspci lists the cards: one synchronous nvidia-smi call
    // with its own 16 fields (node_modules/systeminformation/lib/graphics.js nvidiaSmi()).
    const siArgs = '--query-gpu=driver_version,pci.sub_device_id,name,pci.bus_id,fan.speed,memory.total,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,temperature.memory,power.draw,power.limit,clocks.gr,clocks.mem --format=csv,noheader,nounits'.split(' ');
    const siSmi = await median(runs, async () => {
      try {
        execFileSync(smiPath, siArgs, { stdio: ['pipe', 'pipe', 'ignore'] });
      } catch {
        /* the stand-in lacks some of si's fields; the process cost is what is measured */
      }
    });
    const full = await median(3, () => detectAll({ resourcesDir: join(root, 'resources'), skipPython: true, outputDir: root }));
    const siFull = await median(3, () => Promise.all([si.graphics(), si.cpu(), si.mem(), si.osInfo(), si.fsSize()]));
    return [
      {
        name: 'detect GPUs (refresh: query + holders, topology and driver cached) / one nvidia-smi --query-gpu call (goal <= 1.5)',
        ratio: warm / one,
        detail: `median of 9 rounds taken in turns: refresh ${warm.toFixed(0)} ms (2 nvidia-smi processes at once), one --query-gpu call ${one.toFixed(0)} ms; ${where}`,
      },
      {
        name: 'detect GPUs, first time (query, holders, topo -m, topo -p2p r, table at once) / one --query-gpu call',
        ratio: cold / one,
        detail: `median of 9 rounds: ${cold.toFixed(0)} ms (5 processes at once) vs ${one.toFixed(0)} ms; after it, refreshes reuse topology, P2P, CUDA version and MIG mode; ${where}`,
      },
      {
        name: 'detectAll without Python probes (GPUs + host), refresh / one --query-gpu call',
        ratio: warmAll / one,
        detail: `median of 9 rounds: ${warmAll.toFixed(0)} ms vs ${one.toFixed(0)} ms; ${where}`,
      },
      {
        name: 'detect GPUs (query, holders, topo -m, -p2p, table) vs systeminformation.graphics()',
        ratio: ours / base,
        detail:
          `median of ${runs}: ours ${ours.toFixed(0)} ms for ${gpusSeen} GPUs with topology and holders, si.graphics() ${base.toFixed(0)} ms for ${siSeen} controllers; ${where}` +
          (siSeen === 0 ? '; si.graphics() runs nvidia-smi only after lspci lists the cards, and found none here, so its time is its lspci/clinfo/xrandr probes alone' : ''),
      },
      {
        name: 'detect GPUs vs the one nvidia-smi call si.graphics() makes when lspci lists NVIDIA cards',
        ratio: ours / siSmi,
        detail: `median of ${runs}: ours ${ours.toFixed(0)} ms (a refresh: query and compute apps in parallel), si's single synchronous --query-gpu call ${siSmi.toFixed(0)} ms (GPUs only: no holders, topology, P2P or CUDA version); ${where}`,
      },
      {
        name: 'detectAll without Python probes vs si graphics+cpu+mem+osInfo+fsSize',
        ratio: full / siFull,
        detail: `median of 3: ours ${full.toFixed(0)} ms, systeminformation ${siFull.toFixed(0)} ms; ${where}`,
      },
    ];
  } finally {
    process.env.PATH = savedPath;
  }
}
