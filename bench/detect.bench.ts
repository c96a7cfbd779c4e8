// Detection time next to systeminformation.graphics() on the same machine, same moment.
// Without a GPU both read the nvidia-smi stand-in (test/support/fake-nvidia-smi) put first on PATH,
// so the figure compares the two approaches' process and parsing cost, not a real driver's NVML init.
import { join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import si from 'systeminformation';
import { detectAll } from '../electron/core/detect';
import { detectGpus } from '../electron/core/detect/smi';
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

export default async function (): Promise<BenchResult[]> {
  const real = await which('nvidia-smi');
  const savedPath = process.env.PATH;
  if (!real) process.env.PATH = `${FAKE}${delimiter}${savedPath ?? ''}`;
  const where = real ? `real nvidia-smi at ${real}` : 'no GPU here: both read the nvidia-smi stand-in on PATH';
  try {
    const runs = 7;
    let gpusSeen = 0;
    let siSeen = 0;
    const ours = await median(runs, async () => {
      gpusSeen = (await detectGpus({})).gpus.length;
    });
    const base = await median(runs, async () => {
      siSeen = (await si.graphics()).controllers.length;
    });
    // What si.graphics() adds on a GPU box once lspci lists the cards: one synchronous nvidia-smi call
    // with its own 16 fields (node_modules/systeminformation/lib/graphics.js nvidiaSmi()).
    const siArgs = '--query-gpu=driver_version,pci.sub_device_id,name,pci.bus_id,fan.speed,memory.total,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,temperature.memory,power.draw,power.limit,clocks.gr,clocks.mem --format=csv,noheader,nounits'.split(' ');
    const smiPath = (await which('nvidia-smi')) ?? 'nvidia-smi';
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
        name: 'detect GPUs (query, holders, topo -m, -p2p, table) vs systeminformation.graphics()',
        ratio: ours / base,
        detail:
          `median of ${runs}: ours ${ours.toFixed(0)} ms for ${gpusSeen} GPUs with topology and holders, si.graphics() ${base.toFixed(0)} ms for ${siSeen} controllers; ${where}` +
          (siSeen === 0 ? '; si.graphics() runs nvidia-smi only after lspci lists the cards, and found none here, so its time is its lspci/clinfo/xrandr probes alone' : ''),
      },
      {
        name: 'detect GPUs vs the one nvidia-smi call si.graphics() makes when lspci lists NVIDIA cards',
        ratio: ours / siSmi,
        detail: `median of ${runs}: ours ${ours.toFixed(0)} ms (5 calls in parallel: query, compute apps, topo -m, topo -p2p r, table), si's single synchronous --query-gpu call ${siSmi.toFixed(0)} ms (GPUs only: no holders, topology, P2P or CUDA version); ${where}`,
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
