import type { FailureCode, FixAction } from './types';
import { NODE_CATALOG } from './nodes';
import { COMPANION_CATALOG } from './companion';

/**
 * The failure catalog as data: triggers, patterns (named groups become diagnosis fields) and fix
 * actions. No words: the text of each code lives in shared/i18n/locales/failures.ts and is rendered
 * at the edge in the reader's language (describe.ts). Patterns follow the messages of pytorch
 * (ProcessGroupNCCL.cpp, torch/distributed/elastic), NCCL and Alibaba-Quark/LiveAvatar as printed
 * by torch 1.13–2.11. JS regex syntax. Patterns run on one de-decorated line (line.ts) or on a few
 * lines joined back when a terminal hard-wrapped them, so they must be unanchored unless a field is
 * meant to be the whole line, and linear: every `*`/`+` is followed by a literal that the repeated
 * part cannot contain.
 */
export interface PatternSpec {
  re: RegExp;
  /** A symptom of another failure (a peer died, the watchdog gave up) rather than a cause. */
  consequence?: boolean;
  /** Matched without its numbers: first try the next lines joined back (hard-wrapped terminal). */
  weak?: boolean;
  /** Fields this variant sets, e.g. `{ variant: 'cuda-error' }`. */
  set?: Record<string, string>;
  /** Copy the next non-empty line into this field (NCCL's `Last error:` is followed by the reason). */
  next?: string;
}

export interface CatalogEntry {
  code: FailureCode;
  /** Lower = more specific, more likely the first cause (watchdog and heartbeat last: usually consequences). */
  priority: number;
  /** 'agent': printed by torchrun itself, belongs to no rank. */
  scope: 'rank' | 'agent';
  /** Cheap keywords; the patterns run only on lines that contain one. */
  trigger: RegExp;
  patterns: PatternSpec[];
  /** Codes this one explains when both show up for the same rank (the NCCL wrapper of a shm error). */
  supersedes?: FailureCode[];
  fixes?: FixAction[];
}

const SZ = String.raw`[\d.]+ (?:bytes|KiB|MiB|GiB|TiB)`;
const re = (src: string, flags = ''): RegExp => new RegExp(src, flags);

export const SAFE_SIZES = ['688*368', '704*384', '720*400', '384*256'];

