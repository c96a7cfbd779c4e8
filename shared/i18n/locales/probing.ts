/**
 * Words for parts of detection still being probed while the GPUs are already shown (Home draws the
 * early `detectUpdated` report first). Keep en and zh with the same keys (a test checks).
 */
export const probing = {
  en: {
    python: 'Probing Python environments (torch, CUDA, flash-attn)…',
    checkout: 'Probing the Live Avatar checkout…',
  },
  zh: {
    python: '正在探测 Python 环境（torch、CUDA、flash-attn）…',
    checkout: '正在检查 Live Avatar 代码目录…',
  },
} as const;
