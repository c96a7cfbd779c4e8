import type { z } from 'zod';
import { INPUT_KEYS, INPUT_TWICE_MESSAGE, PROFILE_FORMAT, PROFILE_VERSION, profileSchema, type FieldError, type Profile } from './schema';

/**
 * Read any profile version into the current one, or say exactly which fields are wrong.
 * Migrations run on plain JSON first and the schema validates the result, so an old file gets
 * the same field-level errors as a new one. Nothing here throws on bad input.
 */
export type ParseResult = { ok: true; profile: Profile; migratedFrom: number | null } | { ok: false; errors: FieldError[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** v0: a bare run spec. Keeps what a profile can hold; the envelope gets a name from the caller. */
function v0ToV1(raw: Json, fallbackName: string): Json {
  const out: Json = { format: PROFILE_FORMAT, version: 1, name: fallbackName };
  for (const key of ['recipe', 'mode', 'settings', 'gpus', 'env', 'notes']) if (key in raw) out[key] = raw[key];
  // Machine-local fields of a run spec (python, checkout, outputDir, stallAction) are not portable.
  if (isObject(raw.settings) && raw.stallAction !== undefined) out.settings = { ...raw.settings, stall_action: raw.stallAction };
  else if (raw.stallAction !== undefined) out.settings = { stall_action: raw.stallAction };
  return out;
}

/** v1 -> v2: per-run media move from settings to inputs. */
function v1ToV2(raw: Json): Json {
  const out: Json = { ...raw, version: 2 };
  if (isObject(raw.settings)) {
    const settings: Json = {};
    const inputs: Json = isObject(raw.inputs) ? { ...raw.inputs } : {};
    for (const [k, v] of Object.entries(raw.settings)) {
      if ((INPUT_KEYS as readonly string[]).includes(k) && typeof v === 'string') inputs[k] = v;
      else settings[k] = v;
    }
    out.settings = settings;
    out.inputs = inputs;
  }
  return out;
}

/** Which version a JSON value claims to be; v0 has no envelope at all. */
export function versionOf(raw: Json): number | null {
  if (!('format' in raw) && !('version' in raw) && 'recipe' in raw) return 0;
  if (raw.format !== PROFILE_FORMAT) return null;
  return typeof raw.version === 'number' && Number.isInteger(raw.version) ? raw.version : null;
}

export function migrate(raw: Json, fallbackName: string): { value: Json; from: number | null } | FieldError {
  const version = versionOf(raw);
  if (version === null) {
    if (raw.format !== PROFILE_FORMAT) return { path: 'format', message: `not a Live Avatar profile: "format" must be "${PROFILE_FORMAT}"`, messageZh: `不是 Live Avatar 配置："format" 必须是 "${PROFILE_FORMAT}"` };
    return { path: 'version', message: `"version" must be a whole number (this app reads versions 0–${PROFILE_VERSION})`, messageZh: `"version" 必须是整数（本应用读取 0–${PROFILE_VERSION} 版）` };
  }
  if (version > PROFILE_VERSION) return { path: 'version', message: `profile version ${version} is newer than this app reads (${PROFILE_VERSION}); update the app`, messageZh: `配置版本 ${version} 比本应用能读的（${PROFILE_VERSION}）新；请更新应用` };
  if (version < 0) return { path: 'version', message: `unknown profile version ${version}`, messageZh: `未知的配置版本 ${version}` };
  let value = raw;
  if (version === 0) value = v0ToV1(value, fallbackName);
  if (version <= 1) value = v1ToV2(value);
  return { value, from: version === PROFILE_VERSION ? null : version };
}

/** Chinese for the schema's own messages (schema.ts); zod's generic ones are mapped by issue code below. */
const ZH: Record<string, string> = {
  'must not contain a NUL character (it cannot be passed to a program)': '不能包含 NUL 字符（无法传给程序）',
  'must be a finite number': '必须是有限的数字',
  'setting names are lower-case flag names without dashes, e.g. num_clip': '设置名是不带横线的小写参数名，例如 num_clip',
  'this setting names something on one machine (interpreter, folder); set it in Settings, not in a profile': '这个设置指向某台机器上的东西（解释器、文件夹）；请在"设置"里配置，不要放进配置文件',
  'environment variable names are letters, digits and _, not starting with a digit': '环境变量名由字母、数字和 _ 组成，不能以数字开头',
  'names are 1–100 characters without / \\ or control characters, not starting with a dot': '名称为 1–100 个字符，不含 / \\ 或控制字符，不以点开头',
  'recipe ids are lower-case letters, digits, . _ -': '配方 id 由小写字母、数字和 . _ - 组成',
  'mode ids are lower-case letters, digits, . _ -': '模式 id 由小写字母、数字和 . _ - 组成',
  'a GPU index is listed twice': '有 GPU 序号重复了',
  [INPUT_TWICE_MESSAGE]: '"inputs" 里也设置了它：每个输入只在 "inputs" 里设置一次；请删掉其中一个',
};

function zhMessage(issue: z.core.$ZodIssue): string {
  if (ZH[issue.message]) return ZH[issue.message]!;
  switch (issue.code) {
    case 'invalid_type':
      return `类型不对：应为 ${issue.expected}`;
    case 'too_big':
      return `太大或太长（上限 ${String(issue.maximum)}）`;
    case 'too_small':
      return `太小或太短（下限 ${String(issue.minimum)}）`;
    case 'invalid_value':
      return `取值不对：应为 ${issue.values.map((v) => JSON.stringify(v)).join(' 或 ')}`;
    case 'invalid_union':
      return '应为文字、数字或 true/false';
    default:
      return `无效：${issue.message}`;
  }
}

/** zod issues as `{path, message}`, one per offending field (unknown keys are named one by one). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: base ? `${base}.${key}` : key,
          message: 'unknown field: profiles hold data only (recipe, mode, gpus, inputs, settings, env, notes)',
          messageZh: '未知字段：配置只包含数据（recipe、mode、gpus、inputs、settings、env、notes）',
        });
      }
      continue;
    }
    out.push({ path: base || '(profile)', message: issue.message, messageZh: zhMessage(issue) });
  }
  return out;
}

/** Parse a JSON value (already decoded) into a current profile. */
export function parseProfileValue(raw: unknown, fallbackName = 'imported'): ParseResult {
  if (!isObject(raw)) return { ok: false, errors: [{ path: '(profile)', message: 'a profile is a JSON object', messageZh: '配置应是一个 JSON 对象' }] };
  const proto = protoKey(raw, '');
  if (proto) return { ok: false, errors: [{ path: proto, message: 'the key "__proto__" is not allowed', messageZh: '不允许使用 "__proto__" 这个键' }] };
  const migrated = migrate(raw, fallbackName);
  if ('path' in migrated) return { ok: false, errors: [migrated] };
  const parsed = profileSchema.safeParse(migrated.value);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  return { ok: true, profile: parsed.data, migratedFrom: migrated.from };
}

/** Parse profile text (a .lavprofile.json file). JSON syntax errors name the line and column. */
export function parseProfileText(text: string, fallbackName = 'imported'): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, errors: [{ path: jsonErrorWhere(text, e), message: `not valid JSON: ${(e as Error).message}`, messageZh: `不是有效的 JSON：${(e as Error).message}` }] };
  }
  return parseProfileValue(raw, fallbackName);
}

function jsonErrorWhere(text: string, e: unknown): string {
  const m = /position (\d+)/.exec((e as Error).message ?? '');
  if (!m) return '(file)';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}`;
}

/** JSON.parse keeps `__proto__` as an own key; copying it into an object would swap its prototype. */
function protoKey(v: unknown, path: string, depth = 0): string | null {
  if (depth > 6 || typeof v !== 'object' || v === null) return null;
  for (const key of Object.keys(v)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '__proto__') return here;
    const inner = protoKey((v as Record<string, unknown>)[key], here, depth + 1);
    if (inner) return inner;
  }
  return null;
}
