import type { Settings } from '../../../../shared/api/contract';
import { load, type Loadable } from '../../lib/loadable';
import type { SliceContext } from './context';

export interface SettingsState {
  settings: Loadable<Settings>;
}

export interface SettingsActions {
  /** Resolves to the outcome, so a form can show the error that names the field. */
  updateSettings(patch: Partial<Settings>): Promise<Loadable<Settings>>;
}

/** The Settings screen: the saved settings; a refused patch leaves them as they were. */
export function settingsSlice({ api, set, get, note }: SliceContext): SettingsState & SettingsActions {
  return {
    settings: { state: 'loading' },
    async updateSettings(patch) {
      const r = note(await load(api.setSettings(patch), get().settings));
      if (r.state === 'ready') set({ settings: r });
      return r;
    },
  };
}
