import type { Bilingual } from '../i18n';
import type { FailureCode, FixAction } from './types';

/**
 * The failure catalog as data. Patterns and wording come from docs/upstream-notes.md
 * (C01–C20, Appendix A; "[tested]" regexes there matched real torch 1.13–2.11 logs) and
 * docs/upstream-notes.md §6/§8. JS regex syntax; named groups become diagnosis fields. Patterns run
 * on one de-decorated line (line.ts) or on a few lines joined back when a terminal hard-wrapped
 * them, so they must be unanchored unless a field is meant to be the whole line, and linear:
 * every `*`/`+` is followed by a literal that the repeated part cannot contain.
 *
 * Text templates: `{field}` and optional `[[… {field} …]]` parts (template.ts). `{who}` is "Rank N"
 * or "A process". Plain words, a concrete next step, no folklore such as raising every timeout.
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
  /** Lower = more specific, more likely the first cause (upstream-notes §12 order). */
  priority: number;
  /** 'agent': printed by torchrun itself, belongs to no rank. */
  scope: 'rank' | 'agent';
  /** Cheap keywords; the patterns run only on lines that contain one. */
  trigger: RegExp;
  patterns: PatternSpec[];
  /** Codes this one explains when both show up for the same rank (the NCCL wrapper of a shm error). */
  supersedes?: FailureCode[];
  title: Bilingual;
  explanation: Bilingual;
  fix: Bilingual;
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
    title: { en: 'Resolution too large for Live Avatar', zh: '分辨率超出 Live Avatar 的上限' },
    explanation: {
      en: '{who} stopped while filling the conditioning cache: this resolution needs {needTokens} tokens, but Live Avatar reserves room for only {cacheTokens} (a fixed limit in its code, about 704×384). --size is an area budget, so any size above 720*400 fails this way.',
      zh: '{who} 在填充条件缓存时停止：当前分辨率需要 {needTokens} 个 token，而 Live Avatar 代码里只预留了 {cacheTokens} 个（固定上限，约等于 704×384）。--size 表示面积上限，所以大于 720*400 的尺寸都会这样失败。',
    },
    fix: {
      en: 'Pick --size 688*368 (or 704*384, 720*400, 384*256) and run again. Larger sizes need a patched Live Avatar and much more GPU memory.',
      zh: '把 --size 改为 688*368（或 704*384、720*400、384*256）后重新运行。更大的尺寸需要修改 Live Avatar 源码，并且需要多得多的显存。',
    },
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
    title: { en: 'GPU out of memory', zh: '显存不足（CUDA OOM）' },
    explanation: {
      en: '{who} ran out of GPU memory[[ on GPU {gpu}]][[: it asked for {requested} more]][[, but only {free} of {total} was free]][[ (this process already held {inUse})]].[[ {advice}]]',
      zh: '{who} 显存不足[[（GPU {gpu}）]][[：它还需要 {requested}]][[，但 {total} 中只剩 {free} 空闲]][[（本进程已占用 {inUse}）]]。[[{advice}]]',
    },
    fix: {
      en: 'Use less memory per GPU: a smaller --size (688*368), --fp8 on RTX 40xx/Ada/Hopper cards, --offload_kv_cache on a single GPU, or --t5_cpu. If memory is fragmented, set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True.',
      zh: '降低每张卡的显存占用：更小的 --size（688*368）；RTX 40 系 / Ada / Hopper 显卡可加 --fp8；单卡可加 --offload_kv_cache；或加 --t5_cpu。若显存碎片较多，设置 PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True。',
    },
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
    title: { en: 'FP8 is not supported on this GPU', zh: '这张显卡不支持 FP8' },
    explanation: {
      en: '{who} failed at its first FP8 matrix multiply. --fp8 needs compute capability 8.9 or newer (RTX 40xx, L40S, H100/H200); A100, A800 and RTX 30xx cannot run it.',
      zh: '{who} 在第一次 FP8 矩阵乘法时失败。--fp8 需要算力 8.9 及以上（RTX 40 系、L40S、H100/H200）；A100、A800、RTX 30 系不支持。',
    },
    fix: {
      en: 'Turn off --fp8. To save the memory it would have saved, add --offload_kv_cache (single GPU) or --t5_cpu, or lower --size.',
      zh: '关闭 --fp8。为弥补它节省的显存，可加 --offload_kv_cache（单卡）或 --t5_cpu，或降低 --size。',
    },
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
    title: { en: 'flash-attn is missing or broken', zh: 'flash-attn 未安装或无法加载' },
    explanation: {
      en: '{who} could not use flash-attn[[ ({module} is not installed)]][[: the installed build does not match this torch (undefined symbol {symbol})]]. Live Avatar calls flash attention for cross-attention, so it cannot run without it.',
      zh: '{who} 无法使用 flash-attn[[（未安装 {module}）]][[：已安装的版本与当前 torch 不匹配（未定义符号 {symbol}）]]。Live Avatar 的交叉注意力依赖 flash attention，缺少它无法运行。',
    },
    fix: {
      en: 'In the same Python environment install a flash-attn wheel built for your torch version, CUDA version and C++ ABI (flash-attn 2.8.3, or FA3 on H100/H200), or build it with `pip install flash-attn --no-build-isolation`. Check with `python -c "import flash_attn, flash_attn_2_cuda"`.',
      zh: '在同一个 Python 环境中安装与 torch 版本、CUDA 版本和 C++ ABI 都匹配的 flash-attn（flash-attn 2.8.3，H100/H200 可用 FA3），或用 `pip install flash-attn --no-build-isolation` 编译安装。用 `python -c "import flash_attn, flash_attn_2_cuda"` 验证。',
    },
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
    title: { en: 'Model files are missing', zh: '找不到模型文件' },
    explanation: {
      en: '{who} could not open[[ {path}]]. Live Avatar reads every weight file from fixed places under --ckpt_dir (T5, tokenizer, VAE, DiT shards, wav2vec2) and the LoRA from --lora_path_dmd.',
      zh: '{who} 无法打开[[ {path}]]。Live Avatar 从 --ckpt_dir 下的固定位置读取所有权重（T5、分词器、VAE、DiT 分片、wav2vec2），LoRA 从 --lora_path_dmd 读取。',
    },
    fix: {
      en: 'Download the weights with `huggingface-cli download Wan-AI/Wan2.2-S2V-14B --local-dir ./ckpt/Wan2.2-S2V-14B` and `huggingface-cli download Quark-Vision/Live-Avatar --local-dir ./ckpt/LiveAvatar`, point --ckpt_dir at the first folder, and pass the LoRA as a local file: --lora_path_dmd ckpt/LiveAvatar/liveavatar.safetensors.',
      zh: '用 `huggingface-cli download Wan-AI/Wan2.2-S2V-14B --local-dir ./ckpt/Wan2.2-S2V-14B` 和 `huggingface-cli download Quark-Vision/Live-Avatar --local-dir ./ckpt/LiveAvatar` 下载权重，--ckpt_dir 指向第一个目录，LoRA 用本地文件：--lora_path_dmd ckpt/LiveAvatar/liveavatar.safetensors。',
    },
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
    title: { en: 'The model script rejected the settings', zh: '模型脚本拒绝了当前参数' },
    explanation: {
      en: '{who} stopped at an argument check before doing any work[[: "{message}"]].[[ {advice}]]',
      zh: '{who} 在参数检查时就停止了，尚未开始计算[[：“{message}”]]。[[{advice}]]',
    },
    fix: {
      en: 'Change the setting named in the message and run again; the launcher checks the known ones before starting.',
      zh: '按提示修改对应参数后重新运行；启动器会在启动前检查已知的限制。',
    },
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
    title: { en: 'GPU driver too old or not working', zh: '显卡驱动过旧或无法使用' },
    explanation: {
      en: '{who} could not start CUDA: the NVIDIA driver does not support the CUDA version this torch was built with[[ (the driver supports CUDA {driverCuda})]][[; CUDA error {cudaError}: {what}]].[[ {advice}]]',
      zh: '{who} 无法初始化 CUDA：NVIDIA 驱动不支持当前 torch 所用的 CUDA 版本[[（该驱动最高支持 CUDA {driverCuda}）]][[；CUDA 错误 {cudaError}：{what}]]。[[{advice}]]',
    },
    fix: {
      en: 'Update the NVIDIA driver (CUDA 12.8 wheels want driver 570 or newer), or install a torch build for an older CUDA. Check with `nvidia-smi` and `python -c "import torch; print(torch.version.cuda)"`.',
      zh: '升级 NVIDIA 驱动（CUDA 12.8 的 torch 建议 570 及以上），或安装面向较旧 CUDA 的 torch。用 `nvidia-smi` 和 `python -c "import torch; print(torch.version.cuda)"` 核对。',
    },
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
    title: { en: 'This torch build does not support the GPU', zh: '当前 torch 不支持这张显卡' },
    explanation: {
      en: '{who} found no compiled GPU code for this card[[ (compute capability sm_{capability})]]. The installed torch (or flash-attn) wheel was built for other GPU generations, e.g. RTX 50xx needs CUDA 12.8+ wheels.',
      zh: '{who} 找不到适用于这张显卡的 GPU 代码[[（算力 sm_{capability}）]]。已安装的 torch（或 flash-attn）是为其他架构编译的，例如 RTX 50 系需要 CUDA 12.8 及以上的版本。',
    },
    fix: {
      en: 'Install a torch wheel whose CUDA variant covers the card (check `python -c "import torch; print(torch.cuda.get_arch_list())"`), and rebuild flash-attn for it.',
      zh: '安装 CUDA 版本覆盖这张卡的 torch（用 `python -c "import torch; print(torch.cuda.get_arch_list())"` 查看），并为其重新编译 flash-attn。',
    },
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
    title: { en: 'More processes than visible GPUs', zh: '进程数多于可见的显卡' },
    explanation: {
      en: '{who} asked for a GPU that this process cannot see: torchrun started more processes (--nproc_per_node) than CUDA_VISIBLE_DEVICES lists, or a GPU number does not exist[[ ({variant}: the GPU is in exclusive mode or not passed into the container)]].',
      zh: '{who} 请求了本进程看不到的显卡：torchrun 启动的进程数（--nproc_per_node）多于 CUDA_VISIBLE_DEVICES 中列出的显卡，或指定的显卡编号不存在[[（{variant}：显卡处于独占模式或未映射进容器）]]。',
    },
    fix: {
      en: 'Select as many GPUs as the mode needs (5-GPU TPP needs 5) and let the launcher set CUDA_VISIBLE_DEVICES and --nproc_per_node together; check the numbers with `nvidia-smi -L`.',
      zh: '选择该模式所需数量的显卡（5 卡 TPP 需要 5 张），让启动器同时设置 CUDA_VISIBLE_DEVICES 和 --nproc_per_node；用 `nvidia-smi -L` 核对编号。',
    },
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
    title: { en: 'A GPU kernel crashed', zh: 'GPU 内核崩溃' },
    explanation: {
      en: '{who} hit "{what}". A GPU kernel read or wrote where it should not: usually a custom kernel (flash-attn, FP8) built for another torch/CUDA, mismatched tensor shapes, or a faulty GPU. The process state is corrupt and cannot continue.',
      zh: '{who} 遇到 “{what}”。某个 GPU 内核访问了非法地址：通常是为其他 torch/CUDA 编译的自定义内核（flash-attn、FP8）、张量形状不一致，或显卡硬件故障。进程状态已损坏，无法继续。',
    },
    fix: {
      en: 'Run once with CUDA_LAUNCH_BLOCKING=1 to find the real operation (slow), try without --fp8, reinstall flash-attn for this torch, and look for Xid errors with `dmesg | grep -i xid`.',
      zh: '设置 CUDA_LAUNCH_BLOCKING=1 运行一次以定位真正出错的操作（会变慢），尝试去掉 --fp8，为当前 torch 重新安装 flash-attn，并用 `dmesg | grep -i xid` 查看 Xid 错误。',
    },
    fixes: [{ kind: 'env', name: 'CUDA_LAUNCH_BLOCKING', value: '1' }],
  },
  {
    code: 'DUPLICATE_GPU',
    priority: 28,
    scope: 'rank',
    trigger: /Duplicate GPU detected/,
    patterns: [{ re: /Duplicate GPU detected : rank (?<rankA>\d+) and rank (?<rankB>\d+) both on CUDA device (?<busId>[0-9a-fA-F]+)/ }],
    supersedes: ['NCCL_ERROR'],
    title: { en: 'Two ranks on the same GPU', zh: '两个进程用了同一张显卡' },
    explanation: {
      en: 'Rank {rankA} and rank {rankB} both ended up on the GPU at bus {busId}; NCCL needs one GPU per rank. Usually --nproc_per_node is larger than the GPUs in CUDA_VISIBLE_DEVICES, or the script does not pick cuda:LOCAL_RANK.',
      zh: 'rank {rankA} 和 rank {rankB} 都在总线 {busId} 上的同一张显卡上；NCCL 要求每个 rank 一张显卡。通常是 --nproc_per_node 大于 CUDA_VISIBLE_DEVICES 中的显卡数，或脚本没有使用 cuda:LOCAL_RANK。',
    },
    fix: {
      en: 'Select distinct GPUs, one per process, and keep --nproc_per_node equal to the number of selected GPUs.',
      zh: '为每个进程选择不同的显卡，并让 --nproc_per_node 等于所选显卡数量。',
    },
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
    title: { en: 'NCCL library mismatch', zh: 'NCCL 库版本不一致' },
    explanation: {
      en: '{who} loaded a different NCCL library than torch was built with[[ (missing symbol {symbol})]][[ (rank {rankA} has {versionA}, rank {rankB} has {versionB})]]. Another package or LD_LIBRARY_PATH put a second NCCL in front.',
      zh: '{who} 加载的 NCCL 库与 torch 编译时使用的不同[[（缺少符号 {symbol}）]][[（rank {rankA} 为 {versionA}，rank {rankB} 为 {versionB}）]]。其他软件包或 LD_LIBRARY_PATH 引入了另一个 NCCL。',
    },
    fix: {
      en: 'Run `pip list | grep nccl`, keep only the nvidia-nccl package torch depends on, and unset LD_LIBRARY_PATH/LD_PRELOAD entries that point at a system NCCL.',
      zh: '执行 `pip list | grep nccl`，只保留 torch 依赖的 nvidia-nccl 包，并去掉指向系统 NCCL 的 LD_LIBRARY_PATH/LD_PRELOAD。',
    },
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
    title: { en: 'Shared memory (/dev/shm) is full', zh: '共享内存（/dev/shm）不足' },
    explanation: {
      en: '{who} could not create NCCL\'s shared-memory buffers[[ ({segment}, {bytes} bytes)]]. Docker gives containers only 64 MB of /dev/shm by default, and killed runs can leave nccl-* files behind.',
      zh: '{who} 无法创建 NCCL 的共享内存缓冲区[[（{segment}，{bytes} 字节）]]。Docker 容器默认只有 64 MB 的 /dev/shm，被强制结束的任务还可能残留 nccl-* 文件。',
    },
    fix: {
      en: 'Start the container with --ipc=host or --shm-size=16g and delete stale /dev/shm/nccl-* files. If /dev/shm cannot grow, set NCCL_SHM_DISABLE=1 (slower).',
      zh: '用 --ipc=host 或 --shm-size=16g 启动容器，并删除残留的 /dev/shm/nccl-* 文件。若无法扩大 /dev/shm，设置 NCCL_SHM_DISABLE=1（会变慢）。',
    },
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
    title: { en: 'NCCL communication error', zh: 'NCCL 通信错误' },
    explanation: {
      en: '{who} got an NCCL error[[ ("{what}")]][[; NCCL\'s reason: {lastError}]]. NCCL moves data between the GPUs; this usually means a peer process died, the GPUs cannot talk directly (P2P), or the NCCL and driver installation do not match.',
      zh: '{who} 遇到 NCCL 错误[[（“{what}”）]][[；NCCL 给出的原因：{lastError}]]。NCCL 负责显卡之间的数据传输；通常是某个对端进程已退出、显卡之间无法直接通信（P2P），或 NCCL 与驱动不匹配。',
    },
    fix: {
      en: 'Look for an earlier error on another rank first. If there is none: on RTX 40xx cards without NVLink set NCCL_P2P_DISABLE=1, and rerun with NCCL_DEBUG=INFO to see the failing step.',
      zh: '先查看其他 rank 是否更早报错。如果没有：在没有 NVLink 的 RTX 40 系显卡上设置 NCCL_P2P_DISABLE=1，并用 NCCL_DEBUG=INFO 重新运行以查看失败步骤。',
    },
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
    title: { en: 'Port already in use', zh: '端口已被占用' },
    explanation: {
      en: 'torchrun could not open its rendezvous port[[ {port}]]: another program, most often an earlier run that is still alive, already uses it.',
      zh: 'torchrun 无法打开用于进程汇合的端口[[ {port}]]：另一个程序（最常见的是仍在运行的上一次任务）已占用该端口。',
    },
    fix: {
      en: 'Run again on another port (the launcher picks a free one), and stop leftover runs with `lal runs --reap`.',
      zh: '换一个端口重新运行（启动器会自动选择空闲端口），并用 `lal runs --reap` 结束残留的任务。',
    },
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
    title: { en: 'The processes could not meet', zh: '进程之间未能完成汇合' },
    explanation: {
      en: 'The ranks did not all reach the rendezvous in time[[: {joined} of {world} joined within {seconds} s]][[ (could not reach {host}:{port})]]. Usually one rank crashed or was still loading before it connected, so look for its error first.',
      zh: '并非所有 rank 都按时完成汇合[[：{seconds} 秒内只有 {joined}/{world} 个加入]][[（无法连接 {host}:{port}）]]。通常是某个 rank 在连接前已崩溃或仍在加载，请先查看它的错误。',
    },
    fix: {
      en: 'Fix the rank that never joined (its error is usually earlier in the log). On one machine use MASTER_ADDR=127.0.0.1 and a free port.',
      zh: '先修复未能加入的 rank（它的错误通常在日志更前面）。单机运行时使用 MASTER_ADDR=127.0.0.1 和空闲端口。',
    },
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
    title: { en: 'Ranks ran different collectives', zh: '各 rank 执行了不同的集合通信' },
    explanation: {
      en: 'Rank {rankA} and rank {rankB} called different NCCL operations at the same point, so they would wait for each other forever. The code took a different path on some ranks (e.g. a different number of clips or steps).',
      zh: 'rank {rankA} 与 rank {rankB} 在同一位置调用了不同的 NCCL 操作，会互相无限等待。说明代码在部分 rank 上走了不同的分支（例如片段数或步数不同）。',
    },
    fix: {
      en: 'Keep settings identical on all ranks; for Live Avatar TPP keep --sample_steps equal to --num_gpus_dit (4).',
      zh: '确保所有 rank 的参数一致；Live Avatar TPP 模式下 --sample_steps 必须等于 --num_gpus_dit（4）。',
    },
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
    title: { en: 'Killed: the computer ran out of RAM', zh: '内存不足，进程被系统杀死' },
    explanation: {
      en: '{who} was killed by the operating system (signal 9, no Python error). That is the Linux out-of-memory killer: every rank loads the 14B checkpoint and T5 into CPU RAM (about 23 GB per process, 115 GB for 5 ranks), more with offloading.',
      zh: '{who} 被操作系统强制结束（信号 9，没有 Python 报错），这是 Linux 的内存不足保护机制。每个 rank 都会把 14B 模型和 T5 读入内存（每个进程约 23 GB，5 个进程约 115 GB），开启 offload 时更多。',
    },
    fix: {
      en: 'Free RAM or add swap, raise the container memory limit, or use fewer processes that offload to the CPU (--offload_model, --t5_cpu). Confirm with `dmesg -T | grep -i killed`.',
      zh: '释放内存或增加 swap，提高容器内存上限，或减少向 CPU 卸载的进程（--offload_model、--t5_cpu）。用 `dmesg -T | grep -i killed` 确认。',
    },
  },
  {
    code: 'NATIVE_CRASH',
    priority: 52,
    scope: 'rank',
    trigger: /Segmentation fault|Fatal Python error/,
    patterns: [{ re: /Fatal Python error: (?<what>Segmentation fault|Aborted|Bus error)/ }, { re: /^(?<what>Segmentation fault)(?: \(core dumped\))?$/ }],
    title: { en: 'A native library crashed', zh: '本地库崩溃' },
    explanation: {
      en: '{who} crashed inside compiled code[[ ({what})]] without a Python error. Most often an extension (flash-attn, xformers, a custom op) was built for a different torch version.',
      zh: '{who} 在编译代码中崩溃[[（{what}）]]，没有 Python 报错。最常见的原因是扩展（flash-attn、xformers、自定义算子）是为其他 torch 版本编译的。',
    },
    fix: {
      en: 'Reinstall flash-attn and other compiled extensions for the installed torch, then run again.',
      zh: '为当前 torch 重新安装 flash-attn 等编译扩展后再运行。',
    },
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
    title: { en: 'NCCL watchdog stuck', zh: 'NCCL 看门狗线程卡住' },
    explanation: {
      en: '{who} was stopped by torch because its NCCL watchdog made no progress[[ for {seconds} s]]: a GPU or NCCL call never returned. Something blocked the GPU: a peer that died, a hang in GPU-to-GPU transfers, or one very long step.',
      zh: '{who} 被 torch 结束，因为 NCCL 看门狗线程[[ {seconds} 秒]]没有进展：某个 GPU 或 NCCL 调用一直没有返回。可能是对端进程已退出、显卡间传输卡死，或某一步耗时过长。',
    },
    fix: {
      en: 'Look for an earlier error on another rank. On PCIe cards without NVLink try NCCL_P2P_DISABLE=1. Only if a phase is known to block the GPU for long (huge VAE decode, first compile) raise TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC to 1800; never disable monitoring.',
      zh: '先查看其他 rank 是否更早报错。没有 NVLink 的 PCIe 显卡可尝试 NCCL_P2P_DISABLE=1。只有确认某阶段会长时间占用 GPU（超大 VAE 解码、首次编译）时，才把 TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC 提高到 1800；不要关闭监控。',
    },
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
    title: { en: 'GPUs waited for each other until the timeout', zh: '显卡之间互相等待直到超时' },
    explanation: {
      en: 'A collective operation[[ ({op}, #{seq}[[, {numelIn} elements]])]] did not finish within[[ {timeoutMin} minutes]] the timeout, so torch stopped the run.[[ Rank {laggard} fell behind: it never issued this operation (last issued #{laggardEnqueued}).]] A timeout is almost always a symptom: one rank crashed, hung or took much longer than the others.',
      zh: '一次集合通信[[（{op}，第 {seq} 次[[，{numelIn} 个元素]]）]]在超时时间[[（{timeoutMin} 分钟）]]内没有完成，torch 因此终止了任务。[[rank {laggard} 落后了：它没有发出这次操作（最后发出的是第 {laggardEnqueued} 次）。]]超时几乎总是结果而不是原因：某个 rank 崩溃、卡住或耗时远超其他 rank。',
    },
    fix: {
      en: 'Look at the rank that fell behind and its last output. For Live Avatar keep --sample_steps equal to --num_gpus_dit; for short tests set ENABLE_COMPILE=false so the first step is not slowed by compilation. To see what each rank was doing next time, enable the flight recorder (TORCH_NCCL_TRACE_BUFFER_SIZE=2000, TORCH_NCCL_DUMP_ON_TIMEOUT=1). Raising the timeout only hides the cause.',
      zh: '查看落后的 rank 及其最后的输出。Live Avatar 需保持 --sample_steps 等于 --num_gpus_dit；短测试可设置 ENABLE_COMPILE=false，避免首步编译拖慢。为了下次能看到各 rank 在做什么，可启用 flight recorder（TORCH_NCCL_TRACE_BUFFER_SIZE=2000、TORCH_NCCL_DUMP_ON_TIMEOUT=1）。单纯调大超时只会掩盖原因。',
    },
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
    title: { en: 'ffmpeg is not installed', zh: '未安装 ffmpeg' },
    explanation: {
      en: '{who} could not run ffmpeg, which Live Avatar uses to put the audio into the video. The video may have been written without sound.',
      zh: '{who} 无法运行 ffmpeg，Live Avatar 用它把音频合成进视频。生成的视频可能没有声音。',
    },
    fix: { en: 'Install ffmpeg (`sudo apt install ffmpeg`) so it is on PATH, then run again.', zh: '安装 ffmpeg（`sudo apt install ffmpeg`）并确保它在 PATH 中，然后重新运行。' },
  },
];

