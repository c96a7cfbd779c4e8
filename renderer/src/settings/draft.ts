import type { Settings } from '../../../shared/api/contract';
import type { ApiError } from '../../../shared/api/result';

/** The path settings, in the order the screen shows them, with what a dialog should pick. */
export const PATH_FIELDS = [
  { key: 'pythonPath', kind: 'file' },
  { key: 'checkoutPath', kind: 'folder' },
  { key: 'outputDir', kind: 'folder' },
  { key: 'nvidiaSmiPath', kind: 'file' },
] as const;
export type PathKey = (typeof PATH_FIELDS)[number]['key'];

/** What the form edits: paths as text ('' = automatic), the rest as stored. */
export interface Draft {
  pythonPath: string;
  checkoutPath: string;
  outputDir: string;
  nvidiaSmiPath: string;
  stallAction: Settings['stallAction'];
  trustedFolders: string[];
}

export function toDraft(s: Settings): Draft {
  return {
    pythonPath: s.pythonPath ?? '',
    checkoutPath: s.checkoutPath ?? '',
    outputDir: s.outputDir ?? '',
    nvidiaSmiPath: s.nvidiaSmiPath ?? '',
    stallAction: s.stallAction,
    trustedFolders: [...s.trustedFolders],
  };
}

/**
 * Only what changed, so saving here never overwrites a language or theme another window set
 * meanwhile. Pasted paths often carry stray spaces, which no real folder name ends with.
 */
export function patchFrom(draft: Draft, saved: Settings): Partial<Settings> {
  const patch: Partial<Settings> = {};
  for (const { key } of PATH_FIELDS) {
    const v = draft[key].trim() || null;
    if (v !== saved[key]) patch[key] = v;
  }
  if (draft.stallAction !== saved.stallAction) patch.stallAction = draft.stallAction;
  if (draft.trustedFolders.join('\0') !== saved.trustedFolders.join('\0')) patch.trustedFolders = draft.trustedFolders;
  return patch;
}

export const isDirty = (draft: Draft, saved: Settings): boolean => Object.keys(patchFrom(draft, saved)).length > 0;

/** Where a refusal belongs on this screen: a path field, one trusted folder, or the form as a whole. */
export type ErrorPlace = { kind: 'path'; key: PathKey } | { kind: 'trusted'; index: number } | { kind: 'trustedList' } | { kind: 'form' };

export function errorPlace(error: ApiError): ErrorPlace {
  const field = error.code === 'BAD_INPUT' ? error.field : undefined;
  const path = PATH_FIELDS.find((f) => f.key === field);
  if (path) return { kind: 'path', key: path.key };
  const trusted = field?.match(/^trustedFolders\.(\d+)$/);
  if (trusted) return { kind: 'trusted', index: Number(trusted[1]) };
  if (field === 'trustedFolders') return { kind: 'trustedList' };
  return { kind: 'form' };
}

/** The element a refusal sends keyboard focus to, so the user lands on what to fix. */
export function errorTargetId(place: ErrorPlace): string | null {
  if (place.kind === 'path') return `settings-${place.key}`;
  if (place.kind === 'trusted') return `settings-trusted-${place.index}`;
  if (place.kind === 'trustedList') return 'settings-trusted-new';
  return null;
}

/** Core's reason for a refused path (electron/core/settings.ts), when it gave one. */
export function pathReason(error: ApiError): { reason: 'notAbsolute' | 'controlChar'; value: string } | null {
  const d = error.details as { reason?: unknown; value?: unknown } | undefined;
  const value = typeof d?.value === 'string' ? d.value : '';
  if (d?.reason === 'not-absolute') return { reason: 'notAbsolute', value };
  if (d?.reason === 'control-char') return { reason: 'controlChar', value };
  return null;
}

/** A refused path in the reader's language, named by its field label; other errors as core worded them. */
export function pathErrorText(t: (key: string, vars: Record<string, string>) => string, error: ApiError, field: string): string {
  const why = pathReason(error);
  return why ? t(`settings:errors.${why.reason}`, { field, value: why.value }) : error.message;
}
