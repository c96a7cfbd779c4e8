import type { Bilingual } from '../i18n';

/**
 * Words of one simple shell command, the way bash would pass them to a program, for the subset of
 * bash that launch scripts use: literals, '…', "…", backslash escapes, line continuations and
 * $VAR / ${VAR} / ${VAR:-default} of variables the script itself set. Anything else (command
 * substitution, arithmetic, positional parameters, ANSI-C quoting, unknown variables) is never
 * guessed at: the word comes back `unresolved` with the reason, and the importer reports the line.
 *
 * Statement boundaries and syntax errors come from a real shell parser (sh-syntax, in
 * electron/core/profiles/sh-parse.ts); this only splits the text of one statement it found.
 */
const b = (en: string, zh: string): Bilingual => ({ en, zh });
const SUBST = b('command substitution (`…`) is never run by the importer', '导入时从不执行命令替换（`…`）');
const notSet = (name: string) => b(`$${name} is not set in this script (its value depends on the machine)`, `脚本里没有设置 $${name}（它的值取决于机器）`);

/** The value an assignment word `NAME=value` assigns. */
export function assignedValue(w: { value: string; assign: string | null }): string {
  return w.assign === null ? w.value : w.value.slice(w.assign.length + 1);
}

export type ShToken =
  | { kind: 'word'; value: string; line: number; assign: string | null; unresolved: Bilingual | null; glob: boolean }
  | { kind: 'op'; value: string; line: number };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPS = ['&&', '||', ';;', '>>', '<<', '&>', '2>&1', '>&', '|', '&', ';', '<', '>', '(', ')'];

