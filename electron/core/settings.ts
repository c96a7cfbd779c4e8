import { join } from 'node:path';
import type { Settings } from '../../shared/api/contract';
import { readJson, writeJsonAtomic } from './json-file';

export const defaultSettings: Settings = {
  language: 'auto',
  theme: 'system',
  pythonPath: null,
  checkoutPath: null,
  outputDir: null,
  nvidiaSmiPath: null,
  stallAction: 'notify',
  trustedFolders: [],
};

export class SettingsStore {
  private readonly file: string;
  private current: Settings;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'settings.json');
    this.current = { ...defaultSettings, ...(readJson<Partial<Settings>>(this.file) ?? {}) };
  }

  get(): Settings {
    return { ...this.current };
  }

  update(patch: Partial<Settings>): Settings {
    this.current = { ...this.current, ...patch };
    writeJsonAtomic(this.file, this.current);
    return this.get();
  }
}