export const CATALOG: CatalogEntry[] = [
  {
    code: 'SIZE_TOO_LARGE',
    priority: 8,
    scope: 'rank',
    trigger: /expanded size of the tensor/,
    patterns: [
      // upstream-notes §6 #4 (issues #14/#15): the conditioning KV cache is hard-coded to 3000 tokens (2800 single GPU).
      { re: re(String.raw`The expanded size of the tensor \((?<cacheTokens>3000|2800)\) must match the existing size \((?<needTokens>\d+)\) at non-singleton dimension 1`) },
    ],
    fixes: [{ kind: 'set', key: 'size', value: '688*368' }],
  },
  {
    code: 'CUDA_OOM',
    priority: 10,
    scope: 'rank',
    trigger: /out of memory|CUBLAS_STATUS_ALLOC_FAILED|Failed to CUDA calloc/,
    patterns: [
      {
        // torch 2.1+ (2.1 spells "capacty"); catalog C01 CUDA_OOM_NEW [tested].
        re: re(
          String.raw`CUDA out of memory\. Tried to allocate (?<requested>${SZ})\. GPU (?<gpu>\d+) has a total capac(?:i)?ty of (?<total>${SZ}) of which (?<free>${SZ}) is free\. ` +
            String.raw`(?<procs>(?:(?:Process \d+|Including non-PyTorch memory, this process) has ${SZ} memory in use\. )*)(?:(?<allowed>${SZ}) allowed; )?` +
            String.raw`Of the allocated memory (?<allocated>${SZ}) is allocated by PyTorch, (?:with (?<privatePools>${SZ}) allocated in private pools \(e\.g\., CUDA Graphs\), )?` +
            String.raw`and (?<unallocated>${SZ}) is reserved by PyTorch but unallocated\.`,
        ),
      },
      // torch ≤ 2.0 (C01 CUDA_OOM_OLD).
      {
        re: re(
          String.raw`CUDA out of memory\. Tried to allocate (?<requested>${SZ}) \(GPU (?<gpu>\d+); (?<total>${SZ}) total capacity; (?<allocated>${SZ}) already allocated; ` +
            String.raw`(?<free>${SZ}) free; (?:(?<allowed>${SZ}) allowed; )?(?<reserved>${SZ}) reserved in total by PyTorch\)`,
        ),
      },
      { re: re(String.raw`CUDA out of memory\. Tried to allocate (?<requested>${SZ})\. GPU (?<gpu>\d+) has a total capac(?:i)?ty of (?<total>${SZ}) of which (?<free>${SZ}) is free`), weak: true },
      { re: /CUDA out of memory/, weak: true },
      // C02: cudaMalloc outside the caching allocator (context, cuBLAS, NCCL buffers): no numbers.
      { re: /CUDA error: out of memory/, set: { variant: 'cuda-error' } },
      { re: /CUBLAS_STATUS_ALLOC_FAILED/, set: { variant: 'cublas' } },
      { re: /NCCL WARN (?:Cuda failure (?:\d+ )?'out of memory'|Failed to CUDA calloc (?<ncclBytes>\d+) bytes)/, set: { variant: 'nccl' } },
    ],
    supersedes: ['NCCL_ERROR', 'ILLEGAL_MEMORY_ACCESS'],
    fixes: [
      { kind: 'set', key: 'size', value: '688*368' },
      { kind: 'set', key: 'fp8', value: true },
      { kind: 'set', key: 'offload_kv_cache', value: true },
      { kind: 'env', name: 'PYTORCH_CUDA_ALLOC_CONF', value: 'expandable_segments:True' },
    ],
  },
  {
    code: 'FP8_UNSUPPORTED',
    priority: 12,
    scope: 'rank',
    trigger: /_scaled_mm|Float8_e4m3fn|float8/,
    patterns: [
      // upstream-notes §1.1 item 8: Ampere (A100/A800/3090) fails at the first FP8 matmul.
      { re: /_scaled_mm is only supported on (?:CUDA )?devices with compute capability >= ?9\.0 or 8\.9/ },
      { re: /not implemented for 'Float8_e4m3fn'/ },
      { re: /torch\._scaled_mm.{0,40}(?:not supported|only supported)/, weak: true },
    ],
    fixes: [{ kind: 'set', key: 'fp8', value: false }],
  },
  {
    code: 'FLASH_ATTN_MISSING',
    priority: 14,
    scope: 'rank',
    trigger: /flash_attn|FlashAttention|FLASH_ATTN/,
    patterns: [
      { re: /flash_attn(?:_2)?_cuda\S*\.so: undefined symbol: (?<symbol>\S+)/, set: { variant: 'abi' } },
      { re: /No module named '(?<module>flash_attn(?:_interface|_2_cuda)?)'/, set: { variant: 'missing' } },
      { re: /FlashAttention only supports Ampere GPUs or newer/, set: { variant: 'old-gpu' } },
      { re: /assert FLASH_ATTN_2_AVAILABLE|FlashAttention-?2 is not installed correctly|FlashAttention2 has been toggled on, but it cannot be used/, set: { variant: 'missing' } },
    ],
    supersedes: ['ARG_ASSERTION'],
  },
  {
    code: 'MISSING_CHECKPOINT',
    priority: 15,
    scope: 'rank',
    trigger: /No such file or directory|Please specify the checkpoint|does not appear to have a file|treating as local path|Can't load|Incorrect path_or_model_id/,
    patterns: [
      // upstream-notes §6 #12/#13: T5 first, then tokenizer, VAE, DiT shards, wav2vec2, LoRA.
      {
        re: /(?:FileNotFoundError|OSError|No such file or directory)[^']{0,200}'(?<path>[^']{0,400}?(?:\.pth|\.safetensors|\.bin|\.ckpt|\.pt|\.json|umt5-xxl|wav2vec2[^'/]{0,80}|Live-Avatar|Wan2\.2-S2V-14B\/?))'/,
      },
      { re: /Please specify the checkpoint directory/, set: { path: '--ckpt_dir' } },
      { re: /(?<path>\S{1,300}) does not appear to have a file named (?<file>\S{1,200})/ },
      { re: /Incorrect path_or_model_id: '(?<path>[^']{1,400})'/ },
    ],
  },
  {
    code: 'ARG_ASSERTION',
    priority: 16,
    scope: 'rank',
    trigger: /AssertionError|error: (?:argument|unrecognized arguments|the following arguments)/,
    patterns: [
      // C18: every rank prints the same assertion; bare asserts take the preceding `assert …` source line.
      { re: /^(?:[\w.]+\.)?AssertionError(?:: (?<message>.{1,500}))?$/ },
      { re: /^\S{1,200}: error: (?<message>(?:argument|unrecognized arguments|the following arguments).{0,400})$/, set: { variant: 'argparse' } },
    ],
  },
  {
    code: 'DRIVER_TOO_OLD',
    priority: 18,
    scope: 'rank',
    trigger: /driver|Error 80[234]/,
    patterns: [
      { re: /The NVIDIA driver on your system is too old \(found version (?<foundVersion>\d+)\)/ },
      { re: /CUDA driver version is insufficient for CUDA runtime version/ },
      { re: /Found no NVIDIA driver on your system/, set: { variant: 'no-driver' } },
      { re: /Unexpected error from cudaGetDeviceCount\(\)\..{0,200}?Error (?<cudaError>80[234]): (?<what>[\w ]{1,120})/ },
    ],
  },
  {
    code: 'NO_KERNEL_IMAGE',
    priority: 19,
    scope: 'rank',
    trigger: /no kernel image|CUDA capability|cuda capability/,
    patterns: [
      { re: /with CUDA capability sm_(?<capability>\d+) is not compatible with the current PyTorch installation/ },
      { re: /Found GPU\d+ .{1,80}? which is of cuda capability (?<capability>[\d.]+)\./ },
      { re: /CUDA error: no kernel image is available for execution on the device/ },
    ],
  },
  {
    code: 'INVALID_DEVICE_ORDINAL',
    priority: 20,
    scope: 'rank',
    trigger: /invalid device ordinal|device < num_gpus|busy or unavailable/,
    patterns: [
      { re: /CUDA error: invalid device ordinal/ },
      { re: /device >= 0 && device < num_gpus INTERNAL ASSERT FAILED/ },
      { re: /CUDA error: CUDA-capable device\(s\) is\/are busy or unavailable/, set: { variant: 'busy' } },
    ],
  },
  {
    code: 'ILLEGAL_MEMORY_ACCESS',
    priority: 24,
    scope: 'rank',
    trigger: /CUDA error: /,
    patterns: [
      {
        re: /CUDA error: (?<what>an illegal memory access was encountered|device-side assert triggered|unspecified launch failure|misaligned address|an illegal instruction was encountered|uncorrectable ECC error encountered)/,
      },
    ],
    fixes: [{ kind: 'env', name: 'CUDA_LAUNCH_BLOCKING', value: '1' }],
  },
  {
    code: 'DUPLICATE_GPU',
    priority: 28,
    scope: 'rank',
    trigger: /Duplicate GPU detected/,
    patterns: [{ re: /Duplicate GPU detected : rank (?<rankA>\d+) and rank (?<rankB>\d+) both on CUDA device (?<busId>[0-9a-fA-F]+)/ }],
    supersedes: ['NCCL_ERROR'],
  },
  {
    code: 'NCCL_MISMATCH',
    priority: 29,
    scope: 'rank',
    trigger: /Mismatched NCCL version|undefined symbol: nccl/,
    patterns: [
      { re: /Mismatched NCCL version detected : rank (?<rankA>\d+) version (?<versionA>\d+) rank (?<rankB>\d+) version (?<versionB>\d+)/ },
      { re: /libtorch_cuda\.so: undefined symbol: (?<symbol>nccl\w+)/ },
    ],
    supersedes: ['NCCL_ERROR'],
  },
  {
    code: 'NCCL_SHM',
    priority: 30,
    scope: 'rank',
    trigger: /shared memory|\/dev\/shm|posix_fallocate|No space left on device|Bus error/,
    patterns: [
      { re: /Error while creating shared memory segment (?<segment>\/dev\/shm\/\S{1,100}) \(size (?<bytes>\d+)\)/ },
      { re: /failed to extend (?<segment>\/dev\/shm\/\S{1,100}) to (?<bytes>\d+) bytes/ },
      { re: /Call to posix_fallocate failed : No space left on device|No space left on device \(28\)/ },
      { re: /is killed by signal: Bus error\. It is possible that dataloader's workers are out of shared memory|insufficient shared memory \(shm\)/ },
    ],
    supersedes: ['NCCL_ERROR'],
    fixes: [{ kind: 'env', name: 'NCCL_SHM_DISABLE', value: '1' }],
  },
  {
    code: 'NCCL_ERROR',
    priority: 34,
    scope: 'rank',
    trigger: /NCCL error|NCCL Error|^nccl\w+Error|^ncclInvalid|^ncclRemoteError|^Last error:/,
    patterns: [
      {
        re: /NCCL error in: (?<at>\S{1,200}?):\d+, (?<what>remote process exited or there was a network error)/,
        consequence: true,
      },
      {
        re: /NCCL error in: (?<at>\S{1,200}?):\d+, (?<what>unhandled cuda error|unhandled system error|internal error|invalid argument|invalid usage|NCCL operation in progress|timeout)(?: - please report this issue to the NCCL developers)?(?: \(run with NCCL_DEBUG=(?:INFO|WARN) for details\))?, NCCL version (?<ncclVersion>[\d.]+)/,
      },
      { re: /NCCL error in: (?<at>\S{1,200}?):\d+, (?<what>[^,]{1,120})/, weak: true },
      { re: /NCCL Error \d+: (?<what>unhandled cuda error|unhandled system error|internal error|invalid argument|invalid usage)/ },
      { re: /^(?<what>ncclRemoteError): /, consequence: true },
      { re: /^(?<what>ncclUnhandledCudaError|ncclSystemError|ncclInternalError|ncclInvalidArgument|ncclInvalidUsage): /, weak: true },
      { re: /Last error:\s*$/, next: 'lastError', weak: true },
    ],
    fixes: [
      { kind: 'env', name: 'NCCL_P2P_DISABLE', value: '1' },
      { kind: 'env', name: 'NCCL_DEBUG', value: 'INFO' },
    ],
  },
  {
    code: 'PORT_IN_USE',
    priority: 36,
    scope: 'agent',
    trigger: /Address already in use|EADDRINUSE|failed to listen on any local network address|Cannot find empty port/,
    patterns: [
      { re: /The server socket has failed to listen on any local network address\.(?: port: (?<port>\d+),)? useIpv6: (?:0|1|false|true), code: -98, name: EADDRINUSE/ },
      { re: /The server socket has failed to (?:bind to|listen on) (?:\[::\]|0\.0\.0\.0|\?UNKNOWN\?|[\w.:[\]-]{1,100}?):(?<port>\d+) \(errno: 98 - Address already in use\)/ },
      { re: /The server socket has failed to listen on any local network address\./, weak: true },
      // Gradio (upstream-notes §6 #15).
      { re: /Cannot find empty port in range: (?<port>\d+)-\d+/, set: { variant: 'gradio' } },
    ],
    fixes: [{ kind: 'port' }],
  },
  {
    code: 'RENDEZVOUS_TIMEOUT',
    priority: 40,
    scope: 'agent',
    trigger: /timed out after|Timed out after|Socket Timeout|Rendezvous\w*Error|Connection reset by peer|Failed to recv/,
    patterns: [
      { re: /Timed out after (?<seconds>\d+) seconds waiting for clients\. (?<joined>\d+)\/(?<world>\d+) clients joined\./ },
      { re: /The client socket has timed out after (?<seconds>\d+)s while trying to connect to \(?(?<host>[^,\s)]{1,200})(?:, |:)(?<port>\d+)\)?/, consequence: true },
      { re: /torch\.distributed\.elastic\.rendezvous\.api\.(?<what>RendezvousTimeoutError|RendezvousConnectionError|RendezvousClosedError|RendezvousStateError)/ },
      { re: /(?:DistStoreError|RuntimeError): Socket Timeout|got exception: Socket Timeout/, consequence: true },
      { re: /DistNetworkError: (?<what>Failed to recv, got 0 bytes|Connection reset by peer|Broken pipe)/, consequence: true },
    ],
    fixes: [{ kind: 'env', name: 'MASTER_ADDR', value: '127.0.0.1' }],
  },
  {
    code: 'COLLECTIVE_MISMATCH',
    priority: 44,
    scope: 'rank',
    trigger: /Detected mismatch between collectives/,
    patterns: [
      { re: /Detected mismatch between collectives on ranks\. Rank (?<rankA>\d+) is running collective: (?<opA>.{1,300}?), but Rank (?<rankB>\d+) is running collective: (?<opB>.{1,300})/ },
    ],
    fixes: [{ kind: 'set', key: 'sample_steps', value: 4 }],
  },
  {
    code: 'HOST_OOM_KILLED',
    priority: 50,
    scope: 'rank',
    trigger: /Out of memory: Killed process|oom-kill|OOMKilled/,
    patterns: [
      { re: /Out of memory: Killed process (?<pid>\d+) \((?<process>[^)]{1,60})\)/ },
      { re: /oom-kill:constraint=(?<constraint>\w+)/ },
      { re: /OOMKilled"?:\s*true/ },
    ],
  },
  {
    code: 'NATIVE_CRASH',
    priority: 52,
    scope: 'rank',
    trigger: /Segmentation fault|Fatal Python error/,
    patterns: [{ re: /Fatal Python error: (?<what>Segmentation fault|Aborted|Bus error)/ }, { re: /^(?<what>Segmentation fault)(?: \(core dumped\))?$/ }],
  },
  {
    code: 'NCCL_HEARTBEAT_STUCK',
    priority: 60,
    scope: 'rank',
    trigger: /Heartbeat monitor timed out|watchdog\s*got\s*stuck|watchdog hang/,
    patterns: [
      { re: /ProcessGroupNCCL's\s*watchdog\s+got\s+stuck\s+for\s+(?<seconds>\d+)\s+seconds/, consequence: true },
      { re: /Heartbeat monitor timed out!|due to ProcessGroupNCCL watchdog hang/, consequence: true, weak: true },
    ],
    fixes: [{ kind: 'env', name: 'NCCL_P2P_DISABLE', value: '1' }],
  },
  {
    code: 'NCCL_WATCHDOG_TIMEOUT',
    priority: 64,
    scope: 'rank',
    trigger: /Watchdog caught collective operation timeout|timed out in blocking wait|communicator was aborted|last enqueued|Timed out waiting \d+ms/,
    patterns: [
      {
        // C03 [tested]; ≤2.0 has no NumelIn/NumelOut.
        re: /Watchdog caught collective operation timeout: WorkNCCL\(SeqNum=(?<seq>\d+), OpType=(?<op>\w+)(?:, NumelIn=(?<numelIn>-?\d+), NumelOut=(?<numelOut>-?\d+))?, Timeout\(ms\)=(?<timeoutMs>\d+)\) ran for (?<ranMs>\d+) milliseconds before timing out/,
        consequence: true,
      },
      { re: /Watchdog caught collective operation timeout/, consequence: true, weak: true },
      { re: /Work WorkNCCL\(SeqNum=(?<seq>\d+), OpType=(?<op>\w+).{0,200}?\) timed out in blocking wait/, consequence: true },
      { re: /NCCL communicator was aborted on rank (?<abortedRank>\d+)/, consequence: true, weak: true },
      // 2.4–2.10 and 2.11 wording of the sequence numbers (C03 lines 2–4).
      { re: /(?:watchdog at work|Timeout at NCCL work): (?<seq>\d+), last enqueued NCCL work: (?<lastEnqueued>\d+), last completed NCCL work: (?<lastCompleted>\d+)/, consequence: true },
      { re: /detected by watchdog at work sequence id: (?<seq>\d+) PG status: last enqueued work: (?<lastEnqueued>\d+), last completed work: (?<lastCompleted>\d+)/, consequence: true },
      { re: /Last enqueued NCCL work: (?<lastEnqueued>\d+), last completed NCCL work: (?<lastCompleted>\d+)/, consequence: true },
      // gloo (CPU) collectives: torch 1.13 `Timed out waiting 5000ms for recv operation to complete`.
      { re: /gloo.{0,200}?Timed out waiting (?<timeoutMs>\d+)ms for (?<op>\w+) operation to complete/, consequence: true },
    ],
    fixes: [
      { kind: 'env', name: 'TORCH_NCCL_TRACE_BUFFER_SIZE', value: '2000' },
      { kind: 'env', name: 'TORCH_NCCL_DUMP_ON_TIMEOUT', value: '1' },
    ],
  },
  {
    code: 'FFMPEG_MISSING',
    priority: 70,
    scope: 'rank',
    trigger: /ffmpeg/,
    patterns: [
      { re: /No such file or directory: '(?:[^']{0,200}\/)?ffmpeg'/ },
      { re: /ffmpeg: (?:command )?not found|'ffmpeg' is not recognized|No ffmpeg exe could be found|ffmpeg is not installed/ },
    ],
  },
  // Runs across machines: their own file, their own words (shared/i18n/locales/nodes.ts).
  ...NODE_CATALOG,
  ...COMPANION_CATALOG,
];

export const catalogByCode = new Map(CATALOG.map((e) => [e.code, e]));
