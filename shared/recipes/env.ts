/**
 * Environment a recipe may set, and the names a profile may set without asking the user.
 *
 * Allowed: knobs of NCCL, the PyTorch NCCL watchdog, CUDA, threads, the caching allocator and
 * compilation, each by its EXACT name. There are no prefix entries: NCCL, CUDA and torch grow new
 * variables every release, and some of them load a library into every rank (CUDA_INJECTION64_PATH,
 * NCCL_NET_PLUGIN, NCCL_TUNER_PLUGIN, NCCL_PROFILER_PLUGIN) or open a file for writing
 * (NCCL_DEBUG_FILE, NCCL_TOPO_DUMP_FILE). A name that is not listed here needs consent.
 */
export const ENV_ALLOW_COMMON: string[] = [
  'NCCL_DEBUG',
  'NCCL_DEBUG_SUBSYS',
  'NCCL_P2P_DISABLE',
  'NCCL_P2P_LEVEL',
  'NCCL_IB_DISABLE',
  'NCCL_SHM_DISABLE',
  'NCCL_SOCKET_IFNAME',
  'GLOO_SOCKET_IFNAME',
  'NCCL_PROTO',
  'NCCL_ALGO',
  'NCCL_BUFFSIZE',
  'NCCL_NVLS_ENABLE',
  'NCCL_CUMEM_ENABLE',
  'NCCL_ASYNC_ERROR_HANDLING',
  'TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC',
  'TORCH_NCCL_ASYNC_ERROR_HANDLING',
  'TORCH_NCCL_BLOCKING_WAIT',
  'TORCH_NCCL_TRACE_BUFFER_SIZE',
  'TORCH_NCCL_DUMP_ON_TIMEOUT',
  'TORCH_NCCL_ENABLE_MONITORING',
  'CUDA_VISIBLE_DEVICES',
  'CUDA_DEVICE_ORDER',
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
  'HF_HUB_OFFLINE',
  'TRANSFORMERS_OFFLINE',
];

/** Never allow-listed, whatever a recipe says: they change the code that runs. */
export const ENV_NEVER_ALLOWED = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONINSPECT', 'PYTHONUSERBASE', 'PATH', 'HF_ENDPOINT', 'BASH_ENV', 'ENV'];

/**
 * Families whose variables may load code or name a file or folder: NCCL, CUDA, torch (with its
 * inductor/dynamo spellings), Triton, Python and the dynamic loader.
 */
const RISKY_FAMILY = /^(NCCL_|CUDA_|TORCH_|TORCHINDUCTOR_|TORCHDYNAMO_|PYTORCH_|TRITON_|PYTHON|LD_|HF_|TRANSFORMERS_)/;
/**
 * Parts of a name that say "this is code to load or a path": `*_PLUGIN`, `*_INJECTION*`, `*_FILE`,
 * `*_PATH`, `*_DIR`, `*_HOME` (and `*_LIB`, `*_PRELOAD`, `*_CACHE`, which name folders too).
 * Matched as whole `_`-separated words, so `NCCL_DEBUG_FILE` and `CUDA_INJECTION64_PATH` match while
 * `NCCL_P2P_DISABLE` does not.
 */
const RISKY_WORD = /(^|_)(PLUGIN|PLUGINS|INJECTION\d*|FILE|FILES|PATH|PATHS|DIR|DIRS|HOME|LIB|LIBS|LIBRARY|PRELOAD|CACHE|PREFIX|ROOT|STARTUP|CONFIG)(_|$)/;

/**
 * True for a name that loads code or names a file/folder: it needs the same consent as LD_PRELOAD,
 * even if a recipe lists it. PYTHON* counts whole (PYTHONSTARTUP, PYTHONUSERBASE, PYTHONBREAKPOINT
 * all change what runs), PYTHONUNBUFFERED aside.
 */
export function envNameRisky(name: string): boolean {
  if (ENV_NEVER_ALLOWED.includes(name)) return true;
  if (name.startsWith('PYTHON') && name !== 'PYTHONUNBUFFERED') return true;
  return RISKY_FAMILY.test(name) && RISKY_WORD.test(name.replace(RISKY_FAMILY, '_'));
}

/** True for a name whose value is a file, folder or library to load (flagged as a path whatever it looks like). */
export function envNameNamesPath(name: string): boolean {
  return /^(LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PYTHONUSERBASE|BASH_ENV|ENV)$/.test(name) || (RISKY_FAMILY.test(name) && RISKY_WORD.test(name.replace(RISKY_FAMILY, '_')));
}

/** True when `name` may be set by a profile of this recipe without consent: listed exactly, and not risky. */
export function envNameAllowed(allow: readonly string[], name: string): boolean {
  if (envNameRisky(name)) return false;
  return allow.includes(name);
}

/**
 * NCCL and watchdog defaults. The shipped scripts set NCCL_DEBUG=WARN and NCCL_DEBUG_SUBSYS=OFF
 * (Alibaba-Quark/LiveAvatar infinite_inference_*.sh); the heartbeat is shortened from the 8–10 min
 * default so a wedged rank is reported within 5 min (docs/run-manager.md, watchdog).
 */
export const NCCL_ENV: Record<string, string> = {
  NCCL_DEBUG: 'WARN',
  NCCL_DEBUG_SUBSYS: 'OFF',
  TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '300',
};
