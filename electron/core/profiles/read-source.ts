import { recipes as allRecipes } from '../../../shared/recipes';
import type { Recipe } from '../../../shared/recipes/types';
import { parseProfileText } from '../../../shared/profiles/migrate';
import { decodeShareCode, looksLikeShareCode } from '../../../shared/profiles/share-code';
import { importScript } from '../../../shared/profiles/script-import';
import type { FieldError, ImportKind, Profile, UnparsedLine } from '../../../shared/profiles/schema';
import { parseShellScript } from './sh-parse';

/**
 * One entry for everything a user can paste or open: a `.lavprofile.json` text, a `lav1.` share
 * code, or a launch script. Returns the profile or field-level errors; never throws on bad input.
 */
export interface SourceResult {
  kind: ImportKind;
  profile: Profile | null;
  errors: FieldError[];
  unparsed: UnparsedLine[];
}

export function kindOf(text: string): ImportKind {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (looksLikeShareCode(t) || /^lav\d+\./.test(t)) return 'code';
  if (t.startsWith('{') || t.startsWith('[')) return 'json';
  return 'sh';
}

export async function readSource(input: string, fallbackName: string, recipes: readonly Recipe[] = allRecipes): Promise<SourceResult> {
  // Editors on Windows often save a UTF-8 byte-order mark; it is not part of the content.
  const text = input.replace(/^\uFEFF/, '');
  const kind = kindOf(text);
  if (kind === 'code') {
    const r = decodeShareCode(text);
    return r.ok ? { kind, profile: r.profile, errors: [], unparsed: [] } : { kind, profile: null, errors: r.errors, unparsed: [] };
  }
  if (kind === 'json') {
    const r = parseProfileText(text, fallbackName);
    return r.ok ? { kind, profile: r.profile, errors: [], unparsed: [] } : { kind, profile: null, errors: r.errors, unparsed: [] };
  }
  // Scripts copied from Windows carry CRLF; bash would choke on the \r, but the intent is plain.
  const crlf = text.includes('\r\n');
  const script = crlf ? text.replace(/\r\n/g, '\n') : text;
  const notes: UnparsedLine[] = crlf
    ? [{ line: 1, text: '', reason: 'Windows line endings (CRLF) were read as Unix ones; bash itself would fail on this file as it is', reasonZh: 'Windows 换行符（CRLF）已按 Unix 换行读取；这个文件原样交给 bash 会出错' }]
    : [];
  const parsed = await parseShellScript(script);
  if (!parsed.ok) {
    return { kind, profile: null, errors: [{ path: `line ${parsed.line}`, message: `shell syntax error: ${parsed.message}`, messageZh: `shell 语法错误：${parsed.message}` }], unparsed: notes };
  }
  const r = importScript(script, parsed.statements, recipes, fallbackName);
  return { kind, profile: r.profile, errors: r.errors, unparsed: [...notes, ...r.unparsed] };
}
