import type { Dialog, Shell } from 'electron';
import type { NativeCapabilities } from '../core/app';

/**
 * What only Electron can do: a native file dialog and opening a folder in the file manager. Core
 * wraps both behind the contract's validation; openPath reaches here only with a run's own folder.
 */
export function nativeCapabilities(dialog: Pick<Dialog, 'showOpenDialog'>, shell: Pick<Shell, 'openPath'>): NativeCapabilities {
  return {
    pickPath: async ({ kind, title }) => {
      const r = await dialog.showOpenDialog({ title, properties: [kind === 'folder' ? 'openDirectory' : 'openFile'] });
      return { path: r.canceled ? null : (r.filePaths[0] ?? null), supported: true };
    },
    openFolder: async (path) => (await shell.openPath(path)) === '',
  };
}
