import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** PATH lookup without a shell: the first executable file named `cmd`, or null. */
export async function which(cmd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (cmd.includes('/')) {
    const p = isAbsolute(cmd) ? cmd : resolve(cmd);
    return (await isExecutable(p)) ? p : null;
  }
  // Windows finds nvidia-smi.exe / python.exe through PATHEXT; the driver installs nvidia-smi.exe on PATH.
  const names = process.platform === 'win32' ? [cmd, ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => cmd + e.toLowerCase())] : [cmd];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const p = join(dir, name);
      if (await isExecutable(p)) return p;
    }
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
