/**
 * Strings of the app's screens (home, wizard, run view, history), owned by the ui feature. Keep en
 * and zh with the same keys (a test checks); no plural suffixes, since zh has one form only.
 */
export const ui = {
  en: {
    copyFailed: 'Select and copy',
    shell: {
      skip: 'Skip to content', nav: 'Main', home: 'Home', newRun: 'New run', history: 'History', profiles: 'Profiles', settings: 'Settings', running: 'Running now',
      langAuto: 'Language: system',
      unauthorizedTitle: 'This page needs its access token',
      unauthorizedShort: 'Not authorised: open the URL with its token.',
      unauthorizedHow: 'Run `lal serve` on the GPU machine and open the exact URL it prints (it ends in ?token=…). Through SSH, forward the port first.',
      transport: { electron: 'desktop', http: 'browser (lal serve)', 'in-process': 'in-process' },
    },
    state: {
      unavailable: '{{what}} is not available in this build yet.',
      error: '{{what}} failed: {{message}}',
    },
    what: {
      detect: 'Hardware detection', profiles: 'Presets and profiles', runs: 'Run history', recipes: 'Recipes',
      check: 'The memory check', plan: 'The command preview',
    },
    bar: { summary: '{{used}} of {{capacity}}' },
    status: { starting: 'Starting', running: 'Running', stopping: 'Stopping', succeeded: 'Succeeded', failed: 'Failed', stopped: 'Stopped', interrupted: 'Interrupted', lost: 'Lost' },
    verdict: { fits: 'Fits', tight: 'Tight', 'does-not-fit': 'Does not fit' },
    phase: { starting: 'Starting', loading: 'Loading weights', compiling: 'Compiling', generating: 'Generating', saving: 'Saving', done: 'Done', failed: 'Failed' },
    role: { dit: 'DiT', vae: 'VAE', single: 'single GPU', fsdp: 'FSDP shard' },
    part: {
      weights_dit: 'DiT weights', weights_t5: 'T5 encoder', weights_vae: 'VAE', weights_audio: 'Audio encoder', weights_lora: 'LoRA',
      kv_cache: 'KV cache', cond_cache: 'Condition cache', activations: 'Activations', fsdp_unshard: 'FSDP unshard', cuda_context: 'CUDA context',
      nccl: 'NCCL buffers', margin: 'Safety margin', other_processes: 'Other processes', workspace: 'Workspace',
      weights_dit_shard: 'DiT shard', allocator_margin: 'Allocator margin', audio_encoder_fp32: 'Audio encoder (fp32)',
      compile_workspace: 'torch.compile workspace', cpu_weights_and_caches: 'Weights and caches in RAM', decode_workspace: 'Decode workspace',
      decoded_frames: 'Decoded frames', dit_cpu_load: 'DiT load (RAM)', dit_load: 'DiT load peak', dit_offloaded_vae_rank: 'DiT offloaded (VAE rank)',
      extra_contexts_gpu0: 'Other ranks’ CUDA contexts', kv_cache_offloaded: 'KV cache (offloaded)', lora_merge: 'LoRA merge', lora_state_dict: 'LoRA weights',
      process_base: 'Process base', t5_load: 'T5 load peak', vae_state_dict: 'VAE weights (load)',
    },
    home: {
      hardware: { title: 'This machine', rescan: 'Scan again', scanning: 'Scanning…', summary: '{{count}} × {{name}} · {{total}} GPU memory in total' },
      gpu: {
        memory: 'GPU {{index}} memory', free: 'Free', util: 'Utilisation', temp: 'Temperature', power: 'Power', arch: 'Architecture',
        holders: 'Processes holding memory: {{count}}', noHolders: 'No process holds memory on this GPU.', otherUse: 'Other use',
      },
      smi: {
        ok: 'nvidia-smi works.', 'nvidia-smi-not-found': 'nvidia-smi was not found: no NVIDIA GPU can be used.', 'no-driver': 'The NVIDIA driver is not loaded.',
        'driver-mismatch': 'Driver/library version mismatch: reboot after the driver update.', 'no-devices': 'The driver found no GPUs.', error: 'nvidia-smi failed.',
      },
      topology: {
        title: 'Topology', none: 'A single GPU: nothing to connect.', nvlinkAll: 'Every GPU pair is joined by NVLink.',
        mixed: 'GPU links: {{kinds}}.', p2pOk: 'Peer-to-peer works between all pairs.', p2pBad: 'Peer-to-peer fails on {{count}} pairs: NCCL will go through the CPU.',
        matrix: 'Show the link matrix',
      },
      warnings: { title: 'Warnings', none: 'Nothing to warn about.', fix: 'Fix:' },
      env: {
        title: 'Environment', driver: 'Driver', cpu: 'CPU', cores: '{{count}} cores', ram: 'Memory', freeOf: '{{free}} free of {{total}}',
        container: 'in a container', output: 'Output folder', free: '{{size}} free', python: 'Python and PyTorch', noPython: 'No Python with PyTorch was found.',
        noFlashAttn: 'no flash-attn', pythonBroken: 'This interpreter does not work.', checkout: 'Model checkout', checkoutOk: 'complete',
        missing: 'missing: {{list}}', noCheckout: 'No Live Avatar checkout chosen yet; rehearsal presets run without one.',
      },
      quick: { title: 'Start a run', newRun: 'New run…', empty: 'No presets or pinned profiles yet. Start a new run and pin it to see it here.', preset: 'Preset', pinned: 'Pinned' },
      recent: { title: 'Recent runs', all: 'All runs', empty: 'No runs yet.' },
      leftovers: {
        title: 'Processes of {{count}} earlier runs are still alive and may hold GPU memory',
        stop: 'Stop them and free the GPUs', stopped: 'Stopped processes of {{count}} earlier runs.',
      },
    },
    wizard: {
      steps: 'Steps', back: 'Back', next: 'Next', run: 'Run', runAnyway: 'Run anyway', starting: 'Starting…',
      launchFailed: 'Could not start the run: {{message}}', launchUnavailable: 'Runs are not available here yet: {{message}}',
      step: { hardware: 'Hardware', mode: 'Mode', inputs: 'Inputs', review: 'Review' },
      hardware: {
        title: 'Which GPUs to use', choose: 'GPUs for this run', freeOf: '{{free}} free of {{total}}', busy: '{{count}} other processes hold memory',
        chosen: 'Chosen: {{count}} GPUs. The mode uses the first ones it needs.', noGpu: 'No GPU found: only CPU rehearsal modes can run on this machine.',
      },
      mode: {
        title: 'How to split the model', recipe: 'Model', gpus: '{{count}} GPUs', cpu: 'CPU only', procs: '{{count}} processes',
        noRecipes: 'No recipes are installed yet.',
      },
      inputs: {
        title: 'Inputs and quality', browse: 'Browse…', unset: '(default)', pathPlaceholder: '/path/on/this/machine',
        serverPaths: 'Paths are on the machine that runs the model (the server), not on this browser’s computer.',
        checkout: 'Live Avatar code folder (checkout)', checkoutHelp: 'The folder you cloned Alibaba-Quark/LiveAvatar into, with ckpt/ inside. Remembered for next time.',
        advanced: 'Advanced options ({{count}})', noFlags: 'This recipe has no options to set.',
        err: { notInteger: 'Enter a whole number.', notPositive: 'Must be 1 or more.', badChoice: 'Pick one of the listed values.' },
      },
      review: {
        title: 'Review and run', preset: 'Preset', recipe: 'Model', mode: 'Mode', gpus: 'GPUs', firstN: 'the first ones the mode needs',
        fit: 'Memory check', toggles: 'Quick switches (re-checked at once)', stall: 'If the run stops making progress',
        stallNotify: 'Tell me and keep it running', stallAfter: 'Seconds without progress before it counts as stuck', stallStop: 'Stop it and free the GPUs',
        saveAs: 'Save as profile', profileName: 'Name, e.g. 4090 fp8 short clips', savePin: 'Save and pin to home', saved: 'Saved and pinned: it is on the home screen now.',
        command: 'Command', cwd: 'Working folder:', noShell: 'started directly, without a shell', env: 'Environment ({{count}} variables)',
      },
    },
    feas: {
      hostRam: 'Host RAM needed: {{size}}', cpu: 'CPU', needFree: 'needs {{need}} · free {{free}}', gpuNeed: 'GPU {{index}} need',
      fixes: 'Ways to make it fit', apply: 'Apply', saves: 'saves {{size}}',
    },
    run: {
      teardown: {
        clean: 'Every process of the run is gone and its GPU memory is free (cleanup took {{ms}} ms).',
        cleanNoSmi: 'Every process of the run is gone (cleanup took {{ms}} ms).',
        vramHeld: 'The run’s processes are gone, but GPU memory is still held: check the home screen for who holds it.',
        remaining: 'Processes {{pids}} of this run did not exit (stuck in the driver?). They may hold GPU memory until they do.',
      },
      title: 'Run', stop: 'Stop', stopping: 'Stopping…', openFolder: 'Open output folder', outputAt: 'Output is in', succeeded: 'Finished. The output is in the run folder.',
      progress: {
        title: 'Progress', clip: 'Clip', step: 'Step', fps: 'Frames/s', realtime: '{{x}}× real time ({{target}} fps)', eta: 'Time left', elapsed: 'Elapsed',
        phase: 'Phase', done: 'Done', ranks: 'Ranks', announce: 'Clip {{clip}} of {{clips}}, {{phase}}, {{status}}',
      },
      gpu: { title: 'GPUs', memory: 'Memory used (GiB), dashed: capacity', util: 'Utilisation (%)', capacity: 'Capacity', none: 'No GPU samples for this run (CPU rehearsal or no nvidia-smi).' },
      logs: { title: 'Logs', merged: 'All ranks', rank: 'Rank {{rank}}', firstFailing: 'first failing rank', skipped: 'Output came faster than it can be drawn; {{size}} KiB were skipped here (the log file has everything).' },
      stall: {
        title: 'No progress for {{seconds}} s', ranks: 'Stuck ranks: {{ranks}}.', behind: 'Most likely cause: rank {{ranks}}, which fell behind the others.',
        notify: 'The run is still going. Stop it if it does not recover.', stopped: 'The launcher stopped the run and freed the GPUs.',
      },
      failure: {
        rank: 'Rank {{rank}} log', evidence: 'Evidence: {{file}}:{{line}}', applyRelaunch: 'Apply fix and relaunch', editRelaunch: 'Edit and relaunch',
        genericTitle: 'The run failed (exit code {{code}})', stoppedTitle: 'The run was stopped',
        genericExplain: 'No known failure pattern matched the log. The first failing rank’s log is open below.',
        genericFix: 'Read the highlighted rank’s last lines, change the settings and relaunch.',
        stallExplain: 'The run hung: rank {{ranks}} stopped making progress and the others waited for it.',
        stallFix: 'Relaunch; if it hangs at the same point again, use fewer GPUs or the single-GPU mode, and check that no other process uses those GPUs.',
      },
    },
    history: {
      title: 'Run history', refresh: 'Refresh', empty: 'No runs yet.', logs: 'Logs', runAgain: 'Run again',
      col: { status: 'Status', started: 'Started', what: 'Model · mode', duration: 'Duration', peak: 'Peak vs predicted', actions: 'Actions' },
    },
  },
  zh: {
    copyFailed: '请手动选中复制',
    shell: {
      skip: '跳到正文', nav: '主导航', home: '首页', newRun: '新建运行', history: '历史', profiles: '配置', settings: '设置', running: '正在运行',
      langAuto: '语言：跟随系统',
      unauthorizedTitle: '此页面需要访问令牌',
      unauthorizedShort: '未授权：请打开带令牌的网址。',
      unauthorizedHow: '在 GPU 机器上运行 `lal serve`，打开它打印的完整网址（以 ?token=… 结尾）。通过 SSH 访问时请先转发端口。',
      transport: { electron: '桌面版', http: '浏览器（lal serve）', 'in-process': '进程内' },
    },
    state: {
      unavailable: '此版本暂不支持{{what}}。',
      error: '{{what}}失败：{{message}}',
    },
    what: {
      detect: '硬件检测', profiles: '预设与配置', runs: '运行历史', recipes: '模型配方',
      check: '显存检查', plan: '命令预览',
    },
    bar: { summary: '{{used}} / {{capacity}}' },
    status: { starting: '启动中', running: '运行中', stopping: '正在停止', succeeded: '已完成', failed: '失败', stopped: '已停止', interrupted: '已中断', lost: '已丢失' },
    verdict: { fits: '放得下', tight: '偏紧', 'does-not-fit': '放不下' },
    phase: { starting: '启动中', loading: '加载权重', compiling: '编译中', generating: '生成中', saving: '保存中', done: '完成', failed: '失败' },
    role: { dit: 'DiT', vae: 'VAE', single: '单卡', fsdp: 'FSDP 分片' },
    part: {
      weights_dit: 'DiT 权重', weights_t5: 'T5 编码器', weights_vae: 'VAE', weights_audio: '音频编码器', weights_lora: 'LoRA',
      kv_cache: 'KV 缓存', cond_cache: '条件缓存', activations: '激活值', fsdp_unshard: 'FSDP 反分片', cuda_context: 'CUDA 上下文',
      nccl: 'NCCL 缓冲区', margin: '安全余量', other_processes: '其他进程', workspace: '工作区',
      weights_dit_shard: 'DiT 分片', allocator_margin: '分配器余量', audio_encoder_fp32: '音频编码器（fp32）',
      compile_workspace: 'torch.compile 工作区', cpu_weights_and_caches: '内存中的权重与缓存', decode_workspace: '解码工作区',
      decoded_frames: '已解码的帧', dit_cpu_load: 'DiT 加载（内存）', dit_load: 'DiT 加载峰值', dit_offloaded_vae_rank: 'DiT 卸载（VAE 进程）',
      extra_contexts_gpu0: '其他进程的 CUDA 上下文', kv_cache_offloaded: 'KV 缓存（已卸载）', lora_merge: 'LoRA 合并', lora_state_dict: 'LoRA 权重',
      process_base: '进程基础占用', t5_load: 'T5 加载峰值', vae_state_dict: 'VAE 权重（加载）',
    },
    home: {
      hardware: { title: '本机硬件', rescan: '重新检测', scanning: '检测中…', summary: '{{count}} × {{name}} · 显存合计 {{total}}' },
      gpu: {
        memory: 'GPU {{index}} 显存', free: '空闲', util: '利用率', temp: '温度', power: '功耗', arch: '架构',
        holders: '占用显存的进程：{{count}} 个', noHolders: '没有进程占用此 GPU 的显存。', otherUse: '其他占用',
      },
      smi: {
        ok: 'nvidia-smi 正常。', 'nvidia-smi-not-found': '未找到 nvidia-smi：无法使用 NVIDIA GPU。', 'no-driver': 'NVIDIA 驱动未加载。',
        'driver-mismatch': '驱动与库版本不匹配：更新驱动后请重启。', 'no-devices': '驱动没有找到任何 GPU。', error: 'nvidia-smi 运行失败。',
      },
      topology: {
        title: '拓扑', none: '只有一块 GPU，无需互联。', nvlinkAll: '所有 GPU 之间都通过 NVLink 相连。',
        mixed: 'GPU 互联：{{kinds}}。', p2pOk: '所有 GPU 之间点对点通信正常。', p2pBad: '{{count}} 对 GPU 点对点通信失败：NCCL 将经由 CPU 传输。',
        matrix: '查看互联矩阵',
      },
      warnings: { title: '警告', none: '没有需要注意的问题。', fix: '解决方法：' },
      env: {
        title: '环境', driver: '驱动', cpu: 'CPU', cores: '{{count}} 核', ram: '内存', freeOf: '空闲 {{free}}，共 {{total}}',
        container: '在容器中', output: '输出目录', free: '空闲 {{size}}', python: 'Python 与 PyTorch', noPython: '没有找到装有 PyTorch 的 Python。',
        noFlashAttn: '未安装 flash-attn', pythonBroken: '这个解释器无法运行。', checkout: '模型代码目录', checkoutOk: '完整',
        missing: '缺少：{{list}}', noCheckout: '尚未选择 Live Avatar 代码目录；演练预设无需代码目录即可运行。',
      },
      quick: { title: '开始运行', newRun: '新建运行…', empty: '还没有预设或置顶的配置。新建一次运行并置顶后会显示在这里。', preset: '预设', pinned: '已置顶' },
      recent: { title: '最近运行', all: '全部运行', empty: '还没有运行记录。' },
      leftovers: {
        title: '之前的 {{count}} 次运行仍有进程存活，可能占用着显存',
        stop: '停止它们并释放 GPU', stopped: '已停止之前 {{count}} 次运行的进程。',
      },
    },
    wizard: {
      steps: '步骤', back: '上一步', next: '下一步', run: '运行', runAnyway: '仍然运行', starting: '正在启动…',
      launchFailed: '无法启动运行：{{message}}', launchUnavailable: '此处暂不支持运行：{{message}}',
      step: { hardware: '硬件', mode: '模式', inputs: '输入', review: '确认' },
      hardware: {
        title: '使用哪些 GPU', choose: '本次运行使用的 GPU', freeOf: '空闲 {{free}}，共 {{total}}', busy: '有 {{count}} 个其他进程占用显存',
        chosen: '已选择 {{count}} 块 GPU。模式会按需使用前几块。', noGpu: '未发现 GPU：本机只能运行 CPU 演练模式。',
      },
      mode: {
        title: '如何切分模型', recipe: '模型', gpus: '{{count}} 块 GPU', cpu: '仅 CPU', procs: '{{count}} 个进程',
        noRecipes: '尚未安装任何模型配方。',
      },
      inputs: {
        title: '输入与画质', browse: '浏览…', unset: '（默认）', pathPlaceholder: '/本机/上的/路径',
        serverPaths: '路径指运行模型的机器（服务器）上的位置，而不是这台浏览器所在的电脑。',
        checkout: 'Live Avatar 代码目录', checkoutHelp: '克隆 Alibaba-Quark/LiveAvatar 的目录，其中包含 ckpt/。下次会自动记住。',
        advanced: '高级选项（{{count}} 项）', noFlags: '此配方没有可设置的选项。',
        err: { notInteger: '请输入整数。', notPositive: '必须大于等于 1。', badChoice: '请从列出的值中选择。' },
      },
      review: {
        title: '确认并运行', preset: '预设', recipe: '模型', mode: '模式', gpus: 'GPU', firstN: '按模式需要使用前几块',
        fit: '显存检查', toggles: '快捷开关（修改后立即重新检查）', stall: '如果运行停滞不前',
        stallNotify: '通知我并继续运行', stallAfter: '多少秒没有进展视为卡住', stallStop: '停止运行并释放 GPU',
        saveAs: '另存为配置', profileName: '名称，例如 4090 fp8 短片段', savePin: '保存并置顶到首页', saved: '已保存并置顶，现在会显示在首页。',
        command: '命令', cwd: '工作目录：', noShell: '直接启动，不经过 shell', env: '环境变量（{{count}} 个）',
      },
    },
    feas: {
      hostRam: '所需主机内存：{{size}}', cpu: 'CPU', needFree: '需要 {{need}} · 空闲 {{free}}', gpuNeed: 'GPU {{index}} 需求',
      fixes: '让它放得下的办法', apply: '应用', saves: '节省 {{size}}',
    },
    run: {
      teardown: {
        clean: '本次运行的所有进程都已退出，显存已释放（清理用时 {{ms}} 毫秒）。',
        cleanNoSmi: '本次运行的所有进程都已退出（清理用时 {{ms}} 毫秒）。',
        vramHeld: '进程已退出，但显存仍被占用：请到首页查看是谁占用的。',
        remaining: '本次运行的进程 {{pids}} 没有退出（可能卡在驱动中），在退出前可能仍占用显存。',
      },
      title: '运行', stop: '停止', stopping: '正在停止…', openFolder: '打开输出目录', outputAt: '输出位于', succeeded: '已完成，输出在运行目录中。',
      progress: {
        title: '进度', clip: '片段', step: '步', fps: '帧/秒', realtime: '实时速度的 {{x}} 倍（目标 {{target}} 帧/秒）', eta: '剩余时间', elapsed: '已用时间',
        phase: '阶段', done: '完成度', ranks: '各进程', announce: '第 {{clip}} / {{clips}} 个片段，{{phase}}，{{status}}',
      },
      gpu: { title: 'GPU', memory: '显存占用（GiB），虚线为容量', util: '利用率（%）', capacity: '容量', none: '本次运行没有 GPU 采样（CPU 演练或没有 nvidia-smi）。' },
      logs: { title: '日志', merged: '全部进程', rank: '进程 {{rank}}', firstFailing: '最先出错的进程', skipped: '输出速度超过显示速度，此处跳过了 {{size}} KiB（日志文件中完整保留）。' },
      stall: {
        title: '已有 {{seconds}} 秒没有进展', ranks: '卡住的进程：{{ranks}}。', behind: '最可能的原因：进程 {{ranks}} 落后于其他进程。',
        notify: '运行仍在继续。如果没有恢复，请停止它。', stopped: '启动器已停止运行并释放了 GPU。',
      },
      failure: {
        rank: '进程 {{rank}} 的日志', evidence: '证据：{{file}}:{{line}}', applyRelaunch: '应用修复并重新运行', editRelaunch: '修改后重新运行',
        genericTitle: '运行失败（退出码 {{code}}）', stoppedTitle: '运行已停止',
        genericExplain: '日志没有匹配到已知的故障模式。下方已打开最先出错的进程的日志。',
        genericFix: '查看标出的进程的最后几行，修改设置后重新运行。',
        stallExplain: '运行卡住了：进程 {{ranks}} 停止了进展，其他进程都在等它。',
        stallFix: '重新运行；如果再次卡在同一位置，请减少 GPU 数量或改用单卡模式，并确认没有其他进程在使用这些 GPU。',
      },
    },
    history: {
      title: '运行历史', refresh: '刷新', empty: '还没有运行记录。', logs: '日志', runAgain: '再次运行',
      col: { status: '状态', started: '开始时间', what: '模型 · 模式', duration: '耗时', peak: '峰值 / 预测', actions: '操作' },
    },
  },
} as const;
