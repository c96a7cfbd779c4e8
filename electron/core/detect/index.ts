import { deriveWarnings, checkoutUnreadable, type CheckoutInfo, type DetectReport, type DetectWarning } from '../../../shared/detect';
import { detectGpus } from './smi';
import { detectHost } from './host';
import { detectPython } from './python';
import { inspectCheckout } from './checkout';

export interface DetectOptions {
  nvidiaSmi?: string | null;
  python?: string | null;
  checkout?: string | null;
  outputDir?: string | null;
  resourcesDir: string;
  /** Limit for each nvidia-smi call (default 20 s: without persistence mode, NVML init on 8 GPUs takes seconds). */
  timeoutMs?: number;
  /** Limit for each Python probe (default 20 s: a cold `import torch` is slow). */
  pythonTimeoutMs?: number;
  /** Environment to look programs up in and to pass to probes (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Skip the Python probes (callers that only need GPUs, e.g. a quick refresh). */
  skipPython?: boolean;
  /** true when the planned run uses --fp8, which turns the cc < 8.9 note into an error. */
  fp8Wanted?: boolean;
  /** Ask nvidia-smi for topology, P2P, CUDA version and MIG mode again (otherwise cached per process). */
  refreshStatic?: boolean;
  /**
   * Called once with an early report when the GPUs and host are known but Python or the checkout
   * are still being probed (their parts flagged in `pending`), so a screen can show GPUs first.
   */
  onPartial?: (early: DetectReport) => void;
}

async function timed<T>(timings: Record<string, number>, name: string, p: Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await p;
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

/**
 * Everything "what do I have?" needs, gathered in parallel: nvidia-smi (GPUs, holders, topology,
 * versions), host, Python environments and the checkout. Every external call is time-bounded and
 * every failure becomes part of the report, so this never throws for a broken machine.
 */
export async function detectAll(opts: DetectOptions): Promise<DetectReport> {
  const t0 = performance.now();
  const env = opts.env ?? process.env;
  const timings: Record<string, number> = {};
  const extra: DetectWarning[] = [];

  const checkoutP: Promise<CheckoutInfo | null> = opts.checkout
    ? timed(timings, 'checkout', inspectCheckout(opts.checkout)).catch((err: unknown) => {
        extra.push(checkoutUnreadable(opts.checkout!, (err as Error).message));
        return null;
      })
    : Promise.resolve(null);

  const smiP = timed(timings, 'gpus', detectGpus({ nvidiaSmi: opts.nvidiaSmi, timeoutMs: opts.timeoutMs, env, refreshStatic: opts.refreshStatic }));
  const hostP = timed(timings, 'host', detectHost(opts.outputDir ?? null));
  const pythonP = opts.skipPython
    ? Promise.resolve([])
    : timed(timings, 'python', detectPython({ configured: opts.python, resourcesDir: opts.resourcesDir, env, probeTimeoutMs: opts.pythonTimeoutMs }));
  const settled = { python: false, checkout: false };
  const mark = (part: keyof typeof settled) => () => void (settled[part] = true);
  void pythonP.then(mark('python'), mark('python'));
  void checkoutP.then(mark('checkout'), mark('checkout'));
  if (opts.onPartial) {
    const onPartial = opts.onPartial;
    void Promise.all([smiP, hostP]).then(([smi, host]) => {
      if (settled.python && settled.checkout) return;
      const early: Omit<DetectReport, 'warnings'> = { takenAt: new Date().toISOString(), nvidiaSmi: smi.nvidiaSmi, gpus: smi.gpus, driver: smi.driver, topology: smi.topology, host, python: [], checkout: null };
      const warnings = deriveWarnings(early, { problems: smi.problems, lostGpus: smi.lostGpus, pythonSkipped: true, cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES ?? null });
      onPartial({ ...early, warnings, pending: { ...(settled.python ? {} : { python: true }), ...(settled.checkout ? {} : { checkout: true }) } });
    }).catch(() => undefined); // the full report below says what failed; an early one is only a courtesy
  }
  const [smi, host, python, checkout] = await Promise.all([smiP, hostP, pythonP, checkoutP]);
  Object.assign(timings, smi.timings);

  const base: Omit<DetectReport, 'warnings'> = {
    takenAt: new Date().toISOString(),
    nvidiaSmi: smi.nvidiaSmi,
    gpus: smi.gpus,
    driver: smi.driver,
    topology: smi.topology,
    host,
    python,
    checkout,
  };
  const warnings = [...deriveWarnings(base, { problems: smi.problems, lostGpus: smi.lostGpus, pythonSkipped: opts.skipPython, fp8Wanted: opts.fp8Wanted, cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES ?? null }), ...extra];
  timings.total = Math.round(performance.now() - t0);
  return { ...base, warnings, timings };
}

export { detectGpus, forgetStaticSmi } from './smi';
export { detectHost } from './host';
export { detectPython, probePython, pythonCandidates } from './python';
export { inspectCheckout, scanAsserts, layoutsFor } from './checkout';
export { readSafetensorsHeader } from './safetensors';
