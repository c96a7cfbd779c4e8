/**
 * Words of the failure explainer, rendered at the edge (renderer, CLI) in the reader's language by
 * shared/failures/describe.ts. Diagnoses carry a code and fields only; these templates use i18next's `{{field}}`
 * and optional `[[… {{field}} …]]` parts (renderKey in shared/failures/template.ts), and plural forms with
 * i18next's `_one`/`_other` suffixes. Keep en and zh with the same keys (a test checks).
 */
export const failures = {
  en: {
    codes: {
      SIZE_TOO_LARGE: {
        title: "Resolution too large for Live Avatar",
        explanation: "{{who}} stopped while filling the conditioning cache: this resolution needs {{needTokens}} tokens, but Live Avatar reserves room for only {{cacheTokens}} (a fixed limit in its code, about 704×384). --size is an area budget, so any size above 720*400 fails this way.",
        fix: "Pick --size 688*368 (or 704*384, 720*400, 384*256) and run again. Larger sizes need a patched Live Avatar and much more GPU memory.",
      },
      CUDA_OOM: {
        title: "GPU out of memory",
        explanation: "{{who}} ran out of GPU memory[[ on GPU {{gpu}}]][[: it asked for {{requested}} more]][[, but only {{free}} of {{total}} was free]][[ (this process already held {{inUse}})]].[[ {{advice}}]]",
        fix: "Use less memory per GPU: a smaller --size (688*368), --fp8 on RTX 40xx/Ada/Hopper cards, --offload_kv_cache on a single GPU, or --t5_cpu. If memory is fragmented, set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True.",
      },
      FP8_UNSUPPORTED: {
        title: "FP8 is not supported on this GPU",
        explanation: "{{who}} failed at its first FP8 matrix multiply. --fp8 needs compute capability 8.9 or newer (RTX 40xx, L40S, H100/H200); A100, A800 and RTX 30xx cannot run it.",
        fix: "Turn off --fp8. To save the memory it would have saved, add --offload_kv_cache (single GPU) or --t5_cpu, or lower --size.",
      },
      FLASH_ATTN_MISSING: {
        title: "flash-attn is missing or broken",
        explanation: "{{who}} could not use flash-attn[[ ({{module}} is not installed)]][[: the installed build does not match this torch (undefined symbol {{symbol}})]]. Live Avatar calls flash attention for cross-attention, so it cannot run without it.",
        fix: "In the same Python environment install a flash-attn wheel built for your torch version, CUDA version and C++ ABI (flash-attn 2.8.3, or FA3 on H100/H200), or build it with `pip install flash-attn --no-build-isolation`. Check with `python -c \"import flash_attn, flash_attn_2_cuda\"`.",
      },
      MISSING_CHECKPOINT: {
        title: "Model files are missing",
        explanation: "{{who}} could not open[[ {{path}}]]. Live Avatar reads every weight file from fixed places under --ckpt_dir (T5, tokenizer, VAE, DiT shards, wav2vec2) and the LoRA from --lora_path_dmd.",
        fix: "Download the weights with `huggingface-cli download Wan-AI/Wan2.2-S2V-14B --local-dir ./ckpt/Wan2.2-S2V-14B` and `huggingface-cli download Quark-Vision/Live-Avatar --local-dir ./ckpt/LiveAvatar`, point --ckpt_dir at the first folder, and pass the LoRA as a local file: --lora_path_dmd ckpt/LiveAvatar/liveavatar.safetensors.",
      },
      ARG_ASSERTION: {
        title: "The model script rejected the settings",
        explanation: "{{who}} stopped at an argument check before doing any work[[: \"{{message}}\"]].[[ {{advice}}]]",
        fix: "Change the setting named in the message and run again; the launcher checks the known ones before starting.",
      },
      DRIVER_TOO_OLD: {
        title: "GPU driver too old or not working",
        explanation: "{{who}} could not start CUDA: the NVIDIA driver does not support the CUDA version this torch was built with[[ (the driver supports CUDA {{driverCuda}})]][[; CUDA error {{cudaError}}: {{what}}]].[[ {{advice}}]]",
        fix: "Update the NVIDIA driver (CUDA 12.8 wheels want driver 570 or newer), or install a torch build for an older CUDA. Check with `nvidia-smi` and `python -c \"import torch; print(torch.version.cuda)\"`.",
      },
      NO_KERNEL_IMAGE: {
        title: "This torch build does not support the GPU",
        explanation: "{{who}} found no compiled GPU code for this card[[ (compute capability sm_{{capability}})]]. The installed torch (or flash-attn) wheel was built for other GPU generations, e.g. RTX 50xx needs CUDA 12.8+ wheels.",
        fix: "Install a torch wheel whose CUDA variant covers the card (check `python -c \"import torch; print(torch.cuda.get_arch_list())\"`), and rebuild flash-attn for it.",
      },
      INVALID_DEVICE_ORDINAL: {
        title: "More processes than visible GPUs",
        explanation: "{{who}} asked for a GPU that this process cannot see: torchrun started more processes (--nproc_per_node) than CUDA_VISIBLE_DEVICES lists, or a GPU number does not exist[[ ({{variant}}: the GPU is in exclusive mode or not passed into the container)]].",
        fix: "Select as many GPUs as the mode needs (5-GPU TPP needs 5) and let the launcher set CUDA_VISIBLE_DEVICES and --nproc_per_node together; check the numbers with `nvidia-smi -L`.",
      },
      ILLEGAL_MEMORY_ACCESS: {
        title: "A GPU kernel crashed",
        explanation: "{{who}} hit \"{{what}}\". A GPU kernel read or wrote where it should not: usually a custom kernel (flash-attn, FP8) built for another torch/CUDA, mismatched tensor shapes, or a faulty GPU. The process state is corrupt and cannot continue.",
        fix: "Run once with CUDA_LAUNCH_BLOCKING=1 to find the real operation (slow), try without --fp8, reinstall flash-attn for this torch, and look for Xid errors with `dmesg | grep -i xid`.",
      },
      DUPLICATE_GPU: {
        title: "Two ranks on the same GPU",
        explanation: "Rank {{rankA}} and rank {{rankB}} both ended up on the GPU at bus {{busId}}; NCCL needs one GPU per rank. Usually --nproc_per_node is larger than the GPUs in CUDA_VISIBLE_DEVICES, or the script does not pick cuda:LOCAL_RANK.",
        fix: "Select distinct GPUs, one per process, and keep --nproc_per_node equal to the number of selected GPUs.",
      },
      NCCL_MISMATCH: {
        title: "NCCL library mismatch",
        explanation: "{{who}} loaded a different NCCL library than torch was built with[[ (missing symbol {{symbol}})]][[ (rank {{rankA}} has {{versionA}}, rank {{rankB}} has {{versionB}})]]. Another package or LD_LIBRARY_PATH put a second NCCL in front.",
        fix: "Run `pip list | grep nccl`, keep only the nvidia-nccl package torch depends on, and unset LD_LIBRARY_PATH/LD_PRELOAD entries that point at a system NCCL.",
      },
      NCCL_SHM: {
        title: "Shared memory (/dev/shm) is full",
        explanation: "{{who}} could not create NCCL's shared-memory buffers[[ ({{segment}}, {{bytes}} bytes)]]. Docker gives containers only 64 MB of /dev/shm by default, and killed runs can leave nccl-* files behind.",
        fix: "Start the container with --ipc=host or --shm-size=16g and delete stale /dev/shm/nccl-* files. If /dev/shm cannot grow, set NCCL_SHM_DISABLE=1 (slower).",
      },
      NCCL_ERROR: {
        title: "NCCL communication error",
        explanation: "{{who}} got an NCCL error[[ (\"{{what}}\")]][[; NCCL's reason: {{lastError}}]]. NCCL moves data between the GPUs; this usually means a peer process died, the GPUs cannot talk directly (P2P), or the NCCL and driver installation do not match.",
        fix: "Look for an earlier error on another rank first. If there is none: on RTX 40xx cards without NVLink set NCCL_P2P_DISABLE=1, and rerun with NCCL_DEBUG=INFO to see the failing step.",
      },
      PORT_IN_USE: {
        title: "Port already in use",
        explanation: "torchrun could not open its rendezvous port[[ {{port}}]]: another program, most often an earlier run that is still alive, already uses it.",
        fix: "Run again on another port (the launcher picks a free one), and stop leftover runs with `lal runs --reap`.",
      },
      RENDEZVOUS_TIMEOUT: {
        title: "The processes could not meet",
        explanation: "The ranks did not all reach the rendezvous in time[[: {{joined}} of {{world}} joined within {{seconds}} s]][[ (could not reach {{host}}:{{port}})]]. Usually one rank crashed or was still loading before it connected, so look for its error first.",
        fix: "Fix the rank that never joined (its error is usually earlier in the log). On one machine use MASTER_ADDR=127.0.0.1 and a free port.",
      },
      COLLECTIVE_MISMATCH: {
        title: "Ranks ran different collectives",
        explanation: "Rank {{rankA}} and rank {{rankB}} called different NCCL operations at the same point, so they would wait for each other forever. The code took a different path on some ranks (e.g. a different number of clips or steps).",
        fix: "Keep settings identical on all ranks; for Live Avatar TPP keep --sample_steps equal to --num_gpus_dit (4).",
      },
      HOST_OOM_KILLED: {
        title: "Killed: the computer ran out of RAM",
        explanation: "{{who}} was killed by the operating system (signal 9, no Python error). That is the Linux out-of-memory killer: every rank loads the 14B checkpoint and T5 into CPU RAM (about 23 GB per process, 115 GB for 5 ranks), more with offloading.",
        fix: "Free RAM or add swap, raise the container memory limit, or use fewer processes that offload to the CPU (--offload_model, --t5_cpu). Confirm with `dmesg -T | grep -i killed`.",
      },
      NATIVE_CRASH: {
        title: "A native library crashed",
        explanation: "{{who}} crashed inside compiled code[[ ({{what}})]] without a Python error. Most often an extension (flash-attn, xformers, a custom op) was built for a different torch version.",
        fix: "Reinstall flash-attn and other compiled extensions for the installed torch, then run again.",
      },
      NCCL_HEARTBEAT_STUCK: {
        title: "NCCL watchdog stuck",
        explanation: "{{who}} was stopped by torch because its NCCL watchdog made no progress[[ for {{seconds}} s]]: a GPU or NCCL call never returned. Something blocked the GPU: a peer that died, a hang in GPU-to-GPU transfers, or one very long step.",
        fix: "Look for an earlier error on another rank. On PCIe cards without NVLink try NCCL_P2P_DISABLE=1. Only if a phase is known to block the GPU for long (huge VAE decode, first compile) raise TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC to 1800; never disable monitoring.",
      },
      NCCL_WATCHDOG_TIMEOUT: {
        title: "The GPUs waited for a rank until the NCCL timeout",
        explanation: "[[Rank {{laggard}} fell behind: the other ranks waited for it in a collective operation[[ ({{op}} #{{seq}}[[, {{numel}}]])]] that it never joined[[ (the last one it issued was #{{laggardEnqueued}})]].]][[No rank fell behind: every rank issued the collective operation[[ ({{op}} #{{seq}}[[, {{numel}}]])]] and it still did not finish, so the transfer itself hung; look at {{lookAt}}.]] It did not finish within the timeout[[ of {{timeout}}]], so torch stopped the run.[[ {{flightBehindRanks}} never enqueued {{flightOp}} #{{flightSeq}}, which the other ranks did (NCCL's flight recorder).]][[ All {{flightAllEnqueued}} ranks enqueued {{flightOp}} #{{flightSeq}} and none finished it (NCCL's flight recorder).]] A timeout is almost always a symptom: one rank crashed, hung or took much longer than the others.",
        fix: "Look at the rank that fell behind and its last output. For Live Avatar keep --sample_steps equal to --num_gpus_dit; for short tests set ENABLE_COMPILE=false so the first step is not slowed by compilation. [[To see what each rank was doing next time, enable the flight recorder ({{frEnable}}).]][[The flight recorder's dumps ({{flightRanks}} ranks) are in the run folder as nccl_trace_rank_<rank>.]] Raising the timeout only hides the cause.",
      },
      FFMPEG_MISSING: {
        title: "ffmpeg is not installed",
        explanation: "{{who}} could not run ffmpeg, which Live Avatar uses to put the audio into the video. The video may have been written without sound.",
        fix: "Install ffmpeg (`sudo apt install ffmpeg`) so it is on PATH, then run again.",
      },
      STALL: {
        title: "The run stopped making progress",
        explanation: "{{stalledRanks}} printed no progress for {{idleTime}} while all processes were still alive[[; ranks {{advanced}} kept going]]. Usually one rank waits in a GPU-to-GPU transfer for a peer that is stuck (no error is printed until the NCCL timeout, 10 minutes by default).",
        fix: "Look at rank {{rank}}'s last lines. `py-spy dump --pid <pid>` shows where each rank waits. On PCIe cards without NVLink try NCCL_P2P_DISABLE=1; for Live Avatar keep --sample_steps equal to --num_gpus_dit.",
      },
      UNKNOWN: {
        title: "Unrecognised error",
        explanation: "{{who}} failed with an error this launcher does not know yet[[: \"{{message}}\"]].[[ Other suspicious lines: {{suspicious}}]]",
        fix: "Read the quoted line and the traceback above it in the log. If you report it, attach the whole run folder.",
      },
    },
    who: { one: 'Rank {{rank}}', many: 'Rank {{rank}} (and ranks {{others}})', none: 'A process' },
    advice: {
      oomOutsideAllocator: "The failure came from a CUDA or NCCL allocation outside PyTorch's allocator (context, cuBLAS workspace or NCCL buffers): the card was already full.",
      oomOtherProcesses: 'Other processes hold {{otherProcesses}} on this GPU: a leftover run or another program. Stop them (`lal runs --reap`, `nvidia-smi`) or choose free GPUs.',
      oomFragmented: '{{unusedReserved}} is reserved by PyTorch but unused (fragmented memory); PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True usually recovers it.',
      oomSmallCard: 'This card has less than 40 GB. Unmodified Live Avatar needs about 80 GB per GPU (maintainers); FP8 with --offload_kv_cache brings one GPU to about 30 GB, which still does not fit a 24 GB card.',
      oomLargeAllocation: 'A single allocation of {{requestedSize}} is large: activations for this resolution and frame count. A smaller --size (688*368) or fewer --infer_frames (48) shrinks it.',
      oomWeights: 'The weights and caches fill the card. --fp8 halves the DiT weights (32.6 → 16.7 GB); --offload_kv_cache moves the KV caches to CPU RAM on a single GPU; --t5_cpu keeps T5 (11.4 GB) off the GPU.',
      driver802: 'Error 802 on HGX/NVSwitch servers (H100/H200/A100 SXM) means nvidia-fabricmanager is not running or its version differs from the driver: `sudo systemctl start nvidia-fabricmanager`.',
      driver804: 'Error 804: cuda-compat libraries are on LD_LIBRARY_PATH on a GPU that does not support them; remove them.',
      assertFiveGpus: "Live Avatar's multi-GPU mode needs exactly 5 GPUs (4 for the DiT steps, 1 for the VAE). With fewer GPUs, use the single-GPU mode.",
      assertFourDit: 'Multi-GPU mode needs --num_gpus_dit 4.',
      assertVaeParallel: 'Multi-GPU mode needs --enable_vae_parallel.',
      assertUlysses: 'Live Avatar supports only --ulysses_size 1.',
      assertSingleFsdp: 'FSDP and sequence-parallel flags need more than one process; turn them off for a single GPU.',
      assertSize: 'Use one of the sizes Live Avatar runs: {{sizes}}.',
      assertTask: 'Live Avatar needs --task s2v-14B.',
      assertDtype: 'Attention runs only in fp16/bf16; keep --convert_model_dtype.',
      ncclP2p: "The GPUs cannot access each other's memory directly (P2P); NCCL_P2P_DISABLE=1 routes transfers through host memory.",
    },
    lookAt: { rank: "rank {{rank}}'s last output and the link between the GPUs (NCCL_P2P_DISABLE=1 tests it)" },
    stoppedExit: {
      title: 'Rank {{rank}} was stopped by torchrun (exit code {{code}}{{signal}})',
      explanation: 'Rank {{rank}} was still running when another rank failed; torchrun then stopped it. Its exit code says nothing about the cause: the card above does.',
    },
    ranksLabel_one: 'Rank {{ranks}}',
    ranksLabel_other: 'Ranks {{ranks}}',
    units: {
      elements_one: '{{count}} element',
      elements_other: '{{count}} elements',
      minutes_one: '{{count}} minute',
      minutes_other: '{{count}} minutes',
      seconds_one: '{{count}} second',
      seconds_other: '{{count}} seconds',
      milliseconds_one: '{{count}} millisecond',
      milliseconds_other: '{{count}} milliseconds',
      listSeparator: ', ',
    },
  },
  zh: {
    codes: {
      SIZE_TOO_LARGE: {
        title: "分辨率超出 Live Avatar 的上限",
        explanation: "{{who}} 在填充条件缓存时停止：当前分辨率需要 {{needTokens}} 个 token，而 Live Avatar 代码里只预留了 {{cacheTokens}} 个（固定上限，约等于 704×384）。--size 表示面积上限，所以大于 720*400 的尺寸都会这样失败。",
        fix: "把 --size 改为 688*368（或 704*384、720*400、384*256）后重新运行。更大的尺寸需要修改 Live Avatar 源码，并且需要多得多的显存。",
      },
      CUDA_OOM: {
        title: "显存不足（CUDA OOM）",
        explanation: "{{who}} 显存不足[[（GPU {{gpu}}）]][[：它还需要 {{requested}}]][[，但 {{total}} 中只剩 {{free}} 空闲]][[（本进程已占用 {{inUse}}）]]。[[{{advice}}]]",
        fix: "降低每张卡的显存占用：更小的 --size（688*368）；RTX 40 系 / Ada / Hopper 显卡可加 --fp8；单卡可加 --offload_kv_cache；或加 --t5_cpu。若显存碎片较多，设置 PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True。",
      },
      FP8_UNSUPPORTED: {
        title: "这张显卡不支持 FP8",
        explanation: "{{who}} 在第一次 FP8 矩阵乘法时失败。--fp8 需要算力 8.9 及以上（RTX 40 系、L40S、H100/H200）；A100、A800、RTX 30 系不支持。",
        fix: "关闭 --fp8。为弥补它节省的显存，可加 --offload_kv_cache（单卡）或 --t5_cpu，或降低 --size。",
      },
      FLASH_ATTN_MISSING: {
        title: "flash-attn 未安装或无法加载",
        explanation: "{{who}} 无法使用 flash-attn[[（未安装 {{module}}）]][[：已安装的版本与当前 torch 不匹配（未定义符号 {{symbol}}）]]。Live Avatar 的交叉注意力依赖 flash attention，缺少它无法运行。",
        fix: "在同一个 Python 环境中安装与 torch 版本、CUDA 版本和 C++ ABI 都匹配的 flash-attn（flash-attn 2.8.3，H100/H200 可用 FA3），或用 `pip install flash-attn --no-build-isolation` 编译安装。用 `python -c \"import flash_attn, flash_attn_2_cuda\"` 验证。",
      },
      MISSING_CHECKPOINT: {
        title: "找不到模型文件",
        explanation: "{{who}} 无法打开[[ {{path}}]]。Live Avatar 从 --ckpt_dir 下的固定位置读取所有权重（T5、分词器、VAE、DiT 分片、wav2vec2），LoRA 从 --lora_path_dmd 读取。",
        fix: "用 `huggingface-cli download Wan-AI/Wan2.2-S2V-14B --local-dir ./ckpt/Wan2.2-S2V-14B` 和 `huggingface-cli download Quark-Vision/Live-Avatar --local-dir ./ckpt/LiveAvatar` 下载权重，--ckpt_dir 指向第一个目录，LoRA 用本地文件：--lora_path_dmd ckpt/LiveAvatar/liveavatar.safetensors。",
      },
      ARG_ASSERTION: {
        title: "模型脚本拒绝了当前参数",
        explanation: "{{who}} 在参数检查时就停止了，尚未开始计算[[：“{{message}}”]]。[[{{advice}}]]",
        fix: "按提示修改对应参数后重新运行；启动器会在启动前检查已知的限制。",
      },
      DRIVER_TOO_OLD: {
        title: "显卡驱动过旧或无法使用",
        explanation: "{{who}} 无法初始化 CUDA：NVIDIA 驱动不支持当前 torch 所用的 CUDA 版本[[（该驱动最高支持 CUDA {{driverCuda}}）]][[；CUDA 错误 {{cudaError}}：{{what}}]]。[[{{advice}}]]",
        fix: "升级 NVIDIA 驱动（CUDA 12.8 的 torch 建议 570 及以上），或安装面向较旧 CUDA 的 torch。用 `nvidia-smi` 和 `python -c \"import torch; print(torch.version.cuda)\"` 核对。",
      },
      NO_KERNEL_IMAGE: {
        title: "当前 torch 不支持这张显卡",
        explanation: "{{who}} 找不到适用于这张显卡的 GPU 代码[[（算力 sm_{{capability}}）]]。已安装的 torch（或 flash-attn）是为其他架构编译的，例如 RTX 50 系需要 CUDA 12.8 及以上的版本。",
        fix: "安装 CUDA 版本覆盖这张卡的 torch（用 `python -c \"import torch; print(torch.cuda.get_arch_list())\"` 查看），并为其重新编译 flash-attn。",
      },
      INVALID_DEVICE_ORDINAL: {
        title: "进程数多于可见的显卡",
        explanation: "{{who}} 请求了本进程看不到的显卡：torchrun 启动的进程数（--nproc_per_node）多于 CUDA_VISIBLE_DEVICES 中列出的显卡，或指定的显卡编号不存在[[（{{variant}}：显卡处于独占模式或未映射进容器）]]。",
        fix: "选择该模式所需数量的显卡（5 卡 TPP 需要 5 张），让启动器同时设置 CUDA_VISIBLE_DEVICES 和 --nproc_per_node；用 `nvidia-smi -L` 核对编号。",
      },
      ILLEGAL_MEMORY_ACCESS: {
        title: "GPU 内核崩溃",
        explanation: "{{who}} 遇到 “{{what}}”。某个 GPU 内核访问了非法地址：通常是为其他 torch/CUDA 编译的自定义内核（flash-attn、FP8）、张量形状不一致，或显卡硬件故障。进程状态已损坏，无法继续。",
        fix: "设置 CUDA_LAUNCH_BLOCKING=1 运行一次以定位真正出错的操作（会变慢），尝试去掉 --fp8，为当前 torch 重新安装 flash-attn，并用 `dmesg | grep -i xid` 查看 Xid 错误。",
      },
      DUPLICATE_GPU: {
        title: "两个进程用了同一张显卡",
        explanation: "rank {{rankA}} 和 rank {{rankB}} 都在总线 {{busId}} 上的同一张显卡上；NCCL 要求每个 rank 一张显卡。通常是 --nproc_per_node 大于 CUDA_VISIBLE_DEVICES 中的显卡数，或脚本没有使用 cuda:LOCAL_RANK。",
        fix: "为每个进程选择不同的显卡，并让 --nproc_per_node 等于所选显卡数量。",
      },
      NCCL_MISMATCH: {
        title: "NCCL 库版本不一致",
        explanation: "{{who}} 加载的 NCCL 库与 torch 编译时使用的不同[[（缺少符号 {{symbol}}）]][[（rank {{rankA}} 为 {{versionA}}，rank {{rankB}} 为 {{versionB}}）]]。其他软件包或 LD_LIBRARY_PATH 引入了另一个 NCCL。",
        fix: "执行 `pip list | grep nccl`，只保留 torch 依赖的 nvidia-nccl 包，并去掉指向系统 NCCL 的 LD_LIBRARY_PATH/LD_PRELOAD。",
      },
      NCCL_SHM: {
        title: "共享内存（/dev/shm）不足",
        explanation: "{{who}} 无法创建 NCCL 的共享内存缓冲区[[（{{segment}}，{{bytes}} 字节）]]。Docker 容器默认只有 64 MB 的 /dev/shm，被强制结束的任务还可能残留 nccl-* 文件。",
        fix: "用 --ipc=host 或 --shm-size=16g 启动容器，并删除残留的 /dev/shm/nccl-* 文件。若无法扩大 /dev/shm，设置 NCCL_SHM_DISABLE=1（会变慢）。",
      },
      NCCL_ERROR: {
        title: "NCCL 通信错误",
        explanation: "{{who}} 遇到 NCCL 错误[[（“{{what}}”）]][[；NCCL 给出的原因：{{lastError}}]]。NCCL 负责显卡之间的数据传输；通常是某个对端进程已退出、显卡之间无法直接通信（P2P），或 NCCL 与驱动不匹配。",
        fix: "先查看其他 rank 是否更早报错。如果没有：在没有 NVLink 的 RTX 40 系显卡上设置 NCCL_P2P_DISABLE=1，并用 NCCL_DEBUG=INFO 重新运行以查看失败步骤。",
      },
      PORT_IN_USE: {
        title: "端口已被占用",
        explanation: "torchrun 无法打开用于进程汇合的端口[[ {{port}}]]：另一个程序（最常见的是仍在运行的上一次任务）已占用该端口。",
        fix: "换一个端口重新运行（启动器会自动选择空闲端口），并用 `lal runs --reap` 结束残留的任务。",
      },
      RENDEZVOUS_TIMEOUT: {
        title: "进程之间未能完成汇合",
        explanation: "并非所有 rank 都按时完成汇合[[：{{seconds}} 秒内只有 {{joined}}/{{world}} 个加入]][[（无法连接 {{host}}:{{port}}）]]。通常是某个 rank 在连接前已崩溃或仍在加载，请先查看它的错误。",
        fix: "先修复未能加入的 rank（它的错误通常在日志更前面）。单机运行时使用 MASTER_ADDR=127.0.0.1 和空闲端口。",
      },
      COLLECTIVE_MISMATCH: {
        title: "各 rank 执行了不同的集合通信",
        explanation: "rank {{rankA}} 与 rank {{rankB}} 在同一位置调用了不同的 NCCL 操作，会互相无限等待。说明代码在部分 rank 上走了不同的分支（例如片段数或步数不同）。",
        fix: "确保所有 rank 的参数一致；Live Avatar TPP 模式下 --sample_steps 必须等于 --num_gpus_dit（4）。",
      },
      HOST_OOM_KILLED: {
        title: "内存不足，进程被系统杀死",
        explanation: "{{who}} 被操作系统强制结束（信号 9，没有 Python 报错），这是 Linux 的内存不足保护机制。每个 rank 都会把 14B 模型和 T5 读入内存（每个进程约 23 GB，5 个进程约 115 GB），开启 offload 时更多。",
        fix: "释放内存或增加 swap，提高容器内存上限，或减少向 CPU 卸载的进程（--offload_model、--t5_cpu）。用 `dmesg -T | grep -i killed` 确认。",
      },
      NATIVE_CRASH: {
        title: "本地库崩溃",
        explanation: "{{who}} 在编译代码中崩溃[[（{{what}}）]]，没有 Python 报错。最常见的原因是扩展（flash-attn、xformers、自定义算子）是为其他 torch 版本编译的。",
        fix: "为当前 torch 重新安装 flash-attn 等编译扩展后再运行。",
      },
      NCCL_HEARTBEAT_STUCK: {
        title: "NCCL 看门狗线程卡住",
        explanation: "{{who}} 被 torch 结束，因为 NCCL 看门狗线程[[ {{seconds}} 秒]]没有进展：某个 GPU 或 NCCL 调用一直没有返回。可能是对端进程已退出、显卡间传输卡死，或某一步耗时过长。",
        fix: "先查看其他 rank 是否更早报错。没有 NVLink 的 PCIe 显卡可尝试 NCCL_P2P_DISABLE=1。只有确认某阶段会长时间占用 GPU（超大 VAE 解码、首次编译）时，才把 TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC 提高到 1800；不要关闭监控。",
      },
      NCCL_WATCHDOG_TIMEOUT: {
        title: "显卡之间互相等待直到超时",
        explanation: "[[rank {{laggard}} 落后了：其他 rank 在一次集合通信[[（{{op}}，第 {{seq}} 次[[，{{numel}}]]）]]中等待它，而它始终没有加入[[（它最后发出的是第 {{laggardEnqueued}} 次）]]。]][[没有 rank 落后：所有 rank 都发出了这次集合通信[[（{{op}}，第 {{seq}} 次[[，{{numel}}]]）]]，但它仍未完成，说明传输本身卡住了；请查看 {{lookAt}}。]]它没有在超时时间[[（{{timeout}}）]]内完成，torch 因此终止了任务。[[{{flightBehindRanks}} 从未发出 {{flightOp}} 第 {{flightSeq}} 次，而其他 rank 都发出了（NCCL flight recorder 记录）。]][[全部 {{flightAllEnqueued}} 个 rank 都发出了 {{flightOp}} 第 {{flightSeq}} 次，但没有一个完成（NCCL flight recorder 记录）。]]超时几乎总是结果而不是原因：某个 rank 崩溃、卡住或耗时远超其他 rank。",
        fix: "查看落后的 rank 及其最后的输出。Live Avatar 需保持 --sample_steps 等于 --num_gpus_dit；短测试可设置 ENABLE_COMPILE=false，避免首步编译拖慢。[[为了下次能看到各 rank 在做什么，可启用 flight recorder（{{frEnable}}）。]][[flight recorder 的记录（{{flightRanks}} 个 rank）在运行目录中，文件名为 nccl_trace_rank_<rank>。]]单纯调大超时只会掩盖原因。",
      },
      FFMPEG_MISSING: {
        title: "未安装 ffmpeg",
        explanation: "{{who}} 无法运行 ffmpeg，Live Avatar 用它把音频合成进视频。生成的视频可能没有声音。",
        fix: "安装 ffmpeg（`sudo apt install ffmpeg`）并确保它在 PATH 中，然后重新运行。",
      },
      STALL: {
        title: "任务停止推进",
        explanation: "{{stalledRanks}} 已经 {{idleTime}}没有进度，但所有进程仍在运行[[；rank {{advanced}} 仍在推进]]。通常是某个 rank 在显卡间传输中等待一个卡住的对端（在 NCCL 超时前不会打印任何错误，默认 10 分钟）。",
        fix: "查看 rank {{rank}} 的最后几行输出。`py-spy dump --pid <pid>` 可显示每个 rank 卡在哪里。没有 NVLink 的 PCIe 显卡可尝试 NCCL_P2P_DISABLE=1；Live Avatar 需保持 --sample_steps 等于 --num_gpus_dit。",
      },
      UNKNOWN: {
        title: "未识别的错误",
        explanation: "{{who}} 出现了启动器尚不认识的错误[[：“{{message}}”]]。[[其他可疑的行：{{suspicious}}]]",
        fix: "阅读引用的这一行及日志中它上方的调用栈。如需反馈，请附上完整的运行目录。",
      },
    },
    who: { one: 'rank {{rank}}', many: 'rank {{rank}}（以及 rank {{others}}）', none: '某个进程' },
    advice: {
      oomOutsideAllocator: '这次失败来自 PyTorch 分配器之外的 CUDA/NCCL 分配（上下文、cuBLAS 工作区或 NCCL 缓冲区）：显卡在此之前已经满了。',
      oomOtherProcesses: '其他进程在这张显卡上占用了 {{otherProcesses}}：可能是残留的任务或其他程序。请先结束它们（`lal runs --reap`、`nvidia-smi`）或改用空闲的显卡。',
      oomFragmented: 'PyTorch 预留但未使用的显存有 {{unusedReserved}}（显存碎片）；设置 PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True 通常可以解决。',
      oomSmallCard: '这张卡不足 40 GB。原版 Live Avatar 每张卡约需 80 GB（官方说明）；单卡使用 FP8 加 --offload_kv_cache 约需 30 GB，24 GB 的显卡仍然放不下。',
      oomLargeAllocation: '单次申请 {{requestedSize}} 很大：来自当前分辨率和帧数下的激活。更小的 --size（688*368）或更少的 --infer_frames（48）可以降低它。',
      oomWeights: '权重和缓存占满了显卡。--fp8 可将 DiT 权重减半（32.6 → 16.7 GB）；单卡时 --offload_kv_cache 把 KV 缓存放到内存；--t5_cpu 让 T5（11.4 GB）不占显存。',
      driver802: 'HGX/NVSwitch 服务器（H100/H200/A100 SXM）上的 802 错误表示 nvidia-fabricmanager 未运行或版本与驱动不一致：执行 `sudo systemctl start nvidia-fabricmanager`。',
      driver804: '804 错误：LD_LIBRARY_PATH 中包含 cuda-compat 库，而这张显卡不支持，请移除。',
      assertFiveGpus: 'Live Avatar 的多卡模式需要正好 5 张显卡（4 张跑 DiT，1 张跑 VAE）。显卡不够时请使用单卡模式。',
      assertFourDit: '多卡模式需要 --num_gpus_dit 4。',
      assertVaeParallel: '多卡模式需要 --enable_vae_parallel。',
      assertUlysses: 'Live Avatar 只支持 --ulysses_size 1。',
      assertSingleFsdp: 'FSDP 和序列并行参数需要多个进程；单卡运行时请关闭它们。',
      assertSize: '请使用 Live Avatar 可运行的尺寸：{{sizes}}。',
      assertTask: 'Live Avatar 需要 --task s2v-14B。',
      assertDtype: '注意力只支持 fp16/bf16；请保留 --convert_model_dtype。',
      ncclP2p: '显卡之间无法直接访问彼此的显存（P2P）；NCCL_P2P_DISABLE=1 会改为经由主机内存传输。',
    },
    lookAt: { rank: 'rank {{rank}} 的最后输出以及显卡之间的连接（可用 NCCL_P2P_DISABLE=1 验证）' },
    stoppedExit: {
      title: 'rank {{rank}} 被 torchrun 停止（退出码 {{code}}{{signal}}）',
      explanation: '另一个 rank 失败时 rank {{rank}} 仍在运行，随后被 torchrun 停止。它的退出码不说明原因，原因见上面的卡片。',
    },
    ranksLabel_one: 'rank {{ranks}}',
    ranksLabel_other: 'rank {{ranks}}',
    units: {
      elements_one: '{{count}} 个元素',
      elements_other: '{{count}} 个元素',
      minutes_one: '{{count}} 分钟',
      minutes_other: '{{count}} 分钟',
      seconds_one: '{{count}} 秒',
      seconds_other: '{{count}} 秒',
      milliseconds_one: '{{count}} 毫秒',
      milliseconds_other: '{{count}} 毫秒',
      listSeparator: '、',
    },
  },
} as const;
