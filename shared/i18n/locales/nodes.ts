/** Strings of multi-node runs (preflight, CLI, wizard's Machines step). Same keys in en and zh (a test checks). */
export const nodes = {
  en: {
    cli: {
      badNode: 'bad --node: {{error}}',
      oneNode: 'a multi-node run needs at least two --node flags (the first hosts the rendezvous)',
      preflightFailed: 'preflight failed on the nodes; nothing was started',
    },
  },
  zh: {
    cli: {
      badNode: '--node 参数有误：{{error}}',
      oneNode: '多机运行至少需要两个 --node（第一个承载 rendezvous）',
      preflightFailed: '节点预检未通过；没有启动任何进程',
    },
  },
};
