import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/temp';

/**
 * Real excerpts, one or more per code. Sources: the shared fixtures (torch 2.11 on 4×H200), this
 * folder's own captures (Debian torch 1.13 CPU through resources/torchrun/lal_torchrun.py; the
 * scripts are in fixtures/scripts/), and texts quoted verbatim in
 * docs/upstream-notes.md §10 and §6 (section named per excerpt).
 */
export const shared = (p: string): string => readFileSync(join(repoRoot, 'test/fixtures/captured', p), 'utf8');
export const own = (p: string): string => readFileSync(join(repoRoot, 'test/unit/failures/fixtures', p), 'utf8');

export interface Excerpt {
  name: string;
  code: string;
  rank: number | null;
  text: string;
  fields?: Record<string, string | number>;
  /** Sources given per rank (the run manager's per-rank files). */
  rankFile?: number;
}

const AGENT_FAIL_TAIL = (rank: number, code: number, pid = 4242) =>
  `E1122 07:08:17.250000 1441 torch/distributed/elastic/multiprocessing/api.py:986] failed (exitcode: ${code}) local_rank: ${rank} (pid: ${pid}) of binary: /opt/torch/.venv/bin/python`;

export const EXCERPTS: Excerpt[] = [
  { name: 'fixture fail-oom.log (2.11)', code: 'CUDA_OOM', rank: 1, text: shared('logs/fail-oom.log'), fields: { requested: '37.25 GiB', gpu: '1', total: '139.80 GiB', free: '26.59 GiB', inUse: '113.20 GiB', allocated: '111.76 GiB', unallocated: '19.08 MiB' } },
  {
    name: 'C01 2.1 "capacty" typo',
    code: 'CUDA_OOM',
    rank: 0,
    text: '[rank0]: torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 MiB. GPU 0 has a total capacty of 23.65 GiB of which 1.06 MiB is free. Including non-PyTorch memory, this process has 20.63 GiB memory in use. Of the allocated memory 16.79 GiB is allocated by PyTorch, and 3.35 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF',
    fields: { requested: '2.00 MiB', total: '23.65 GiB', unallocated: '3.35 GiB' },
  },
  {
    name: 'C01 ≤2.0 format',
    code: 'CUDA_OOM',
    rank: null,
    text: 'RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 23.70 GiB total capacity; 1.21 GiB already allocated; 6.69 MiB free; 1.22 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF',
    fields: { requested: '20.00 MiB', gpu: '0', reserved: '1.22 GiB', free: '6.69 MiB' },
  },
  {
    name: 'C01 2.5 layout with a `Process N has` line (numbers after liveavatar §6 #9, illustrative)',
    code: 'CUDA_OOM',
    rank: 0,
    text: '[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 360.00 MiB. GPU 0 has a total capacity of 79.25 GiB of which 18.75 MiB is free. Process 812 has 3.10 GiB memory in use. Including non-PyTorch memory, this process has 76.02 GiB memory in use. Of the allocated memory 74.10 GiB is allocated by PyTorch, and 1.20 GiB is reserved by PyTorch but unallocated.',
    fields: { otherProcesses: '3.10 GiB', inUse: '76.02 GiB' },
  },
  { name: 'C02 NCCL CUDA calloc', code: 'CUDA_OOM', rank: 3, text: `host:1234:1240 [3] include/alloc.h:185 NCCL WARN Failed to CUDA calloc 6291456 bytes\n${AGENT_FAIL_TAIL(3, 1, 1234)}`, fields: { variant: 'nccl', ncclBytes: '6291456' } },
  { name: 'own 1.13 SIGKILL (table -9)', code: 'HOST_OOM_KILLED', rank: 2, text: own('t113-sigkill.log'), fields: { exitCode: -9 } },
  {
    name: 'C12 kernel log line',
    code: 'HOST_OOM_KILLED',
    rank: null,
    text: '[12345.678] Out of memory: Killed process 1234 (python) total-vm:123456kB, anon-rss:99999kB, file-rss:0kB, shmem-rss:0kB',
    fields: { pid: '1234', process: 'python' },
  },
  {
    name: 'C03 2.4+ watchdog with sequence numbers',
    code: 'NCCL_WATCHDOG_TIMEOUT',
    rank: 0,
    text: [
      '[rank0]:[E1016 03:31:38.877036871 ProcessGroupNCCL.cpp:616] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=9141, OpType=_ALLGATHER_BASE, NumelIn=19008, NumelOut=152064, Timeout(ms)=600000) ran for 600020 milliseconds before timing out.',
      '[rank0]:[E1016 03:31:38.877300000 ProcessGroupNCCL.cpp:1785] [PG 1 Rank 0] Exception (either an error or timeout) detected by watchdog at work: 9141, last enqueued NCCL work: 9141, last completed NCCL work: 9140.',
    ].join('\n'),
    fields: { op: '_ALLGATHER_BASE', seq: '9141', numelIn: '19008', timeoutMs: '600000' },
  },
  {
    name: 'C03 ≤2.0 format (no numel)',
    code: 'NCCL_WATCHDOG_TIMEOUT',
    rank: 1,
    text: '[E ProcessGroupNCCL.cpp:737] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=2521, OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 1800402 milliseconds before timing out.',
    fields: { op: 'ALLREDUCE', timeoutMs: '1800000' },
  },
  { name: 'own 1.13 gloo timeout run (rank 1 slept)', code: 'NCCL_WATCHDOG_TIMEOUT', rank: 1, text: own('run-timeout/console.log'), fields: { op: 'recv', timeoutMs: '5000', laggard: 1 } },
  {
    name: 'C04 2.5+ heartbeat',
    code: 'NCCL_HEARTBEAT_STUCK',
    rank: 6,
    text: "[rank6]:[E429 13:55:49.384372190 ProcessGroupNCCL.cpp:1743] [PG ID 0 PG GUID 0(default_pg) Rank 6] ProcessGroupNCCL's watchdog got stuck for 480 seconds without making progress in monitoring enqueued collectives. This typically indicates a NCCL/CUDA API (e.g., CudaEventDestroy) hang blocking the watchdog, and could be triggered by another thread holding the GIL inside a CUDA api (for example, CudaEventDestroy), or other deadlock-prone behaviors.",
    fields: { seconds: '480' },
  },
  {
    name: 'C04 2.2 heartbeat',
    code: 'NCCL_HEARTBEAT_STUCK',
    rank: 1,
    text: '[rank1]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 1] Heartbeat monitor timed out! Process will be terminated after dumping debug info. workMetaList_.size()=103',
  },
  {
    name: 'C05 unhandled system error (2.x shape)',
    code: 'NCCL_ERROR',
    rank: 2,
    text: [
      '[rank2]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/NCCLUtils.hpp:317, unhandled cuda error (run with NCCL_DEBUG=INFO for details), NCCL version 2.21.5',
      "[rank2]: ncclUnhandledCudaError: Call to CUDA function failed.",
      '[rank2]: Last error:',
      "[rank2]: Cuda failure 'peer access is not supported between these two devices'",
    ].join('\n'),
    fields: { what: 'unhandled cuda error', ncclVersion: '2.21.5', lastError: "Cuda failure 'peer access is not supported between these two devices'" },
  },
  {
    name: 'C05/C08 shm as Last error',
    code: 'NCCL_SHM',
    rank: 0,
    text: [
      '[rank0]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/NCCLUtils.hpp:317, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.21.5',
      '[rank0]: ncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error. ',
      '[rank0]: Last error:',
      '[rank0]: Error while creating shared memory segment /dev/shm/nccl-cjY8K5 (size 10617216), error: No space left on device (28)',
    ].join('\n'),
    fields: { segment: '/dev/shm/nccl-cjY8K5', bytes: '10617216' },
  },
  {
    name: 'C08 old NCCL shmutils',
    code: 'NCCL_SHM',
    rank: 1,
    text: 'node1:812:812 [1] misc/shmutils.cc:72 NCCL WARN Error: failed to extend /dev/shm/nccl-UbzKZ9 to 9637892 bytes\n' + AGENT_FAIL_TAIL(1, 1, 812),
  },
  {
    name: 'C06 duplicate GPU (NCCL 2.14)',
    code: 'DUPLICATE_GPU',
    rank: 4,
    text: [
      '[rank4]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1275, internal error, NCCL version 2.14.3',
      '[rank4]: ncclInternalError: Internal check failed.',
      '[rank4]: Last error:',
      '[rank4]: Duplicate GPU detected : rank 0 and rank 4 both on CUDA device 7000',
    ].join('\n'),
    fields: { rankA: '0', rankB: '4', busId: '7000' },
  },
  { name: 'own 1.13 port in use (Debian glog)', code: 'PORT_IN_USE', rank: null, text: own('t113-port-in-use.log'), fields: { port: '29620' } },
  {
    name: 'C09 2.5+ libuv EADDRINUSE',
    code: 'PORT_IN_USE',
    rank: null,
    text: 'torch.distributed.DistNetworkError: The server socket has failed to listen on any local network address. port: 29500, useIpv6: false, code: -98, name: EADDRINUSE, message: address already in use',
    fields: { port: '29500' },
  },
  { name: 'liveavatar §6 #15 Gradio port', code: 'PORT_IN_USE', rank: null, text: 'OSError: Cannot find empty port in range: 7860-7860. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable or passing the server_port parameter to launch().', fields: { port: '7860' } },
  { name: 'C09 store clients', code: 'RENDEZVOUS_TIMEOUT', rank: null, text: 'torch.distributed.DistStoreError: Timed out after 601 seconds waiting for clients. 1/4 clients joined.', fields: { joined: '1', world: '4', seconds: '601' } },
  { name: 'C09 rendezvous api', code: 'RENDEZVOUS_TIMEOUT', rank: null, text: 'torch.distributed.elastic.rendezvous.api.RendezvousTimeoutError: ', fields: { what: 'RendezvousTimeoutError' } },
  {
    name: 'C16 invalid ordinal (5 procs on 4 GPUs)',
    code: 'INVALID_DEVICE_ORDINAL',
    rank: 4,
    text: [
      'Traceback (most recent call last):',
      '  File "/work/LiveAvatar/minimal_inference/s2v_streaming_interact.py", line 330, in generate',
      '    torch.cuda.set_device(local_rank)',
      'torch.AcceleratorError: CUDA error: invalid device ordinal',
      'GPU device may be out of range, do you have enough GPUs?',
      AGENT_FAIL_TAIL(4, 1),
    ].join('\n'),
  },
  {
    name: 'C14 sm_120 warning',
    code: 'NO_KERNEL_IMAGE',
    rank: null,
    text: 'UserWarning: NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation.\nRuntimeError: CUDA error: no kernel image is available for execution on the device',
    fields: { capability: '120' },
  },
  {
    name: 'C15 driver too old',
    code: 'DRIVER_TOO_OLD',
    rank: null,
    text: 'RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver by downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx Alternatively, go to: https://pytorch.org to install a PyTorch version that has been compiled with your version of the CUDA driver.',
    fields: { foundVersion: '11040', driverCuda: '11.4' },
  },
  {
    name: 'C15 802 fabric manager',
    code: 'DRIVER_TOO_OLD',
    rank: null,
    text: 'RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have already set an error? Error 802: system not yet initialized',
    fields: { cudaError: '802' },
  },
  {
    name: 'C13 illegal memory access',
    code: 'ILLEGAL_MEMORY_ACCESS',
    rank: 0,
    text: '[rank0]: RuntimeError: CUDA error: an illegal memory access was encountered\n[rank0]: CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\n[rank0]: For debugging consider passing CUDA_LAUNCH_BLOCKING=1.',
    fields: { what: 'an illegal memory access was encountered' },
  },
  { name: 'fixture h200x4/env.txt', code: 'FLASH_ATTN_MISSING', rank: null, text: shared('h200x4/env.txt'), fields: { module: 'flash_attn' } },
  { name: 'own python import', code: 'FLASH_ATTN_MISSING', rank: null, text: own('py-flash-attn-missing.log') },
  {
    name: 'C17 ABI mismatch',
    code: 'FLASH_ATTN_MISSING',
    rank: null,
    text: 'ImportError: /usr/local/lib/python3.10/site-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: undefined symbol: _ZN3c104cuda9SetDeviceEi',
    fields: { variant: 'abi', symbol: '_ZN3c104cuda9SetDeviceEi' },
  },
  {
    name: 'liveavatar §6 #14 bare assert',
    code: 'FLASH_ATTN_MISSING',
    rank: 2,
    text: '[rank2]:   File "/work/LiveAvatar/liveavatar/models/wan/wan_2_2/modules/attention.py", line 121, in flash_attention\n[rank2]:     assert FLASH_ATTN_2_AVAILABLE\n[rank2]: AssertionError',
  },
  {
    name: 'upstream-notes §1.1 item 8 FP8 on Ampere',
    code: 'FP8_UNSUPPORTED',
    rank: 0,
    text: '[rank0]: RuntimeError: torch._scaled_mm is only supported on CUDA devices with compute capability >= 9.0 or 8.9, or ROCm MI300+',
  },
  { name: 'own 1.13 run with error.json (cond cache 3000 vs 8800)', code: 'SIZE_TOO_LARGE', rank: 1, text: own('run-crash/console.log'), fields: { cacheTokens: '3000', needTokens: '8800' } },
  { name: 'own 1.13 assertion, every rank', code: 'ARG_ASSERTION', rank: 0, text: own('t113-assert.log'), fields: { message: 'At least 5 GPUs are supported for distributed inference.' } },
  {
    name: 'C18 ulysses assert (2.x prefix)',
    code: 'ARG_ASSERTION',
    rank: 3,
    text: '[rank3]: AssertionError: `cfg.num_heads=40` cannot be divided evenly by `args.ulysses_size=3`.',
  },
  { name: 'own python checkpoint', code: 'MISSING_CHECKPOINT', rank: null, text: own('py-missing-checkpoint.log'), fields: { path: 'ckpt/Wan2.2-S2V-14B/models_t5_umt5-xxl-enc-bf16.pth' } },
  { name: 'own python ffmpeg', code: 'FFMPEG_MISSING', rank: null, text: own('py-ffmpeg-missing.log') },
  {
    name: 'C19 desync',
    code: 'COLLECTIVE_MISMATCH',
    rank: 0,
    text: '[rank0]: RuntimeError: Detected mismatch between collectives on ranks. Rank 0 is running collective: CollectiveFingerPrint(SequenceNumber=12, OpType=ALLGATHER, TensorShape=[4], TensorDtypes=Float), but Rank 2 is running collective: CollectiveFingerPrint(OpType=ALLGATHER).',
    fields: { rankA: '0', rankB: '2' },
  },
  {
    name: 'C07 NCCL version mismatch',
    code: 'NCCL_MISMATCH',
    rank: 1,
    text: 'node:77:77 [1] NCCL WARN Mismatched NCCL version detected : rank 1 version 22105 rank 0 version 22703\n' + AGENT_FAIL_TAIL(1, 1, 77),
  },
  { name: 'C10 -11 with no traceback', code: 'NATIVE_CRASH', rank: 3, text: AGENT_FAIL_TAIL(3, -11) },
  { name: 'fixture fail-crash.log (unrecognised RuntimeError)', code: 'UNKNOWN', rank: 1, text: shared('logs/fail-crash.log'), fields: { message: 'RuntimeError: simulated failure in rank 1 forward pass' } },
];
