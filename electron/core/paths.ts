import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where user data lives when Electron does not tell us (CLI, headless server): LAL_DATA_DIR,
 * else the XDG data folder. Electron passes app.getPath('userData') instead.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAL_DATA_DIR) return resolve(env.LAL_DATA_DIR);
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'live-avatar-launcher');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'live-avatar-launcher');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'live-avatar-launcher');
}

/**
 * The resources/ folder (Python scripts). In a checkout it is at the repo root; in a bundle it sits
 * next to the bundle; a packaged app passes process.resourcesPath.
 */
export function defaultResourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAL_RESOURCES_DIR) return resolve(env.LAL_RESOURCES_DIR);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    dir = dirname(dir);
  }
  return resolve('resources');
}

/** The built renderer served by the headless server. */
export function defaultRendererDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAL_RENDERER_DIR) return resolve(env.LAL_RENDERER_DIR);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const sibling = join(dir, 'renderer');
    if (existsSync(join(sibling, 'index.html')) && existsSync(join(sibling, 'assets'))) return sibling;
    dir = dirname(dir);
  }
  return resolve('out/renderer');
}
