import type { Api } from '../../../shared/api/contract';
import type { CoreContext } from '../context';
import { notYet } from '../not-yet';

type ProfileMethods =
  | 'listProfiles' | 'getProfile' | 'saveProfile' | 'deleteProfile' | 'renameProfile'
  | 'duplicateProfile' | 'pinProfile' | 'previewImport' | 'exportProfile';

/** Profiles and presets over the contract. Owned by the profiles feature. */
export function profilesApi(_ctx: CoreContext): Pick<Api, ProfileMethods> {
  return {
    listProfiles: async () => [],
    getProfile: async () => notYet('getProfile'),
    saveProfile: async () => notYet('saveProfile'),
    deleteProfile: async () => notYet('deleteProfile'),
    renameProfile: async () => notYet('renameProfile'),
    duplicateProfile: async () => notYet('duplicateProfile'),
    pinProfile: async () => notYet('pinProfile'),
    previewImport: async () => notYet('previewImport'),
    exportProfile: async () => notYet('exportProfile'),
  };
}
