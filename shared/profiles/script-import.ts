import type { FlagSpec, ModeSpec, Recipe } from '../recipes/types';
import { coerceFlag } from '../recipes/settings';
import { ApiFailure } from '../api/result';
import type { Bilingual } from '../i18n';

const b = (en: string, zh: string): Bilingual => ({ en, zh });
/** A reason with a prefix (a flag or variable name, or a bilingual lead-in). */
const pre = (prefix: string | Bilingual, why: Bilingual): Bilingual =>
  typeof prefix === 'string' ? { en: prefix + why.en, zh: prefix + why.zh } : { en: prefix.en + why.en, zh: prefix.zh + why.zh };
import type { SettingValue } from '../run/types';
import { INPUT_KEYS, PROFILE_FORMAT, PROFILE_VERSION, type FieldError, type Profile, type UnparsedLine } from './schema';
import { parseProfileValue } from './migrate';
import { assignedValue, shWords, type ShToken } from './sh-words';
import { normalizeProfile } from './normalize';

/**
 * Turn a Live Avatar-style launch script into a profile: env assignments and `export` lines become
 * env, `CUDA_VISIBLE_DEVICES` becomes the GPU selection, torchrun's `--nproc_per_node` and the
 * script's own flags pick the recipe's mode, and the remaining flags become typed settings.
 * Nothing is executed. Every line that is not carried into the profile is reported with why.
 */
export interface ShStatement {
  line: number;
  endLine: number;
  cmdLine: number;
  /** Text of the command itself (without trailing redirections or `&`). */
  text: string;
  whole: string;
  background: boolean;
  negated: boolean;
  redirects: { line: number; text: string }[];
}

export interface ScriptImport {
  profile: Profile | null;
  errors: FieldError[];
  unparsed: UnparsedLine[];
}

/** Metadata comments the .sh export writes, so an exported script imports back to the same profile. */
export const META_NAME = '# lavprofile-name: ';
export const META_NOTES = '# lavprofile-notes: ';

