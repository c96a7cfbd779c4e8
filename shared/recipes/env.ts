/**
 * Environment a recipe may set, and the names a profile may set without asking the user.
 *
 * Allowed: knobs of NCCL, the PyTorch NCCL watchdog, CUDA, threads, the caching allocator and
 * compilation. Never allowed without consent: anything that changes WHAT code runs or where it is
 * loaded from (LD_PRELOAD, LD_LIBRARY_PATH, PYTHONPATH, PYTHONSTARTUP, HF_ENDPOINT ...).
 * A trailing `*` allows a prefix; the concrete names are listed too, for exact-match callers.
 */
export const ENV_ALLOW_COMMON: string[] = [
  'NCCL_*',
  'TORCH_NCCL_*',
  'CUDA_*',
  'NCCL_DEBUG',
  'NCCL_DEBUG_SUBSYS',
  'NCCL_P2P_DISABLE',
  'NCCL_P2P_LEVEL',
  'NCCL_IB_DISABLE',
  'NCCL_SHM_DISABLE',
  'NCCL_SOCKET_IFNAME',
  'NCCL_PROTO',
  'NCCL_ALGO',
  'NCCL_BUFFSIZE',
  'NCCL_NVLS_ENABLE',
  'TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC',
  'TORCH_NCCL_ASYNC_ERROR_HANDLING',
  'TORCH_NCCL_BLOCKING_WAIT',
  'TORCH_NCCL_TRACE_BUFFER_SIZE',
  'TORCH_NCCL_DUMP_ON_TIMEOUT',
  'TORCH_NCCL_ENABLE_MONITORING',
  'CUDA_LAUNCH_BLOCKING',
  'CUDA_DEVICE_MAX_CONNECTIONS',
  'CUDA_MODULE_LOADING',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'PYTORCH_CUDA_ALLOC_CONF',
  'PYTORCH_ALLOC_CONF',
  'TOKENIZERS_PARALLELISM',
  'PYTHONUNBUFFERED',
  'ENABLE_COMPILE',
  'TORCH_COMPILE_DISABLE',
  'TORCHDYNAMO_DISABLE',
  'TRITON_CACHE_DIR',
  'TORCHINDUCTOR_CACHE_DIR',
  'HF_HUB_OFFLINE',
  'TRANSFORMERS_OFFLINE',
];

/** Never allow-listed, whatever a recipe says: they change the code that runs. */
export const ENV_NEVER_ALLOWED = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONINSPECT', 'PYTHONUSERBASE', 'PATH', 'HF_ENDPOINT', 'BASH_ENV', 'ENV'];

/** True when `name` may be set by a profile of this recipe without consent (prefix entries end in `*`). */
export function envNameAllowed(allow: string[], name: string): boolean {
  if (ENV_NEVER_ALLOWED.includes(name)) return false;
  return allow.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : a === name));
}

/**
 * NCCL and watchdog defaults. The shipped scripts set NCCL_DEBUG=WARN and NCCL_DEBUG_SUBSYS=OFF
 * (liveavatar-facts §2); the heartbeat is shortened from the 8–10 min default so a wedged rank is
 * reported within 5 min (failure-catalog, watchdog class).
 */
export const NCCL_ENV: Record<string, string> = {
  NCCL_DEBUG: 'WARN',
  NCCL_DEBUG_SUBSYS: 'OFF',
  TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '300',
};