export function shWords(text: string, firstLine: number, vars: ReadonlyMap<string, string>): ShToken[] {
  const out: ShToken[] = [];
  let i = 0;
  let line = firstLine;
  const n = text.length;

  while (i < n) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\n') {
      out.push({ kind: 'op', value: ';', line });
      i++;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', value: op, line });
      i += op.length;
      continue;
    }
    // A word: runs until unquoted whitespace or an operator character.
    const wordLine = line;
    let value = '';
    let unresolved: Bilingual | null = null;
    let glob = false;
    let quotedAny = false;
    let assign: string | null = null;
    let atStart = true;
    const note = (why: Bilingual) => {
      unresolved ??= why;
    };
    while (i < n) {
      const ch = text[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || '|&;<>()'.includes(ch)) break;
      if (ch === '\\') {
        if (text[i + 1] === '\n') {
          i += 2;
          line++;
          continue;
        }
        if (i + 1 >= n) {
          note(b('a backslash at the very end continues onto the next line', '行尾的反斜杠会把下一行接上来'));
          i++;
          continue;
        }
        value += text[i + 1];
        i += 2;
        atStart = false;
        continue;
      }
      if (ch === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) {
          note(b('unterminated single quote', '单引号没有闭合'));
          i = n;
          break;
        }
        const part = text.slice(i + 1, end);
        line += countNewlines(part);
        value += part;
        quotedAny = true;
        i = end + 1;
        atStart = false;
        continue;
      }
      if (ch === '"') {
        i++;
        quotedAny = true;
        let closed = false;
        while (i < n) {
          const d = text[i]!;
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '\\') {
            const e = text[i + 1];
            if (e === '\n') {
              i += 2;
              line++;
              continue;
            }
            if (e === '$' || e === '`' || e === '"' || e === '\\') {
              value += e;
              i += 2;
              continue;
            }
            value += d;
            i++;
            continue;
          }
          if (d === '`') {
            note(SUBST);
            i++;
            continue;
          }
          if (d === '$') {
            const r = expand(text, i, vars);
            if (r.unresolved) note(r.unresolved);
            value += r.value;
            i = r.next;
            continue;
          }
          if (d === '\n') line++;
          value += d;
          i++;
        }
        if (!closed) note(b('unterminated double quote', '双引号没有闭合'));
        atStart = false;
        continue;
      }
      if (ch === '`') {
        note(SUBST);
        const end = text.indexOf('`', i + 1);
        i = end < 0 ? n : end + 1;
        continue;
      }
      if (ch === '$') {
        if (text[i + 1] === '"') {
          note(b('$"…" is a translated string in bash; not read by the importer', '$"…" 是 bash 的本地化字符串，导入时不读取'));
          i++;
          continue;
        }
        if (text[i + 1] === "'") {
          note(b("ANSI-C quoting ($'…') is not read by the importer", "导入时不读取 ANSI-C 引号（$'…'）"));
          const end = text.indexOf("'", i + 2);
          i = end < 0 ? n : end + 1;
          continue;
        }
        const r = expand(text, i, vars);
        if (r.unresolved) note(r.unresolved);
        else if (/[\s*?[]/.test(r.value)) note(b('an unquoted variable whose value has spaces or * ? [ would be split or globbed by bash', '没加引号的变量值含空格或 * ? [，bash 会拆分或展开它'));
        value += r.value;
        i = r.next;
        atStart = false;
        continue;
      }
      if (ch === '=' && atStart && assign === null && !quotedAny && NAME.test(value)) {
        // The word stays whole (`A=1` is a plain argument after the command name); the importer
        // takes the value after `NAME=` only where bash would assign.
        assign = value;
        value += '=';
        i++;
        continue;
      }
      if (ch === '*' || ch === '?' || ch === '[') glob = true;
      if (ch === '{' && /^\{[^\s'"{}]*(,|\.\.)[^\s'"{}]*\}/.test(text.slice(i))) note(b('{a,b} brace expansion makes several words in bash; not read by the importer', 'bash 会把 {a,b} 花括号展开成多个词；导入时不读取'));
      if (ch === '~' && value === '' && !quotedAny) note(b('~ expands to a home folder that differs between machines', '~ 会展开成主目录，每台机器都不同'));
      value += ch;
      i++;
      if (ch === '+' && text[i] === '=' && assign === null && !quotedAny && NAME.test(value.slice(0, -1))) note(b('+= appends to a variable; not read by the importer', '+= 是追加变量；导入时不读取'));
    }
    out.push({ kind: 'word', value, line: wordLine, assign, unresolved, glob });
  }
  return out;
}

function countNewlines(s: string): number {
  let k = 0;
  for (const ch of s) if (ch === '\n') k++;
  return k;
}

/** `$…` at text[i]: a known variable's value, or the reason it cannot be known. */
function expand(text: string, i: number, vars: ReadonlyMap<string, string>): { value: string; next: number; unresolved: Bilingual | null } {
  const next = text[i + 1];
  if (next === '(') {
    const arithmetic = text.startsWith('$((', i);
    return {
      value: '',
      next: skipParens(text, i + 1),
      unresolved: arithmetic ? b('arithmetic ($((…))) is never run by the importer', '导入时从不执行算术展开（$((…))）') : b('command substitution ($(…)) is never run by the importer', '导入时从不执行命令替换（$(…)）'),
    };
  }
  if (next === '[') {
    const end = text.indexOf(']', i + 2);
    return { value: '', next: end < 0 ? text.length : end + 1, unresolved: b('$[…] is arithmetic; never run by the importer', '$[…] 是算术展开；导入时从不执行') };
  }
  if (next === '{') {
    const end = text.indexOf('}', i + 2);
    if (end < 0) return { value: '', next: text.length, unresolved: b('unterminated ${…}', '${…} 没有闭合') };
    const inner = text.slice(i + 2, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(inner);
    if (!m) return { value: '', next: end + 1, unresolved: b(`\${${inner}} is not a plain variable`, `\${${inner}} 不是普通变量`) };
    const [, name, fallback] = m;
    const known = vars.get(name!);
    if (known !== undefined && !(fallback !== undefined && known === '')) return { value: known, next: end + 1, unresolved: null };
    if (fallback !== undefined) {
      if (/[$`\\'"]/.test(fallback)) return { value: '', next: end + 1, unresolved: b(`the default in \${${inner}} is not a plain word`, `\${${inner}} 里的默认值不是普通文字`) };
      return { value: fallback, next: end + 1, unresolved: null };
    }
    return { value: '', next: end + 1, unresolved: notSet(name!) };
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
  if (m) {
    const known = vars.get(m[0]);
    if (known !== undefined) return { value: known, next: i + 1 + m[0].length, unresolved: null };
    return { value: '', next: i + 1 + m[0].length, unresolved: notSet(m[0]) };
  }
  if (next !== undefined && /[0-9@*#?$!-]/.test(next)) return { value: '', next: i + 2, unresolved: b(`$${next} depends on how the script is called`, `$${next} 取决于脚本被怎样调用`) };
  return { value: '$', next: i + 1, unresolved: null };
}

function skipParens(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '(') depth++;
    else if (text[j] === ')') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}
