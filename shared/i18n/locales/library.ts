/**
 * Strings of the Profiles screen (the library, import with consent) and of the env-consent box the
 * wizard shares with it. Same keys in en and zh (a test checks); no plural suffixes.
 */
export const library = {
  en: {
    title: 'Profiles',
    intro: 'Saved setups and built-in presets. Open one to review and run it, pin it to the home screen, or share it.',
    list: {
      title: 'Your profiles and presets', empty: 'No profiles yet. Save one from the wizard’s Review step, or import one below.',
      builtin: 'preset', pinned: 'pinned', open: 'Open', pin: 'Pin to home', unpin: 'Unpin', duplicate: 'Duplicate', rename: 'Rename',
      delete: 'Delete', export: 'Export', confirmDelete: 'Delete “{{name}}”? This cannot be undone.', confirm: 'Delete it', cancel: 'Cancel',
      newName: 'New name', apply: 'OK', deleted: 'Deleted “{{name}}”.', renamed: 'Renamed to “{{name}}”.', duplicated: 'Copied as “{{name}}”.',
      actionsFor: 'Actions for {{name}}',
    },
    export: {
      title: 'Export “{{name}}”', json: 'Profile file (.lavprofile.json)', code: 'Share code (text)', sh: 'bash script',
      download: 'Download', close: 'Close', shNote: 'The script has this machine’s paths filled in; check them before sending it to someone else.',
    },
    import: {
      title: 'Import', help: 'Paste a profile file, a share code (lav1.…) or a launch script such as infinite_inference_multi_gpu.sh. Nothing runs: you see what it would do first.',
      source: 'Profile, share code or script', file: 'Or open a file', preview: 'Preview', previewing: 'Reading…', clear: 'Clear',
      failed: 'This could not be imported:', lineErrors: 'Problems, by field or line',
      kind: { json: 'profile file', code: 'share code', sh: 'shell script' },
      from: 'Read as a {{kind}}', name: 'Save as', nameTaken: 'A profile or preset with this name exists: choose another name.',
      wouldRun: 'What would run', noPlan: 'No command can be built yet: {{message}}',
      unparsed: 'Lines not imported ({{count}})', unparsedHelp: 'These lines were not understood and are not part of the profile. Check that nothing important is among them.',
      line: 'line {{line}}',
      paths: 'Paths outside your trusted folders ({{count}})', pathsHelp: 'These point outside the folders you trust (Settings). Make sure they are what you expect.',
      fit: 'Memory check on this machine', fitUnavailable: 'The memory check is not available: {{message}}',
      save: 'Save', saveOpen: 'Save and open', saved: 'Saved as “{{name}}”.', pinIt: 'Pin to home screen',
      needConsent: 'Tick or remove each variable marked below before saving.',
    },
    consent: {
      title: 'Environment variables that need your consent', help: 'These can change which code runs. Allow only what you understand and expect.',
      allow: 'Allow {{name}}', remove: 'Remove', value: 'value',
      why: {
        LD_PRELOAD: 'Loads a library into every process before anything else: it can run any code.',
        LD_LIBRARY_PATH: 'Changes where shared libraries (CUDA, NCCL) are loaded from.',
        LD_AUDIT: 'Loads a library that watches every program start: it can run any code.',
        PYTHONPATH: 'Makes Python import modules from other folders first: it can replace any library.',
        PYTHONSTARTUP: 'Runs a Python file when an interpreter starts.',
        PYTHONHOME: 'Switches the Python installation itself.',
        PATH: 'Changes which programs are found by name.',
        HF_ENDPOINT: 'Downloads model files from a different server.',
        other: 'Not on this recipe’s list of known-safe variables.',
      },
    },
  },
  zh: {
    title: '配置',
    intro: '已保存的配置和内置预设。打开后可检查并运行，也可以固定到首页或分享给别人。',
    list: {
      title: '我的配置与预设', empty: '还没有配置。可在向导的“检查”一步保存，或在下方导入。',
      builtin: '预设', pinned: '已固定', open: '打开', pin: '固定到首页', unpin: '取消固定', duplicate: '复制', rename: '重命名',
      delete: '删除', export: '导出', confirmDelete: '删除“{{name}}”？此操作无法撤销。', confirm: '确认删除', cancel: '取消',
      newName: '新名称', apply: '确定', deleted: '已删除“{{name}}”。', renamed: '已重命名为“{{name}}”。', duplicated: '已复制为“{{name}}”。',
      actionsFor: '{{name}} 的操作',
    },
    export: {
      title: '导出“{{name}}”', json: '配置文件（.lavprofile.json）', code: '分享码（文本）', sh: 'bash 脚本',
      download: '下载', close: '关闭', shNote: '脚本里填的是本机路径；发给别人之前请检查。',
    },
    import: {
      title: '导入', help: '粘贴配置文件、分享码（lav1.…）或启动脚本（例如 infinite_inference_multi_gpu.sh）。不会直接运行：先给你看它会做什么。',
      source: '配置、分享码或脚本', file: '或打开文件', preview: '预览', previewing: '读取中…', clear: '清空',
      failed: '无法导入：', lineErrors: '问题（按字段或行号）',
      kind: { json: '配置文件', code: '分享码', sh: 'shell 脚本' },
      from: '识别为{{kind}}', name: '保存为', nameTaken: '已有同名配置或预设，请换一个名称。',
      wouldRun: '将要运行的命令', noPlan: '暂时无法生成命令：{{message}}',
      unparsed: '未导入的行（{{count}}）', unparsedHelp: '这些行无法识别，没有进入配置。请确认其中没有重要内容。',
      line: '第 {{line}} 行',
      paths: '不在信任文件夹内的路径（{{count}}）', pathsHelp: '这些路径不在你信任的文件夹（设置）之内，请确认它们符合预期。',
      fit: '本机显存检查', fitUnavailable: '显存检查不可用：{{message}}',
      save: '保存', saveOpen: '保存并打开', saved: '已保存为“{{name}}”。', pinIt: '固定到首页',
      needConsent: '保存前，请逐个勾选允许或删除下面标出的变量。',
    },
    consent: {
      title: '需要你同意的环境变量', help: '这些变量可能改变实际运行的代码。只允许你理解并预期的项。',
      allow: '允许 {{name}}', remove: '删除', value: '值',
      why: {
        LD_PRELOAD: '在每个进程启动前注入一个库：可以执行任意代码。',
        LD_LIBRARY_PATH: '改变共享库（CUDA、NCCL）的加载位置。',
        LD_AUDIT: '加载一个监视所有程序启动的库：可以执行任意代码。',
        PYTHONPATH: '让 Python 优先从其他文件夹导入模块：可以替换任何库。',
        PYTHONSTARTUP: '解释器启动时执行一个 Python 文件。',
        PYTHONHOME: '更换 Python 安装本身。',
        PATH: '改变按名称查找程序的位置。',
        HF_ENDPOINT: '从另一个服务器下载模型文件。',
        other: '不在此配方的安全变量列表中。',
      },
    },
  },
};
