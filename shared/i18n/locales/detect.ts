/**
 * Strings of the detect feature, owned by it. Keep en and zh with the same keys (a test checks).
 * `{{x}}` placeholders are filled by i18next in the renderer and by shared/detect/text.ts elsewhere.
 * Fixes cite docs/upstream-notes.md (§10.8 shm/P2P, §10.14 arch, §10.15 driver) where they come from.
 */
export const detect = {
  en: {
    status: {
      ok: { message: 'nvidia-smi answered.' },
      notFound: {
        message: 'nvidia-smi not found: no NVIDIA driver tools on this machine (or not on PATH), so no GPU can be used from here.',
        fix: 'Install the NVIDIA driver (it ships nvidia-smi), or set its path in Settings or with --nvidia-smi. In a container, start it with --gpus all (NVIDIA Container Toolkit).',
      },
      noDriver: {
        message: 'nvidia-smi is installed but cannot talk to the NVIDIA driver: the kernel module is not loaded.',
        fix: 'Reboot after installing or updating the driver. If that does not help: check `lsmod | grep nvidia`, rebuild the module for the running kernel (`sudo dkms autoinstall`), sign it or turn off Secure Boot, and blacklist nouveau. In a container, run it with --gpus all.',
      },
      mismatch: {
        message: 'The NVIDIA driver was updated but the old kernel module is still loaded (driver/library version mismatch{{nvml}}).',
        fix: 'Reboot the machine. Without a reboot: stop every program using the GPU, then `sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia`. Hold the driver packages so unattended upgrades cannot do this mid-run.',
      },
      noDevices: {
        message: 'The NVIDIA driver is loaded but reports no GPUs.',
        fix: 'Check that the card is seen by the system (`lspci | grep -i nvidia`) and powered, that this container was given GPUs (--gpus all), and that NVIDIA_VISIBLE_DEVICES is not empty. `sudo dmesg | grep -i nvrm` shows driver errors.',
      },
      nvmlUnknown: {
        message: 'nvidia-smi cannot initialise NVML ("Failed to initialize NVML: Unknown Error").',
        fix: 'In a container this usually means it lost access to /dev/nvidia* (for example after `systemctl daemon-reload` on the host): restart the container. On the host itself, check that `nvidia-smi` works and reboot if it does not.',
      },
      gpuLost: {
        message: 'The GPU at {{bus}} stopped responding: {{detail}}',
        fix: 'Reboot to recover it. If it happens again, check `sudo dmesg | grep -i xid` (Xid 79: fell off the bus), power cables, risers and temperature.',
      },
      error: {
        message: 'nvidia-smi failed: {{detail}}',
        fix: 'Run `nvidia-smi` in a terminal for the full message; `sudo dmesg | grep -i -E "nvrm|xid"` shows driver errors.',
      },
      timeout: {
        message: 'nvidia-smi did not answer within {{seconds}} s.',
        fix: 'A GPU may be hung (Xid 79 "fallen off the bus"): check `sudo dmesg | grep -i xid` and reboot.',
      },
      notExecutable: {
        message: 'nvidia-smi at {{path}} cannot be run ({{detail}}).',
        fix: 'Check the path and its permissions, or clear the nvidia-smi path in Settings to use the one on PATH.',
      },
    },
    warn: {
      gpuLost: {
        message: 'The GPU at {{bus}} stopped responding ({{detail}}); it is left out of this report.',
        fix: 'Reboot to recover it. If it happens again, check `sudo dmesg | grep -i xid` (Xid 79: fell off the bus), power cables, risers and temperature.',
      },
      partialOutput: {
        message: 'Part of the nvidia-smi output ({{what}}) could not be read: {{detail}}. The report may be incomplete.',
        fix: 'Run detection again; if it repeats, run `nvidia-smi` in a terminal and check the driver.',
      },
      driverTooOld: {
        message: 'torch {{torch}} ({{python}}) is built for CUDA {{torchCuda}}, but driver {{driver}} supports CUDA up to {{driverCuda}}. CUDA will not start ("The NVIDIA driver on your system is too old").',
        fix: 'Update the NVIDIA driver (CUDA 12.x wheels want ≥ 525, cu128 ≥ 570, cu130 ≥ 580), or install a torch wheel built for CUDA {{driverCuda}} or older.',
      },
      driverMinorOld: {
        message: 'torch {{torch}} ({{python}}) is built for CUDA {{torchCuda}}; driver {{driver}} supports CUDA {{driverCuda}}. It runs through minor-version compatibility, but some kernels (PTX, newest features) may fail.',
        fix: 'Update the NVIDIA driver to one that supports CUDA {{torchCuda}}.',
      },
      fp8Unsupported: {
        message: 'GPU {{gpus}} ({{name}}, compute capability {{cc}}) cannot run FP8: --fp8 needs compute capability 8.9 or newer (Ada, Hopper, Blackwell). Live Avatar does not check and fails at the first torch._scaled_mm.',
        fix: 'Run without --fp8 (bf16 needs about 16 GB more per DiT GPU), or use Ada/Hopper GPUs.',
      },
      p2pUnavailable: {
        message: 'GPU peer-to-peer is not available between {{pairs}} ({{status}}). NCCL detects this itself and routes that traffic through host memory (/dev/shm), which is slower.',
        fix: 'Nothing to set: NCCL_P2P_DISABLE=1 would not change anything here. Keep /dev/shm large (Docker: --ipc=host or --shm-size=16g). For speed, prefer GPUs joined by NVLink or one PCIe switch.',
      },
      migEnabled: {
        message: 'GPU {{gpus}} has MIG turned on: programs see MIG slices, not the whole card, and NCCL cannot run a job across MIG instances.',
        fix: 'Turn MIG off for Live Avatar runs: `sudo nvidia-smi -i {{gpus}} -mig 0`, then reset the GPU or reboot.',
      },
      rtx40OldDriver: {
        message: 'GPU {{gpus}} ({{name}}) with driver {{driver}}: GeForce RTX 40xx cards report peer-to-peer as available on drivers older than 550.40.07, but transfers hang or return garbage, so multi-GPU runs stall at the first NCCL call.',
        fix: 'Update the driver to 550.40.07 or newer, or set NCCL_P2P_DISABLE=1 and NCCL_IB_DISABLE=1 for runs on these GPUs (as accelerate does).',
      },
      gpusBusy: {
        message: 'GPU {{gpus}} already in use: {{holders}}.',
        fix: 'Memory held by other processes is not available to this run. Stop them (a leftover rank of an earlier run is common: check the PIDs) or choose other GPUs.',
      },
      shmSmall: {
        message: '/dev/shm is only {{size}}. NCCL keeps its shared-memory buffers there; multi-GPU runs fail with "No space left on device" or die with SIGBUS (exit code -7).',
        fix: 'Docker: start the container with --ipc=host or --shm-size=16g (Kubernetes: an emptyDir with medium: Memory on /dev/shm). Delete stale /dev/shm/nccl-* files.',
      },
      noTorch: {
        message: 'No Python environment with torch was found ({{count}} checked).',
        fix: 'Choose the Python of your Live Avatar environment in Settings (or --python), e.g. ~/miniconda3/envs/liveavatar/bin/python.',
      },
      torchCpuOnly: {
        message: 'torch {{torch}} in {{python}} is a CPU-only build, so it cannot use the GPUs.',
        fix: 'Install a CUDA build of torch in that environment (pip install torch --index-url https://download.pytorch.org/whl/cu128, matching your driver).',
      },
      archMissing: {
        message: 'torch {{torch}} in {{python}} has no kernels for GPU {{gpus}} (compute capability {{cc}}; it carries {{archs}}). CUDA calls will fail with "no kernel image is available for execution on the device".',
        fix: 'Install a torch build that includes sm_{{sm}} (for RTX 50xx/Blackwell: cu128 or newer).',
      },
      flashAttnMissing: {
        message: 'flash-attn is not installed in {{python}}. Live Avatar needs it for cross-attention and stops with a bare AssertionError on the first forward pass.',
        fix: 'Install FA3 on Hopper, else flash-attn 2.8.3 built for this torch (see the Live Avatar README).',
      },
      flashAttnBroken: {
        message: 'flash-attn is installed in {{python}} but does not import: {{detail}}.',
        fix: 'The wheel was built for another torch or C++ ABI: reinstall flash-attn for torch {{torch}} (pip install flash-attn --no-build-isolation).',
      },
      probeTimeout: {
        message: 'Python {{python}} did not answer the probe within {{seconds}} s; it was stopped.',
        fix: 'Run `{{python}} -c "import torch"` in a terminal: a broken install or a network file system can hang the import.',
      },
      deviceCountDiffers: {
        message: 'torch in {{python}} sees {{torchCount}} GPU(s), nvidia-smi sees {{smiCount}}.',
        fix: 'CUDA_VISIBLE_DEVICES is probably set in this environment ({{visible}}); the launcher sets it per run, so unset it.',
      },
      diskLow: {
        message: 'Only {{free}} free in the output folder {{dir}}.',
        fix: 'Free space or choose another output folder; decoded frames and the video need several GB per run.',
      },
      checkoutMissing: {
        message: 'The Live Avatar checkout {{path}} is missing: {{missing}}.',
        fix: 'Download the weights as the Live Avatar README says: `huggingface-cli download Wan-AI/Wan2.2-S2V-14B --local-dir ./ckpt/Wan2.2-S2V-14B` and `huggingface-cli download Quark-Vision/Live-Avatar --local-dir ./ckpt/LiveAvatar`.',
      },
      checkoutUnreadable: {
        message: 'The checkout folder {{path}} cannot be read: {{detail}}.',
        fix: 'Choose the folder that contains minimal_inference/ and ckpt/.',
      },
    },
    cli: {
      title: 'Hardware and environment',
      gpus: 'GPUs',
      gpuLine: '{{index}}  {{name}}  {{bar}} {{used}} / {{total}} GiB used, {{free}} GiB free  cc {{cc}}  {{extra}}',
      holders: 'held by',
      noGpus: 'no GPUs',
      driver: 'Driver {{driver}}, CUDA {{cuda}}',
      topology: 'Topology',
      nvlinkAll: 'NVLink between all pairs ({{links}})',
      p2pOk: 'peer-to-peer OK between all pairs',
      p2pNot: 'no peer-to-peer between {{pairs}}',
      host: 'Host',
      hostLine: '{{cpu}} ({{cores}} threads), RAM {{ramAvail}} free of {{ramTotal}}, /dev/shm {{shm}}',
      osLine: '{{os}}',
      outputLine: 'output folder {{dir}}: {{free}} free',
      python: 'Python',
      noPython: 'no Python found',
      torchNone: 'no torch',
      pyLine: '{{path}} [{{source}}]  Python {{py}}, {{torch}}',
      pyError: '{{path}} [{{source}}]  {{error}}',
      checkout: 'Live Avatar checkout',
      layouts: 'layouts: {{modes}}',
      noLayouts: 'no runnable layout',
      missing: 'missing: {{missing}}',
      component: '{{name}}: {{size}} ({{dtypes}})',
      warnings: 'Warnings',
      noWarnings: 'no warnings',
      fix: 'fix',
      took: 'detected in {{ms}} ms',
      unknown: 'unknown',
    },
  },
  zh: {
    status: {
      ok: { message: 'nvidia-smi 正常响应。' },
      notFound: {
        message: '未找到 nvidia-smi：本机没有 NVIDIA 驱动工具（或不在 PATH 中），因此无法使用任何 GPU。',
        fix: '安装 NVIDIA 驱动（自带 nvidia-smi），或在“设置”中或用 --nvidia-smi 指定其路径。在容器中请用 --gpus all 启动（需要 NVIDIA Container Toolkit）。',
      },
      noDriver: {
        message: '已安装 nvidia-smi，但无法与 NVIDIA 驱动通信：内核模块没有加载。',
        fix: '安装或更新驱动后请重启。若仍不行：用 `lsmod | grep nvidia` 检查，为当前内核重新编译模块（`sudo dkms autoinstall`），为模块签名或关闭安全启动（Secure Boot），并屏蔽 nouveau。在容器中请用 --gpus all 启动。',
      },
      mismatch: {
        message: 'NVIDIA 驱动已更新，但仍加载着旧的内核模块（驱动与库版本不一致{{nvml}}）。',
        fix: '重启机器。若不便重启：先停止所有使用 GPU 的程序，再执行 `sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia`。建议锁定驱动包版本，避免自动更新在运行中途发生。',
      },
      noDevices: {
        message: 'NVIDIA 驱动已加载，但没有报告任何 GPU。',
        fix: '确认系统能看到显卡（`lspci | grep -i nvidia`）且供电正常；确认容器已分配 GPU（--gpus all），且 NVIDIA_VISIBLE_DEVICES 不为空。`sudo dmesg | grep -i nvrm` 可查看驱动错误。',
      },
      nvmlUnknown: {
        message: 'nvidia-smi 无法初始化 NVML（“Failed to initialize NVML: Unknown Error”）。',
        fix: '在容器中这通常表示容器失去了对 /dev/nvidia* 的访问（例如宿主机执行了 `systemctl daemon-reload`）：请重启容器。若在宿主机上，请确认 `nvidia-smi` 能否运行，不行就重启。',
      },
      gpuLost: {
        message: '位于 {{bus}} 的 GPU 已停止响应：{{detail}}',
        fix: '重启可以恢复。若再次出现，请检查 `sudo dmesg | grep -i xid`（Xid 79：掉卡）、供电线、转接卡和温度。',
      },
      error: {
        message: 'nvidia-smi 运行失败：{{detail}}',
        fix: '在终端中运行 `nvidia-smi` 查看完整信息；`sudo dmesg | grep -i -E "nvrm|xid"` 可查看驱动错误。',
      },
      timeout: {
        message: 'nvidia-smi 在 {{seconds}} 秒内没有响应。',
        fix: '可能有 GPU 卡死（Xid 79 “fallen off the bus”）：用 `sudo dmesg | grep -i xid` 检查并重启。',
      },
      notExecutable: {
        message: '无法运行位于 {{path}} 的 nvidia-smi（{{detail}}）。',
        fix: '检查路径和权限，或在“设置”中清空 nvidia-smi 路径以使用 PATH 中的那个。',
      },
    },
    warn: {
      gpuLost: {
        message: '位于 {{bus}} 的 GPU 已停止响应（{{detail}}），本报告未包含它。',
        fix: '重启可以恢复。若再次出现，请检查 `sudo dmesg | grep -i xid`（Xid 79：掉卡）、供电线、转接卡和温度。',
      },
      partialOutput: {
        message: 'nvidia-smi 的部分输出（{{what}}）无法解析：{{detail}}。报告可能不完整。',
        fix: '请重新检测；若反复出现，请在终端运行 `nvidia-smi` 并检查驱动。',
      },
      driverTooOld: {
        message: 'torch {{torch}}（{{python}}）是为 CUDA {{torchCuda}} 编译的，但驱动 {{driver}} 最高只支持 CUDA {{driverCuda}}。CUDA 将无法启动（“The NVIDIA driver on your system is too old”）。',
        fix: '更新 NVIDIA 驱动（CUDA 12.x 的包需要 ≥ 525，cu128 ≥ 570，cu130 ≥ 580），或安装为 CUDA {{driverCuda}} 或更旧版本编译的 torch。',
      },
      driverMinorOld: {
        message: 'torch {{torch}}（{{python}}）是为 CUDA {{torchCuda}} 编译的；驱动 {{driver}} 支持 CUDA {{driverCuda}}。依靠小版本兼容可以运行，但部分内核（PTX、新特性）可能失败。',
        fix: '把 NVIDIA 驱动更新到支持 CUDA {{torchCuda}} 的版本。',
      },
      fp8Unsupported: {
        message: 'GPU {{gpus}}（{{name}}，计算能力 {{cc}}）不支持 FP8：--fp8 需要计算能力 8.9 及以上（Ada、Hopper、Blackwell）。Live Avatar 不做检查，会在第一次 torch._scaled_mm 时报错。',
        fix: '去掉 --fp8 运行（bf16 每张 DiT 卡约多占 16 GB），或使用 Ada/Hopper 显卡。',
      },
      p2pUnavailable: {
        message: 'GPU {{pairs}} 之间不支持点对点（P2P）通信（{{status}}）。NCCL 会自行检测，并改经主机内存（/dev/shm）传输，速度较慢。',
        fix: '无需设置：这里设 NCCL_P2P_DISABLE=1 不会有任何变化。请保持 /dev/shm 足够大（Docker：--ipc=host 或 --shm-size=16g）。追求速度时，优先选用 NVLink 相连或同一 PCIe 交换芯片下的 GPU。',
      },
      migEnabled: {
        message: 'GPU {{gpus}} 开启了 MIG：程序看到的是 MIG 切片而不是整张卡，NCCL 也无法跨 MIG 实例运行任务。',
        fix: '运行 Live Avatar 前请关闭 MIG：`sudo nvidia-smi -i {{gpus}} -mig 0`，然后重置 GPU 或重启。',
      },
      rtx40OldDriver: {
        message: 'GPU {{gpus}}（{{name}}），驱动 {{driver}}：在 550.40.07 之前的驱动上，GeForce RTX 40 系列会报告支持 P2P，但实际传输会卡住或产生错误数据，多卡运行会卡在第一次 NCCL 调用。',
        fix: '把驱动更新到 550.40.07 或更新版本，或在使用这些 GPU 运行时设置 NCCL_P2P_DISABLE=1 和 NCCL_IB_DISABLE=1（accelerate 也是这样做的）。',
      },
      gpusBusy: {
        message: 'GPU {{gpus}} 已被占用：{{holders}}。',
        fix: '其他进程占用的显存无法用于本次运行。请结束它们（常见的是上一次运行遗留的 rank 进程，请核对 PID），或改用其他 GPU。',
      },
      shmSmall: {
        message: '/dev/shm 只有 {{size}}。NCCL 的共享内存缓冲区放在这里；多卡运行会报 “No space left on device”，或因 SIGBUS（退出码 -7）崩溃。',
        fix: 'Docker：用 --ipc=host 或 --shm-size=16g 启动容器（Kubernetes：在 /dev/shm 挂载 medium: Memory 的 emptyDir）。删除残留的 /dev/shm/nccl-* 文件。',
      },
      noTorch: {
        message: '没有找到安装了 torch 的 Python 环境（共检查 {{count}} 个）。',
        fix: '在“设置”中（或用 --python）选择 Live Avatar 环境的 Python，例如 ~/miniconda3/envs/liveavatar/bin/python。',
      },
      torchCpuOnly: {
        message: '{{python}} 中的 torch {{torch}} 是纯 CPU 版本，无法使用 GPU。',
        fix: '在该环境中安装 CUDA 版 torch（pip install torch --index-url https://download.pytorch.org/whl/cu128，需与驱动匹配）。',
      },
      archMissing: {
        message: '{{python}} 中的 torch {{torch}} 没有适用于 GPU {{gpus}} 的内核（计算能力 {{cc}}；它包含 {{archs}}）。CUDA 调用会报 “no kernel image is available for execution on the device”。',
        fix: '安装包含 sm_{{sm}} 的 torch（RTX 50 系列/Blackwell 需要 cu128 或更新版本）。',
      },
      flashAttnMissing: {
        message: '{{python}} 中没有安装 flash-attn。Live Avatar 的交叉注意力依赖它，缺少时会在第一次前向计算时直接报 AssertionError。',
        fix: 'Hopper 显卡安装 FA3，其他显卡安装与该 torch 匹配的 flash-attn 2.8.3（见 Live Avatar README）。',
      },
      flashAttnBroken: {
        message: '{{python}} 中安装了 flash-attn，但无法导入：{{detail}}。',
        fix: '该 wheel 是为其他 torch 版本或 C++ ABI 编译的：请为 torch {{torch}} 重新安装 flash-attn（pip install flash-attn --no-build-isolation）。',
      },
      probeTimeout: {
        message: 'Python {{python}} 在 {{seconds}} 秒内没有完成探测，已被终止。',
        fix: '在终端运行 `{{python}} -c "import torch"`：安装损坏或网络文件系统都可能让导入卡住。',
      },
      deviceCountDiffers: {
        message: '{{python}} 中的 torch 看到 {{torchCount}} 张 GPU，nvidia-smi 看到 {{smiCount}} 张。',
        fix: '当前环境可能设置了 CUDA_VISIBLE_DEVICES（{{visible}}）；启动器会为每次运行单独设置它，请取消该设置。',
      },
      diskLow: {
        message: '输出文件夹 {{dir}} 只剩 {{free}} 可用空间。',
        fix: '请清理空间或选择其他输出文件夹；每次运行解码的帧和视频需要数 GB。',
      },
      checkoutMissing: {
        message: 'Live Avatar 代码目录 {{path}} 缺少：{{missing}}。',
        fix: '按 Live Avatar README 下载权重：`huggingface-cli download Wan-AI/Wan2.2-S2V-14B --local-dir ./ckpt/Wan2.2-S2V-14B` 和 `huggingface-cli download Quark-Vision/Live-Avatar --local-dir ./ckpt/LiveAvatar`。',
      },
      checkoutUnreadable: {
        message: '无法读取代码目录 {{path}}：{{detail}}。',
        fix: '请选择包含 minimal_inference/ 和 ckpt/ 的文件夹。',
      },
    },
    cli: {
      title: '硬件与环境',
      gpus: 'GPU',
      gpuLine: '{{index}}  {{name}}  {{bar}} 已用 {{used}} / {{total}} GiB，可用 {{free}} GiB  计算能力 {{cc}}  {{extra}}',
      holders: '占用者',
      noGpus: '没有 GPU',
      driver: '驱动 {{driver}}，CUDA {{cuda}}',
      topology: '拓扑',
      nvlinkAll: '所有 GPU 之间均为 NVLink（{{links}}）',
      p2pOk: '所有 GPU 之间 P2P 正常',
      p2pNot: '{{pairs}} 之间不支持 P2P',
      host: '主机',
      hostLine: '{{cpu}}（{{cores}} 线程），内存可用 {{ramAvail}} / 共 {{ramTotal}}，/dev/shm {{shm}}',
      osLine: '{{os}}',
      outputLine: '输出文件夹 {{dir}}：可用 {{free}}',
      python: 'Python 环境',
      noPython: '未找到 Python',
      torchNone: '未安装 torch',
      pyLine: '{{path}} [{{source}}]  Python {{py}}，{{torch}}',
      pyError: '{{path}} [{{source}}]  {{error}}',
      checkout: 'Live Avatar 代码目录',
      layouts: '可运行的布局：{{modes}}',
      noLayouts: '没有可直接运行的布局',
      missing: '缺少：{{missing}}',
      component: '{{name}}：{{size}}（{{dtypes}}）',
      warnings: '警告',
      noWarnings: '没有警告',
      fix: '解决办法',
      took: '检测耗时 {{ms}} 毫秒',
      unknown: '未知',
    },
  },
} as const;
