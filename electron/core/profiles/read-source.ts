import { recipes as allRecipes } from '../../../shared/recipes';
import type { Recipe } from '../../../shared/recipes/types';
import { parseProfileText } from '../../../shared/profiles/migrate';
import { decodeShareCode, looksLikeShareCode } from '../../../shared/profiles/share-code';
import { importScript } from '../../../shared/profiles/script-import';
import type { FieldError, ImportKind, Profile, UnparsedLine } from '../../../shared/profiles/schema';
import { parseShellScript } from './sh-parse';
import { PARSE_DEADLINE_MS } from './sh-worker';

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

/** A launch script is a few KB; anything past this is not one worth reading (it is parsed before any preview). */
export const MAX_SCRIPT_BYTES = 256 * 1024;

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
  const bytes = new TextEncoder().encode(script).length;
  if (bytes > MAX_SCRIPT_BYTES) {
    const kb = Math.ceil(bytes / 1024);
    return {
      kind,
      profile: null,
      errors: [{ path: '(script)', message: `the script is ${kb} KB; a launch script to import is at most ${MAX_SCRIPT_BYTES / 1024} KB`, messageZh: `脚本有 ${kb} KB；可导入的启动脚本最多 ${MAX_SCRIPT_BYTES / 1024} KB` }],
      unparsed: [],
    };
  }
  const parsed = await parseShellScript(script);
  if (!parsed.ok && parsed.notSyntax) {
    const zh = parsed.notSyntax === 'deadline' ? `读取脚本超时（上限 ${PARSE_DEADLINE_MS / 1000} 秒）` : '脚本解析器意外停止';
    return { kind, profile: null, errors: [{ path: '(script)', message: `the script could not be read: ${parsed.message}`, messageZh: `无法读取脚本：${zh}` }], unparsed: notes };
  }
  if (!parsed.ok) {
    return { kind, profile: null, errors: [{ path: `line ${parsed.line}`, message: `shell syntax error: ${parsed.message}`, messageZh: `shell 语法错误：${parsed.message}` }], unparsed: notes };
  }
  const r = importScript(script, parsed.statements, recipes, fallbackName);
  return { kind, profile: r.profile, errors: r.errors, unparsed: [...notes, ...r.unparsed] };
}
