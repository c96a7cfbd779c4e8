import { execa, type ResultPromise } from 'execa';
import { StringDecoder } from 'node:string_decoder';
import type { GpuProcessSample, GpuSample } from '../../../shared/run/types';
import { LineSplitter } from '../../../shared/progress/lines';
import { parseGpuLine } from '../runs/gpu-sampler';
import { sshArgv, type SshOptions } from './ssh';

/**
 * GPU samples from every node of a multi-node run: one ssh connection per node running one
 * long-lived `nvidia-smi --query-gpu=… -lms N` there (as the one-machine sampler does locally),
 * each sample tagged with its node. nvidia-smi is started by the node's own interpreter, so it is
 * found on the PATH of the environment the run uses there, and a small watcher kills it when the
 * connection's stdin closes: stopping the sampler (or losing the launcher) leaves nothing running
 * on a node. A node without nvidia-smi simply sends nothing.
 */
export interface SampledNode {
  name: string;
  host: string;
  user?: string;
  port?: number;
  python?: string;
}

export interface NodesGpuSamplerOptions {
  nodes: SampledNode[];
  ssh?: SshOptions;
  intervalMs?: number;
  onSamples?: (samples: GpuSample[]) => void;
}

/** Runs nvidia-smi with the given arguments until stdin reaches EOF, then kills it. */
const SMI_WATCH = [
  'import subprocess, sys, threading',
  'try:',
  '    p = subprocess.Popen(["nvidia-smi"] + sys.argv[1:], stdin=subprocess.DEVNULL)',
  'except OSError:',
  '    sys.exit(127)',
  'def watch():',
  '    sys.stdin.read()',
  '    p.kill()',
  'threading.Thread(target=watch, daemon=True).start()',
  'sys.exit(p.wait())',
].join('\n');

export const SMI_QUERY = ['--query-gpu=index,memory.used,memory.total,utilization.gpu', '--format=csv,noheader,nounits'];

export class NodesGpuSampler {
  available = false;
  private readonly children: ResultPromise[] = [];
  private readonly latestByNode = new Map<string, GpuSample[]>();
  private readonly peakMiB = new Map<string, number>();
  private stopped = false;

  constructor(private readonly opts: NodesGpuSamplerOptions) {}

  start(): boolean {
    const ms = String(this.opts.intervalMs ?? 1000);
    this.opts.nodes.forEach((n, nodeIndex) => {
      const argv = sshArgv(n, [n.python ?? 'python3', '-c', SMI_WATCH, ...SMI_QUERY, '-lms', ms], this.opts.ssh);
      const child = execa(argv[0]!, argv.slice(1), { buffer: false, reject: false, stdin: 'pipe', stderr: 'ignore' });
      this.children.push(child);
      const dec = new StringDecoder('utf8');
      const split = new LineSplitter();
      let batch: GpuSample[] = [];
      let timer: NodeJS.Timeout | null = null;
      const flush = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        if (!batch.length) return;
        this.latestByNode.set(n.name, batch);
        const out = batch;
        batch = [];
        this.opts.onSamples?.(out);
      };
      child.stdout?.on('data', (b: Buffer) => {
        const t = Date.now();
        for (const seg of split.push(dec.write(b))) {
          const s = parseGpuLine(seg.text, t);
          if (!s) continue;
          this.available = true;
          const tagged: GpuSample = { ...s, node: n.name, nodeIndex };
          const key = `${n.name}/${s.index}`;
          this.peakMiB.set(key, Math.max(this.peakMiB.get(key) ?? 0, s.memoryUsedMiB));
          // One tick prints one line per GPU back to back; a repeated index starts the next tick.
          if (batch.some((x) => x.index === s.index)) flush();
          batch.push(tagged);
          if (!timer) timer = setTimeout(flush, 100);
        }
      });
      child.catch(() => undefined);
    });
    return true;
  }

  /** The latest tick of every node. */
  latest(): GpuSample[] {
    return [...this.latestByNode.values()].flat();
  }

  /** Per-process VRAM is not gathered from nodes (their pids are not this machine's). */
  processes(): GpuProcessSample[] {
    return [];
  }

  async sampleProcesses(): Promise<GpuProcessSample[]> {
    return [];
  }

  /** Peak MiB per `node/gpu` (never a bare index: these are not this machine's GPUs). */
  peaks(): Record<string, number> {
    return Object.fromEntries(this.peakMiB);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.children) {
      // EOF first: the node's watcher kills nvidia-smi there; then the connection itself.
      c.stdin?.end();
      setTimeout(() => c.kill('SIGTERM'), 1000).unref();
    }
  }

  /** Resolves when every connection has closed (tests). */
  async closed(): Promise<void> {
    await Promise.all(this.children.map((c) => c.then(() => undefined, () => undefined)));
  }
}

/** The sampler for a multi-node plan (its driver config names the nodes and the ssh options), or null for any other plan. */
export function nodesSamplerFor(argv: readonly string[], onSamples: (samples: GpuSample[]) => void): NodesGpuSampler | null {
  try {
    const cfg = JSON.parse(argv[3] ?? '') as { sshOptions?: string[]; nodes?: SampledNode[] };
    if (!Array.isArray(cfg.nodes) || !cfg.nodes.length) return null;
    const nodes = cfg.nodes.map(({ name, host, user, port, python }) => ({ name, host, ...(user ? { user } : {}), ...(port ? { port } : {}), ...(python ? { python } : {}) }));
    return new NodesGpuSampler({ nodes, ssh: { extra: cfg.sshOptions ?? [] }, onSamples });
  } catch {
    return null;
  }
}
