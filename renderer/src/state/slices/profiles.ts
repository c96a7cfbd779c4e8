import type { ProfileSummary } from '../../../../shared/profiles/schema';
import { load, type Loadable } from '../../lib/loadable';
import type { SliceContext } from './context';

export interface ProfilesState {
  profiles: Loadable<ProfileSummary[]>;
}

export interface ProfilesActions {
  refreshProfiles(): Promise<void>;
}

/** The profile library: saved profiles and presets (the Profiles screen and Home's pinned ones). */
export function profilesSlice({ api, set, get, note }: SliceContext): ProfilesState & ProfilesActions {
  return {
    profiles: { state: 'loading' },
    async refreshProfiles() {
      set({ profiles: note(await load(api.listProfiles(undefined), get().profiles)) });
    },
  };
}
