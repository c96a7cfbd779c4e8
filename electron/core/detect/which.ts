import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** PATH lookup without a shell: the first executable file named `cmd`, or null. */
export async function which(cmd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (cmd.includes('/')) {
    const p = isAbsolute(cmd) ? cmd : resolve(cmd);
    return (await isExecutable(p)) ? p : null;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (await isExecutable(p)) return p;
  }
  return null;
}

export async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