/** Text of the codes that no log pattern raises: built by the run manager or by root-cause logic. */
export const SYNTHETIC_TEXT: Record<'STALL' | 'UNKNOWN', { title: Bilingual; explanation: Bilingual; fix: Bilingual }> = {
  STALL: {
    title: { en: 'The run stopped making progress', zh: '任务停止推进' },
    explanation: {
      en: 'Rank(s) {ranks} printed no progress for {idle} s while all processes were still alive[[; ranks {advanced} kept going]]. Usually one rank waits in a GPU-to-GPU transfer for a peer that is stuck (no error is printed until the NCCL timeout, 10 minutes by default).',
      zh: 'rank {ranks} 已经 {idle} 秒没有进度，但所有进程仍在运行[[；rank {advanced} 仍在推进]]。通常是某个 rank 在显卡间传输中等待一个卡住的对端（在 NCCL 超时前不会打印任何错误，默认 10 分钟）。',
    },
    fix: {
      en: 'Look at rank {rank}\'s last lines. `py-spy dump --pid <pid>` shows where each rank waits. On PCIe cards without NVLink try NCCL_P2P_DISABLE=1; for Live Avatar keep --sample_steps equal to --num_gpus_dit.',
      zh: '查看 rank {rank} 的最后几行输出。`py-spy dump --pid <pid>` 可显示每个 rank 卡在哪里。没有 NVLink 的 PCIe 显卡可尝试 NCCL_P2P_DISABLE=1；Live Avatar 需保持 --sample_steps 等于 --num_gpus_dit。',
    },
  },
  UNKNOWN: {
    title: { en: 'Unrecognised error', zh: '未识别的错误' },
    explanation: {
      en: '{who} failed with an error this launcher does not know yet[[: "{message}"]].[[ Other suspicious lines: {suspicious}]]',
      zh: '{who} 出现了启动器尚不认识的错误[[：“{message}”]]。[[其他可疑的行：{suspicious}]]',
    },
    fix: {
      en: 'Read the quoted line and the traceback above it in the log. If you report it, attach the whole run folder.',
      zh: '阅读引用的这一行及日志中它上方的调用栈。如需反馈，请附上完整的运行目录。',
    },
  },
};

export const catalogByCode = new Map(CATALOG.map((e) => [e.code, e]));