const TORCHRUN_VALUE_FLAGS = new Set([
  'nproc_per_node', 'nnodes', 'node_rank', 'master_addr', 'master_port', 'rdzv_backend', 'rdzv_endpoint', 'rdzv_id',
  'rdzv_conf', 'max_restarts', 'monitor_interval', 'start_method', 'role', 'log_dir', 'redirects', 'tee', 'local_addr',
  'logs_specs', 'local_ranks_filter', 'run_path',
]);
const TORCHRUN_SWITCHES = new Set(['standalone', 'no_python', 'module', 'm']);
/** Torchrun settings the launcher chooses itself (a free port, its own log layout). */
const LAUNCHER_OWNED = new Set(['master_port', 'master_addr', 'max_restarts', 'monitor_interval', 'log_dir', 'redirects', 'tee', 'standalone', 'rdzv_backend', 'rdzv_endpoint', 'rdzv_id']);
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', 'select', '{', '}', '[[', '((', 'coproc']);
const WRAPPERS = new Set(['nohup', 'exec', 'time', 'env']);
const HARMLESS = new Set(['echo', 'printf', 'set', 'true', ':', 'date', 'sleep', 'nvidia-smi', 'wait']);

export function importScript(raw: string, statements: ShStatement[], recipes: readonly Recipe[], fallbackName: string): ScriptImport {
  const unparsed: UnparsedLine[] = [];
  const lines = raw.split('\n');
  const lineText = (n: number) => (lines[n - 1] ?? '').trim();
  const report = (line: number, why: Bilingual) => {
    if (!unparsed.some((u) => u.line === line && u.reason === why.en)) unparsed.push({ line, text: lineText(line), reason: why.en, reasonZh: why.zh });
  };

  const vars = new Map<string, string>();
  const exported = new Map<string, { value: string; line: number }>();
  const plainVars = new Map<string, number>();
  let launch: { line: number; prefix: Map<string, string>; words: Extract<ShToken, { kind: 'word' }>[] } | null = null;

  for (const st of statements) {
    if (st.background) report(st.line, b('runs in the background (&); the launcher runs the job in the foreground', '后台运行（&）；启动器在前台运行任务'));
    if (st.negated) report(st.line, b('! negation is not read', '不读取 ! 取反'));
    for (const r of st.redirects) report(r.line, b(`output redirection "${r.text}" is not needed: the launcher keeps every rank's log`, `不需要输出重定向"${r.text}"：启动器会保存每个进程的日志`));
    const tokens = shWords(st.text, st.cmdLine, vars);
    // Split on operators: a pipe into tee/grep is reported and dropped, the command before it is read.
    const commands: Extract<ShToken, { kind: 'word' }>[][] = [[]];
    let skipNext = false;
    let pipedAway = false;
    for (const t of tokens) {
      if (t.kind === 'op') {
        if (t.value === '>' || t.value === '>>' || t.value === '<' || t.value === '&>' || t.value === '>&') {
          skipNext = true;
          report(t.line, b(`redirection "${t.value}" is not needed: the launcher keeps every rank's log`, `不需要重定向"${t.value}"：启动器会保存每个进程的日志`));
        } else if (t.value === '2>&1') {
          report(t.line, b('redirection "2>&1" is not needed: the launcher keeps every rank\'s log', '不需要重定向"2>&1"：启动器会保存每个进程的日志'));
        } else if (t.value === '|') {
          report(t.line, b('a pipe after the command is dropped (the launcher shows and saves the output)', '命令后面的管道被去掉（启动器会显示并保存输出）'));
          pipedAway = true;
        } else if (t.value === ';' || t.value === '&&' || t.value === '||') {
          if (t.value !== ';') report(t.line, b(`"${t.value}" chains commands; each is read on its own`, `"${t.value}" 连接了多条命令；逐条读取`));
          commands.push([]);
          pipedAway = false;
        } else {
          report(t.line, b(`shell syntax "${t.value}" (subshell, background or control flow) is not read`, `不读取 shell 语法"${t.value}"（子 shell、后台或流程控制）`));
          pipedAway = true;
        }
        continue;
      }
      if (skipNext) {
        skipNext = false;
        continue;
      }
      if (!pipedAway) commands[commands.length - 1]!.push(t);
    }

    const head = commands.find((c) => c.length)?.find((w) => w.assign === null);
    if (tokens.some((t) => t.kind === 'op' && (t.value === '(' || t.value === ')'))) {
      report(st.line, b(`a subshell or function is not read: a profile holds one torchrun launch; lines ${st.line}–${st.endLine} skipped`, `不读取子 shell 或函数：配置只包含一次 torchrun 启动；跳过第 ${st.line}–${st.endLine} 行`));
      continue;
    }
    if (head && RESERVED.has(head.value)) {
      report(st.line, b(`"${head.value}" (control flow or a function) is not read: a profile holds one torchrun launch; lines ${st.line}–${st.endLine} skipped`, `不读取"${head.value}"（流程控制或函数）：配置只包含一次 torchrun 启动；跳过第 ${st.line}–${st.endLine} 行`));
      continue;
    }
    for (const words of commands) {
      if (!words.length) continue;
      let k = 0;
      const prefix = new Map<string, string>();
      while (k < words.length && words[k]!.assign !== null) {
        const w = words[k]!;
        if (w.unresolved) report(w.line, pre(`${w.assign}: `, w.unresolved));
        else prefix.set(w.assign!, assignedValue(w));
        k++;
      }
      let rest = words.slice(k);
      // Wrappers that only change how the command is started: nohup/exec/time, and env's own NAME=value.
      while (rest.length > 1 && WRAPPERS.has(rest[0]!.value) && !rest[0]!.unresolved) {
        const wrapper = rest[0]!;
        rest = rest.slice(1);
        if (wrapper.value === 'env') {
          while (rest.length > 1 && rest[0]!.assign !== null && !rest[0]!.unresolved) {
            prefix.set(rest[0]!.assign!, assignedValue(rest[0]!));
            rest = rest.slice(1);
          }
        } else {
          report(wrapper.line, b(`"${wrapper.value}" is not needed: the launcher starts, watches and stops the run itself`, `不需要"${wrapper.value}"：启动器自己负责启动、监控和停止`));
        }
      }
      if (!rest.length) {
        // Plain assignments: shell variables, not environment (unless exported later).
        for (const [name, value] of prefix) {
          vars.set(name, value);
          plainVars.set(name, st.line);
          if (exported.has(name)) exported.set(name, { value, line: st.line });
        }
        continue;
      }
      const cmd = rest[0]!;
      if (cmd.unresolved) {
        report(cmd.line, pre(b('the command name is not a plain word: ', '命令名不是普通文字：'), cmd.unresolved));
        continue;
      }
      const name = cmd.value;
      if (name === 'export') {
        for (const w of rest.slice(1)) {
          if (w.unresolved) report(w.line, pre(`${w.assign ?? w.value}: `, w.unresolved));
          else if (w.value.startsWith('-')) report(w.line, b(`export ${w.value} is not read`, `不读取 export ${w.value}`));
          else if (w.assign !== null) {
            vars.set(w.assign, assignedValue(w));
            exported.set(w.assign, { value: assignedValue(w), line: w.line });
          } else if (vars.has(w.value)) exported.set(w.value, { value: vars.get(w.value)!, line: w.line });
          else report(w.line, b(`export ${w.value}: the variable is not set in this script`, `export ${w.value}：脚本里没有设置这个变量`));
        }
        if (prefix.size) report(st.line, b('assignments before export are not read', '不读取 export 前面的赋值'));
        continue;
      }
      if (isTorchrun(rest)) {
        if (launch) report(cmd.line, b('a second torchrun command: only the first one is imported', '第二条 torchrun 命令：只导入第一条'));
        else launch = { line: cmd.line, prefix, words: rest };
        continue;
      }
      if (name === 'cd') {
        report(cmd.line, b('cd: the launcher runs from your Live Avatar folder (Settings → checkout) itself', 'cd：启动器会自己在你的 Live Avatar 目录（设置 → 代码目录）里运行'));
        continue;
      }
      if (name === 'unset') {
        for (const w of rest.slice(1)) {
          vars.delete(w.value);
          exported.delete(w.value);
        }
        continue;
      }
      if (HARMLESS.has(name)) {
        report(cmd.line, b(`"${name}" is not part of the run; ignored`, `"${name}" 不属于这次运行；已忽略`));
        continue;
      }
      report(cmd.line, b(`command "${name}" is not imported: a profile holds one torchrun launch, never other commands`, `没有导入命令"${name}"：配置只包含一次 torchrun 启动，从不包含其他命令`));
    }
  }

  for (const [name, line] of plainVars) {
    if (!exported.has(name) && !(launch && launch.prefix.has(name)) && /^(NCCL_|TORCH_|CUDA_|PYTORCH_|HF_|OMP_|ENABLE_|TRITON_|PYTHON)/.test(name)) {
      report(line, b(`${name} is set but never exported, so torchrun does not see it; not imported`, `${name} 设置了但没有 export，torchrun 看不到它；未导入`));
    }
  }

  if (!launch) {
    return { profile: null, errors: [{ path: 'line 1', message: 'no torchrun command found: the script must launch torchrun (or python -m torch.distributed.run)', messageZh: '没有找到 torchrun 命令：脚本必须启动 torchrun（或 python -m torch.distributed.run）' }], unparsed };
  }

  const env: Record<string, string> = {};
  for (const [k, v] of exported) env[k] = v.value;
  for (const [k, v] of launch.prefix) env[k] = v;

  const parsed = readTorchrun(launch.words, report);
  if (!parsed.entry) return { profile: null, errors: [{ path: `line ${launch.line}`, message: 'torchrun has no script to run', messageZh: 'torchrun 没有要运行的脚本' }], unparsed };
  const recipe = findRecipe(recipes, parsed.entry.value);
  if (!recipe) {
    const known = recipes.map((r) => `${r.id} (${basename(r.entry)})`).join(', ') || 'none';
    return { profile: null, errors: [{ path: `line ${parsed.entry.line}`, message: `no recipe runs "${parsed.entry.value}"; recipes: ${known}`, messageZh: `没有配方运行"${parsed.entry.value}"；现有配方：${known}` }], unparsed };
  }
  if (basename(parsed.entry.value) !== basename(recipe.entry)) {
    report(parsed.entry.line, b(`${parsed.entry.value} is not this app's entry: imported as recipe ${recipe.id} (${basename(recipe.entry)}); flags it does not know are listed here`, `${parsed.entry.value} 不是本应用的入口：按配方 ${recipe.id}（${basename(recipe.entry)}）导入；它不认识的参数列在这里`));
  }

  const flags = readScriptFlags(parsed.args, recipe, report);
  const mode = pickMode(recipe, parsed.nproc, flags.values);
  if (!mode) {
    const modes = recipe.modes.map((m) => `${m.id} (${m.nproc} processes)`).join(', ');
    return { profile: null, errors: [{ path: `line ${launch.line}`, message: `recipe ${recipe.id} has no mode for ${parsed.nproc ?? '?'} processes with these flags; modes: ${modes}`, messageZh: `配方 ${recipe.id} 没有 ${parsed.nproc ?? '?'} 个进程、这些参数的模式；现有模式：${modes}` }], unparsed };
  }

  const settings: Record<string, SettingValue> = {};
  const inputs: Record<string, string> = {};
  for (const [key, { value, line }] of flags.values) {
    if (key in mode.flags) {
      if (String(mode.flags[key]) !== String(value)) {
        const spec = recipe.flags.find((f) => f.name === key);
        if (spec?.modeOwned) {
          report(line, b(`--${key} ${String(value)}: mode ${mode.id} always uses ${String(mode.flags[key])}`, `--${key} ${String(value)}：模式 ${mode.id} 固定使用 ${String(mode.flags[key])}`));
          continue;
        }
        settings[key] = value;
      }
      continue;
    }
    if ((INPUT_KEYS as readonly string[]).includes(key) && typeof value === 'string') inputs[key] = value;
    else settings[key] = value;
  }

  // A switch the script leaves out is off upstream (argparse store_true), even where this app's
  // recipe turns it on by default (--fp8 removed for an Ampere card must stay off).
  for (const f of recipe.flags) {
    if (f.type !== 'bool' || (f.boolStyle ?? 'switch') !== 'switch' || f.default !== true) continue;
    if (f.name in mode.flags || flags.values.has(f.name)) continue;
    settings[f.name] = false;
  }

  let gpus: number[] | undefined;
  if ('CUDA_VISIBLE_DEVICES' in env) {
    const v = env.CUDA_VISIBLE_DEVICES!;
    delete env.CUDA_VISIBLE_DEVICES;
    const list = v.split(',').map((s) => s.trim());
    if (v.trim() === '') gpus = undefined;
    else if (list.every((s) => /^\d+$/.test(s) && Number(s) <= 63)) gpus = list.map(Number);
    else report(exported.get('CUDA_VISIBLE_DEVICES')?.line ?? launch.line, b(`CUDA_VISIBLE_DEVICES=${v}: only GPU indexes (0,1,…) are imported`, `CUDA_VISIBLE_DEVICES=${v}：只导入 GPU 序号（0,1,…）`));
  }

  const meta = readMeta(lines);
  const candidate = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    name: meta.name ?? fallbackName,
    recipe: recipe.id,
    mode: mode.id,
    ...(gpus ? { gpus } : {}),
    inputs,
    settings,
    env,
    ...(meta.notes !== undefined ? { notes: meta.notes } : {}),
  };
  const result = parseProfileValue(candidate, fallbackName);
  if (!result.ok) return { profile: null, errors: result.errors, unparsed: sortUnparsed(unparsed) };
  return { profile: normalizeProfile(result.profile, recipe), errors: [], unparsed: sortUnparsed(unparsed) };
}

function sortUnparsed(list: UnparsedLine[]): UnparsedLine[] {
  return [...list].sort((a, b) => a.line - b.line);
}

type Word = Extract<ShToken, { kind: 'word' }>;
type Report = (line: number, why: Bilingual) => void;

function isTorchrun(words: Word[]): boolean {
  const first = basename(words[0]!.value);
  if (first === 'torchrun') return true;
  if (/^python(\d(\.\d+)?)?$/.test(first)) {
    const m = words.findIndex((w) => w.value === '-m');
    return m > 0 && /^torch\.distributed\.(run|launch)$/.test(words[m + 1]?.value ?? '');
  }
  return false;
}

function readTorchrun(words: Word[], report: Report): { nproc: number | null; entry: Word | null; args: Word[] } {
  let i = 1;
  if (basename(words[0]!.value) !== 'torchrun') {
    i = words.findIndex((w) => w.value === '-m') + 2;
  }
  let nproc: number | null = null;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.unresolved) {
      report(w.line, pre(b('torchrun argument: ', 'torchrun 参数：'), w.unresolved));
      continue;
    }
    if (!w.value.startsWith('-')) return { nproc, entry: w, args: words.slice(i + 1) };
    const [rawName, inlineValue] = splitFlag(w.value);
    const name = rawName.replace(/-/g, '_');
    if (TORCHRUN_SWITCHES.has(name)) {
      if (name !== 'standalone') report(w.line, b(`torchrun --${rawName} is not supported by the importer`, `导入不支持 torchrun --${rawName}`));
      continue;
    }
    if (!TORCHRUN_VALUE_FLAGS.has(name)) {
      report(w.line, b(`torchrun flag --${rawName} is not known to the importer`, `导入不认识 torchrun 参数 --${rawName}`));
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      const next = words[++i];
      if (!next) break;
      if (next.unresolved) {
        report(next.line, pre(`torchrun --${rawName}: `, next.unresolved));
        continue;
      }
      value = next.value;
    }
    if (name === 'nproc_per_node') {
      if (/^\d+$/.test(value)) nproc = Number(value);
      else report(w.line, b(`--nproc_per_node ${value}: only a number of processes is imported`, `--nproc_per_node ${value}：只导入进程数（数字）`));
    } else if (name === 'nnodes') {
      if (value !== '1') report(w.line, b(`--nnodes ${value}: the launcher runs on one machine`, `--nnodes ${value}：启动器只在一台机器上运行`));
    } else if (!LAUNCHER_OWNED.has(name)) {
      report(w.line, b(`torchrun --${rawName} ${value} is not imported`, `没有导入 torchrun --${rawName} ${value}`));
    }
  }
  return { nproc, entry: null, args: [] };
}

function splitFlag(s: string): [string, string | undefined] {
  const body = s.replace(/^--?/, '');
  const eq = body.indexOf('=');
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

export function basename(p: string): string {
  const s = p.replace(/^resource:/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}

function findRecipe(recipes: readonly Recipe[], entry: string): Recipe | undefined {
  const exact = recipes.find((r) => r.entry === entry || entry.endsWith('/' + r.entry.replace(/^resource:/, '')));
  if (exact) return exact;
  const byName = recipes.find((r) => basename(r.entry) === basename(entry));
  if (byName) return byName;
  // Upstream's web UI (gradio_app.py) takes the same model flags as its command-line entry.
  if (basename(entry) === 'gradio_app.py') return recipes.find((r) => basename(r.entry) === 's2v_streaming_interact.py');
  return undefined;
}

function readScriptFlags(words: Word[], recipe: Recipe, report: Report): { values: Map<string, { value: SettingValue; line: number }> } {
  const byName = new Map(recipe.flags.map((f) => [f.name, f]));
  const fixed = fixedArgPairs(recipe.fixedArgs);
  const values = new Map<string, { value: SettingValue; line: number }>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.unresolved) {
      report(w.line, pre(b('argument: ', '参数：'), w.unresolved));
      continue;
    }
    if (!w.value.startsWith('--')) {
      report(w.line, b(`"${w.value}" is not a --flag; not imported`, `"${w.value}" 不是 --参数；未导入`));
      continue;
    }
    const [rawName, inline] = splitFlag(w.value);
    const name = rawName.replace(/-/g, '_');
    const spec = byName.get(name);
    const takesValue = (f: FlagSpec | undefined) => !f || f.type !== 'bool' || f.boolStyle === 'value';
    let value: string | undefined = inline;
    let valueWord: Word | undefined;
    const nextIsValue = (f: FlagSpec | undefined) => {
      const next = words[i + 1];
      if (!next) return false;
      if (f) return takesValue(f);
      return !next.value.startsWith('--');
    };
    if (value === undefined && nextIsValue(spec)) {
      valueWord = words[++i];
      if (valueWord!.unresolved) {
        report(valueWord!.line, pre(`--${rawName}: `, valueWord!.unresolved!));
        continue;
      }
      value = valueWord!.value;
    }
    if (name in fixed) {
      if (fixed[name] !== (value ?? true)) report(w.line, b(`--${rawName} ${value ?? ''}: recipe ${recipe.id} always passes ${fixed[name] === true ? '' : fixed[name]}`.trim(), `--${rawName} ${value ?? ''}：配方 ${recipe.id} 固定传 ${fixed[name] === true ? '' : fixed[name]}`.trim()))
      continue;
    }
    if (!spec) {
      report(w.line, b(`--${rawName}${value !== undefined ? ' ' + value : ''}: recipe ${recipe.id} has no such setting`, `--${rawName}${value !== undefined ? ' ' + value : ''}：配方 ${recipe.id} 没有这个设置`));
      continue;
    }
    const coerced = coerceScriptFlag(spec, value);
    if (typeof coerced === 'object') {
      report(w.line, b(`--${rawName}: ${coerced.error}`, `--${rawName}：${coerced.error}`));
      continue;
    }
    if (valueWord?.glob && spec.type !== 'string' && spec.type !== 'path' && spec.type !== 'enum') {
      report(w.line, b(`--${rawName} ${value}: unquoted * ? [ are globs in bash`, `--${rawName} ${value}：没加引号的 * ? [ 在 bash 里会被当作通配符`));
    }
    const before = values.get(name);
    if (spec.repeat === 'comma' && before !== undefined) values.set(name, { value: `${String(before.value)},${String(coerced)}`, line: before.line });
    else values.set(name, { value: coerced, line: w.line });
  }
  return { values };
}

function fixedArgPairs(args: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[a.slice(2)] = next;
      i++;
    } else out[a.slice(2)] = true;
  }
  return out;
}

