import { readFileSync } from 'node:fs';

/**
 * A realistic torchrun console of any size for the explain bench and the responsiveness test: a
 * 5-rank run with NCCL_DEBUG=INFO, tqdm bars redrawn with \r, glog and Python warnings, logger
 * lines, the workload's JSON protocol lines, the occasional handled traceback, drawn from varied
 * templates with a seeded generator (never the same few lines repeated), then a complete torch
 * 2.11 watchdog cascade in which rank 2 fell behind. The verdict is NCCL_WATCHDOG_TIMEOUT on rank 2.
 */
export const EXPECTED_VERDICT = 'NCCL_WATCHDOG_TIMEOUT@2';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function makeExplainLog(targetBytes: number, seed = 7): string {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(a: T[]): T => a[int(a.length)];
  const hosts = ['gpu-node-a', 'gpu-node-a', 'h200-07', 'dgx-b3'];
  let sec = 0;
  const time = () => {
    sec += r() * 0.05;
    const t = 9 * 3600 + 47 * 60 + sec;
    return `${pad(Math.floor(t / 3600))}:${pad(Math.floor(t / 60) % 60)}:${pad(Math.floor(t) % 60)}`;
  };
  const templates: (() => string)[] = [
    () => { const k = int(5); return `${pick(hosts)}:${2419 + k}:${2419 + k + int(90)} [${k}] NCCL INFO Channel ${pad(int(32))}/${int(2)} : ${k}[${k}] -> ${(k + 1) % 5}[${(k + 1) % 5}] via P2P/CUMEM/read`; },
    () => { const k = int(5); return `${pick(hosts)}:${2419 + k}:${2500 + int(900)} [${k}] NCCL INFO ncclCommInitRankConfig comm 0x${(0x4534c2c0 + int(1e6)).toString(16)} rank ${k} nranks 5 cudaDev ${k} nvmlDev ${k} busId ${(k + 1) * 16}000 commId 0x${int(2 ** 31).toString(16)}${int(2 ** 31).toString(16)} - Init COMPLETE`; },
    () => { const k = int(5); return `${pick(hosts)}:${2419 + k}:${2500 + int(900)} [${k}] NCCL INFO ${pick(['Connected all rings, use ring PXN 0 GDR 1', 'Connected all trees', 'threadThresholds 8/8/64 | 40/8/64 | 512 | 512', `${int(24) + 1} coll channels, ${int(24) + 1} collnet channels, 0 nvls channels, 32 p2p channels, 32 p2p channels per peer`, `Using network Socket`, `Setting affinity for GPU ${k} to ffff,ffffffff`, `comm 0x${int(2 ** 31).toString(16)} rank ${k} nRanks 5 nNodes 1 localRanks 5 localRank ${k} MNNVL 0`])}`; },
    () => {
      const k = int(5);
      const total = pick([4, 4, 4, 8, 40]);
      const parts: string[] = [];
      for (let n = 0; n <= total; n += Math.max(1, int(3))) {
        const pct = Math.round((n / total) * 100);
        parts.push(`${String(pct).padStart(3)}%|${'█'.repeat(Math.round(pct / 10)).padEnd(10)}| ${n}/${total} [00:${pad(int(60))}<00:${pad(int(60))}, ${(r() * 3 + 0.5).toFixed(2)}${r() < 0.5 ? 's/it' : 'it/s'}]`);
      }
      return `[rank${k}]:${parts.join('\r')}`;
    },
    () => { const k = int(5); return `[rank${k}]:[W1122 ${time()}.${pad(int(1e9), 9)} ProcessGroupNCCL.cpp:${4000 + int(200)}] Warning: An unbatched P2P op (send/recv) was called on this ProcessGroup with size 5.  In lazy initialization mode, this will result in a new 2-rank NCCL communicator to be created. (function operator())`; },
    () => { const k = int(5); return `[rank${k}]:[W1122 ${time()}.${pad(int(1e9), 9)} Utils.hpp:137] Warning: Environment variable TORCH_NCCL_TRACE_BUFFER_SIZE is deprecated; use TORCH_FR_BUFFER_SIZE instead (function operator())`; },
    () => `[2026-11-22 ${time()},${pad(int(1000), 3)}] INFO: clip ${1 + int(40)}/${40 + int(10)} block ${int(4)}: ${48 + int(12)} frames in ${(r() * 3).toFixed(3)} s, ${(r() * 40 + 5).toFixed(1)} FPS`,
    () => `[rank${int(5)}]: /opt/torch/.venv/lib/python3.12/site-packages/torch/_utils.py:${700 + int(100)}: UserWarning: TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only storage class.`,
    () => `[rank${int(5)}]: FutureWarning: \`torch.cuda.amp.autocast(args...)\` is deprecated. Please use \`torch.amp.autocast('cuda', args...)\` instead.`,
    () => `W1122 ${time()}.${pad(int(1e6), 6)} ${2400 + int(30)} torch/_dynamo/convert_frame.py:${1100 + int(50)}] [${int(9)}/${int(9)}] torch._dynamo hit config.recompile_limit (8)`,
    () => `LAL_PEAK {"rank":${int(5)},"device_used_peak":${int(2 ** 36)},"allocated_peak":${int(2 ** 35)},"reserved_peak":${int(2 ** 35)},"phase":"${pick(['load', 'encode', 'denoise', 'decode'])}","t":${(r() * 1e4).toFixed(3)},"note":"${'x'.repeat(int(300))}"}`,
    () => `[rank${int(5)}]: ${pick(['Creating WanS2V pipeline.', 'loading /ckpt/Wan2.2-S2V-14B/diffusion_pytorch_model-0000' + (1 + int(4)) + '-of-00004.safetensors', 'denoising step done', 'audio features ready: ' + int(2000) + ' tokens', 'kv cache resized to ' + int(30000) + ' tokens'])}`,
    () => `${pick(['', '[rank3]: ', '[rank1]: '])}  File "/opt/torch/.venv/lib/python3.12/site-packages/torch/${pick(['nn/modules/module.py', 'distributed/distributed_c10d.py', '_dynamo/eval_frame.py'])}", line ${int(4000)}, in ${pick(['_call_impl', 'all_to_all_single', '_fn', 'forward'])}`,
  ];
  // A handled warning with its stack, as libraries print it now and then.
  const handled = () =>
    [
      `[rank${int(5)}]: Traceback (most recent call last):`,
      `[rank${int(5)}]:   File "/work/LiveAvatar/liveavatar/utils/cache.py", line ${int(300)}, in load`,
      `[rank${int(5)}]:     return json.load(open(path))`,
      `[rank${int(5)}]: json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)`,
      `[rank${int(5)}]: cache miss, rebuilding (this is not an error)`,
    ].join('\n');
  const tail = readFileSync(new URL('../test/unit/failures/fixtures/complete/watchdog-2.11-straggler-middle-5gpu.log', import.meta.url), 'utf8');
  const parts: string[] = [];
  let size = 0;
  const budget = targetBytes - tail.length;
  while (size < budget) {
    const l = r() < 0.0005 ? handled() : templates[int(templates.length)]();
    parts.push(l);
    size += l.length + 1;
  }
  parts.push(tail);
  return parts.join('\n');
}
