import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Recipe } from '../../../shared/recipes/types';
import { EventBus } from '../../../electron/core/events';
import { SettingsStore } from '../../../electron/core/settings';
import type { CoreContext } from '../../../electron/core/context';
import type { DetectReport } from '../../../shared/detect/types';

const here = dirname(fileURLToPath(import.meta.url));
export const SYS_PYTHON = '/usr/bin/python3';
export const TORCH_HINT = 'needs torch and tqdm for /usr/bin/python3: apt-get install -y python3-torch python3-tqdm';

/** A recipe over tiny_worker.py: the run manager's own test workload (no model, no rehearsal). */
export const tinyRecipe: Recipe = {
  id: 'tiny',
  label: { en: 'tiny', zh: '微型' },
  description: { en: 'test worker', zh: '测试进程' },
  entry: join(here, 'fixtures', 'tiny_worker.py'),
  fixedArgs: [],
  flags: [
    { name: 'num_clip', type: 'int', default: 2, label: { en: 'clips', zh: '片段' } },
    { name: 'blocks', type: 'int', label: { en: 'blocks', zh: '块' } },
    { name: 'steps', type: 'int', label: { en: 'steps', zh: '步' } },
    { name: 'step_sec', type: 'string', label: { en: 'step time', zh: '步时' } },
    { name: 'prompt', type: 'string', label: { en: 'prompt', zh: '提示词' } },
    { name: 'fail', type: 'string', label: { en: 'fail', zh: '故障' } },
    { name: 'save_file', type: 'path', label: { en: 'output', zh: '输出' } },
    { name: 'device', type: 'enum', choices: ['cpu', 'cuda'], default: 'cpu', label: { en: 'device', zh: '设备' } },
  ],
  modes: [
    { id: 'two', label: { en: '2 ranks', zh: '2 进程' }, description: { en: '', zh: '' }, nproc: 2, gpus: 0, flags: { blocks: 2 }, roles: ['dit', 'vae'], cpuCapable: true },
    { id: 'four', label: { en: '4 ranks', zh: '4 进程' }, description: { en: '', zh: '' }, nproc: 4, gpus: 0, flags: { blocks: 2 }, roles: ['dit', 'dit', 'dit', 'vae'], cpuCapable: true },
  ],
  components: [],
  progress: {
    frameRanks: [1],
    barsPerClip: { flag: 'blocks', divisor: 1 },
    framesPerBar: 12,
    realtimeFps: 25,
    startupBudgetSec: 120,
    phases: [
      { phase: 'loading', match: 'Using TPP distributed inference.' },
      { phase: 'done', match: 'Finished.' },
    ],
  },
  env: {},
  envAllow: ['TINY_OK'],
  needsCheckout: false,
};

export function tinyContext(dataDir: string, resourcesDir: string): CoreContext {
  const settings = new SettingsStore(dataDir);
  settings.update({ pythonPath: SYS_PYTHON, language: 'en' });
  return {
    dataDir,
    resourcesDir,
    events: new EventBus(),
    settings,
    detect: async () => ({}) as DetectReport,
    overrides: { nvidiaSmi: '/nonexistent/nvidia-smi', python: SYS_PYTHON },
  };
}