function coerceScriptFlag(flag: FlagSpec, value: string | undefined): SettingValue | { error: string } {
  if (value === undefined) return flag.type === 'bool' ? true : { error: 'needs a value' };
  try {
    return coerceFlag(flag, value);
  } catch (e) {
    return { error: e instanceof ApiFailure ? e.error.message : String(e) };
  }
}

/** The mode with this many processes whose forced flags agree best with the script's flags. */
function pickMode(recipe: Recipe, nproc: number | null, values: Map<string, { value: SettingValue }>): ModeSpec | undefined {
  const candidates = recipe.modes.filter((m) => nproc === null || m.nproc === nproc);
  let best: { mode: ModeSpec; score: number } | undefined;
  for (const mode of candidates) {
    let score = 0;
    for (const [k, v] of Object.entries(mode.flags)) {
      const got = values.get(k);
      if (!got) continue;
      score += String(got.value) === String(v) ? 1 : -2;
    }
    if (!best || score > best.score) best = { mode, score };
  }
  return best?.mode;
}

function readMeta(lines: string[]): { name?: string; notes?: string } {
  const out: { name?: string; notes?: string } = {};
  for (const l of lines.slice(0, 40)) {
    for (const [prefix, key] of [[META_NAME, 'name'], [META_NOTES, 'notes']] as const) {
      if (!l.startsWith(prefix)) continue;
      try {
        const v: unknown = JSON.parse(l.slice(prefix.length));
        if (typeof v === 'string') out[key] = v;
      } catch {
        // A hand-edited header is only metadata; the name falls back to the file name.
      }
    }
  }
  return out;
}
