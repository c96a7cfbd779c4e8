import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ApiFailure } from '../../../shared/api/result';
import type { MethodInput } from '../../../shared/api/contract';
import { getRecipe } from '../../../shared/recipes';
import { recipeErrors } from '../../../shared/profiles/recipe-check';
import { runSpecToProfile } from '../../../shared/profiles/spec';
import { looksLikeShareCode } from '../../../shared/profiles/share-code';
import { defaultPreset, torchInstallHint } from '../../../shared/profiles/presets';
import { PROFILE_EXTENSION, type FieldError, type ImportPreview, type UnparsedLine } from '../../../shared/profiles/schema';
import type { Lang } from '../../../shared/i18n';
import { parseProfileValue } from '../../../shared/profiles/migrate';
type ExportFormat = MethodInput<'exportSpec'>['format'];
import { cliCore } from '../core';
import { cliT, systemLang } from '../i18n';
import { CliError, EXIT, printJson, type GlobalOptions, type RunAction } from '../output';
import { parseSets } from './run';

/**
 * `lal profile …`: validate, import, export, list and manage run profiles. Exit codes: 0 ok,
 * 1 something failed, 2 bad input (an invalid profile, env that needs --allow-env, unknown name).
 */
const collect = (v: string, prev: string[]) => [...prev, v];
const langOf = (g: GlobalOptions): Lang => g.lang ?? systemLang();
const stemOf = (file: string) => basename(file).replace(PROFILE_EXTENSION, '').replace(/\.(json|sh|txt)$/, '');

export function registerProfile(program: Command, run: RunAction): void {
  const profile = program.command('profile').description('validate, import, export and list run profiles (.lavprofile.json, share codes, .sh scripts)');

  profile
    .command('validate')
    .description('check profile files (JSON, share code or .sh); exit 2 if any is invalid')
    .argument('<files...>', 'files to check')
    .action((files: string[]) => run((g) => validateCommand(g, files)));

  profile
    .command('import')
    .description('preview what a profile, share code or launch script would run, then save it')
    .argument('<source>', 'a .lavprofile.json file, a .sh launch script, or a lav1. share code')
    .option('--name <name>', 'save under this name')
    .option('--allow-env <name>', 'consent to an environment variable the profile sets (LD_PRELOAD, PYTHONPATH, ...); repeatable', collect, [])
    .option('--yes', 'save without asking')
    .option('--overwrite', 'replace a saved profile with the same name')
    .action((source: string, o: ImportOptions) => run((g) => importCommand(g, source, o)));

  profile
    .command('export')
    .description('print a profile as JSON (default), a share code, or a runnable bash script')
    .argument('[name]', 'saved profile or preset name')
    .option('--recipe <id>', 'build the profile from a recipe instead of a saved name')
    .option('--mode <id>', 'mode of --recipe')
    .option('--set <key=value>', 'a setting for --recipe; repeatable', collect, [])
    .option('--gpus <list>', 'GPU indexes for --recipe, e.g. 0,1,2,3,4')
    .option('--profile-name <name>', 'name of a profile built from --recipe', 'exported')
    .option('--format <format>', 'json, code, sh or sbatch (a profile with nodes, for SLURM)', 'json')
    .action((name: string | undefined, o: ExportOptions) => run((g) => exportCommand(g, name, o)));

  profile
    .command('list')
    .description('saved profiles and built-in presets')
    .action(() => run((g) => listCommand(g)));

  profile
    .command('default')
    .description('the preset this machine starts with, and how to install torch where it is missing')
    .action(() =>
      run((g) => simple(g, async (api, t) => {
        const report = await api.detect({});
        const preset = defaultPreset(report);
        const hint = torchInstallHint(report);
        if (g.json) printJson({ preset: preset.name, torchMissing: hint });
        else {
          process.stdout.write(t('profile:defaultPreset', { name: preset.name }) + '\n');
          if (hint) process.stdout.write(t('profile:torchMissing', { pip: hint.pip, apt: hint.apt }) + '\n');
        }
        return EXIT.OK;
      })),
    );

  profile.command('delete').argument('<name>').description('delete a saved profile').action((name: string) =>
    run((g) => simple(g, async (api, t) => {
      const r = await api.deleteProfile({ name });
      say(g, r, r.deleted ? t('profile:deleted', { name }) : t('profile:notDeleted', { name }));
      return r.deleted ? EXIT.OK : EXIT.USAGE;
    })),
  );
  profile.command('rename').argument('<name>').argument('<to>').description('rename a saved profile').action((name: string, to: string) =>
    run((g) => simple(g, async (api, t) => {
      const r = await api.renameProfile({ name, to });
      say(g, r, t('profile:renamed', { name: r.name }));
      return EXIT.OK;
    })),
  );
  profile.command('duplicate').argument('<name>').argument('<to>').description('copy a profile or preset under a new name').action((name: string, to: string) =>
    run((g) => simple(g, async (api, t) => {
      const r = await api.duplicateProfile({ name, to });
      say(g, r, t('profile:duplicated', { name: r.name }));
      return EXIT.OK;
    })),
  );
  for (const [cmd, pinned] of [['pin', true], ['unpin', false]] as const) {
    profile.command(cmd).argument('<name>').description(pinned ? 'pin to the home screen (one-click launch)' : 'unpin from the home screen').action((name: string) =>
      run((g) => simple(g, async (api, t) => {
        const r = await api.pinProfile({ name, pinned });
        say(g, r, t(pinned ? 'profile:pinned' : 'profile:unpinned', { name }));
        return EXIT.OK;
      })),
    );
  }
}

type Api = ReturnType<typeof cliCore>['api'];
type T = ReturnType<typeof cliT>;

async function simple(g: GlobalOptions, fn: (api: Api, t: T) => Promise<number>): Promise<number> {
  const core = cliCore(g);
  try {
    return await fn(core.api, cliT(langOf(g)));
  } finally {
    await core.dispose();
  }
}

function say(g: GlobalOptions, value: unknown, text: string): void {
  if (g.json) printJson(value);
  else process.stdout.write(text + '\n');
}

// ---------------------------------------------------------------- validate

interface ValidateEntry {
  file: string;
  valid: boolean;
  errors: FieldError[];
  unparsed?: UnparsedLine[];
  /** Valid, but these env names need --allow-env to run or save. */
  envNeedsConsent?: string[];
}

export async function validateFile(api: Api, file: string): Promise<ValidateEntry> {
  let text: string;
  try {
    if (statSync(file).isDirectory()) return { file, valid: false, errors: [{ path: '(file)', message: 'is a folder, not a profile file' }] };
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, valid: false, errors: [{ path: '(file)', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return { file, ...(await api.validateProfile({ source: text, stem: stemOf(file) })) };
}

async function validateCommand(g: GlobalOptions, files: string[]): Promise<number> {
  const t = cliT(langOf(g));
  const zh = langOf(g) === 'zh-CN';
  const results: ValidateEntry[] = [];
  const core = cliCore(g);
  try {
    for (const f of files) results.push(await validateFile(core.api, f));
  } finally {
    await core.dispose();
  }
  if (g.json) printJson(results);
  else {
    for (const r of results) {
      process.stdout.write(`${r.valid ? '✓' : '✗'} ${r.file}: ${t(r.valid ? 'profile:validate.ok' : 'profile:validate.bad')}\n`);
      for (const e of r.errors) process.stdout.write(`    ${e.path}: ${zh ? (e.messageZh ?? e.message) : e.message}\n`);
      for (const u of r.unparsed ?? []) process.stdout.write(`    line ${u.line}: ${zh ? (u.reasonZh ?? u.reason) : u.reason}\n`);
      if (r.envNeedsConsent) process.stdout.write(`    ! ${t('profile:preview.consent', { names: r.envNeedsConsent.join(', ') })}\n`);
    }
    process.stdout.write(t('profile:validate.summary', { valid: results.filter((r) => r.valid).length, total: results.length }) + '\n');
  }
  return results.every((r) => r.valid) ? EXIT.OK : EXIT.USAGE;
}

// ---------------------------------------------------------------- import

interface ImportOptions {
  name?: string;
  allowEnv: string[];
  yes?: boolean;
  overwrite?: boolean;
}

function readImportSource(source: string, lang: Lang): { text: string; stem: string } {
  if (existsSync(source)) {
    if (statSync(source).isDirectory()) throw new CliError(cliT(lang)('profile:notFile', { source }), EXIT.USAGE);
    return { text: readFileSync(source, 'utf8'), stem: stemOf(source) };
  }
  if (looksLikeShareCode(source) || /^lav\d+\./.test(source.trim())) return { text: source, stem: 'imported' };
  throw new CliError(cliT(lang)('profile:notFile', { source }), EXIT.USAGE);
}

async function importCommand(g: GlobalOptions, source: string, o: ImportOptions): Promise<number> {
  const lang = langOf(g);
  const t = cliT(lang);
  const { text, stem } = readImportSource(source, lang);
  const core = cliCore(g);
  try {
    let preview: ImportPreview;
    try {
      preview = await core.api.previewImport({ source: text, allowEnv: o.allowEnv });
    } catch (e) {
      // Say which file, and which field or line of it, in the user's language.
      if (e instanceof ApiFailure && e.error.code === 'BAD_INPUT') {
        const first = (e.error.details as { errors?: FieldError[] } | undefined)?.errors?.[0];
        const message = lang === 'zh-CN' && first?.messageZh ? `${first.path}: ${first.messageZh}` : e.error.message;
        throw new CliError(`${source}: ${message}`, EXIT.USAGE, e.error.details);
      }
      throw e;
    }
    let profile = preview.profile;
    if (o.name !== undefined) profile = { ...profile, name: o.name };
    else if (profile.name === 'imported' && stem !== 'imported') profile = { ...profile, name: stem };
    const taken = (await core.api.listProfiles(undefined)).some((p) => p.name === profile.name && !p.builtin);
    preview = { ...preview, profile, nameTaken: taken };

    // Consent is core's answer (the recipe's allow-list minus --allow-env), as the app gets it.
    const consent = preview.envNeedsConsent;
    // --json prints one document: the preview with what happened (saved, or why not).
    if (!g.json) process.stdout.write(formatPreview(preview, consent, t, lang));
    const refuse = (message: string, extra: Record<string, unknown>) => new CliError(message, EXIT.USAGE, g.json ? { ...extra, preview } : extra);

    if (consent.length) throw refuse(t('profile:preview.consent', { names: consent.join(', ') }), { env: consent });
    if (preview.planError) throw refuse(`${preview.planError.path}: ${preview.planError.message}`, { errors: [preview.planError] });
    if (taken && !o.overwrite) throw refuse(t('profile:preview.nameTaken', { name: profile.name }), { name: profile.name });

    if (!o.yes) {
      if (!process.stdin.isTTY || g.json) {
        if (g.json) printJson({ preview, saved: null });
        else process.stdout.write(t('profile:preview.notSaved') + '\n');
        return EXIT.OK;
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(t('profile:preview.ask'));
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write(t('profile:preview.notSaved') + '\n');
        return EXIT.OK;
      }
    }
    const saved = await core.api.saveProfile({ profile, allowEnv: o.allowEnv, overwrite: o.overwrite ?? false });
    if (g.json) printJson({ preview, saved });
    else process.stdout.write((saved.name !== profile.name ? t('profile:preview.presetCopy', { name: profile.name, copy: saved.name }) : t('profile:preview.saved', { name: saved.name })) + '\n');
    return EXIT.OK;
  } finally {
    await core.dispose();
  }
}

export function formatPreview(p: ImportPreview, consent: string[], t: T, lang: Lang = 'en'): string {
  const out: string[] = [];
  const pr = p.profile;
  out.push(t('profile:preview.title', { kind: p.kind, name: pr.name }));
  out.push('  ' + t('profile:preview.recipe', { recipe: pr.recipe, mode: pr.mode }));
  out.push('  ' + (pr.gpus?.length ? t('profile:preview.gpus', { gpus: pr.gpus.join(',') }) : t('profile:preview.gpusDefault')));
  const kv = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`);
  if (Object.keys(pr.inputs).length) out.push('  ' + t('profile:preview.inputs'), ...kv(pr.inputs));
  if (Object.keys(pr.settings).length) out.push('  ' + t('profile:preview.settings'), ...kv(pr.settings));
  if (p.plan) {
    out.push('  ' + t('profile:preview.env'), ...kv(p.plan.env));
    out.push('  ' + t('profile:preview.command'));
    out.push('    ' + p.plan.argv.map((a) => JSON.stringify(a)).join(' '));
  } else if (p.planError) {
    if (Object.keys(pr.env).length) out.push('  ' + t('profile:preview.env'), ...kv(pr.env));
    out.push('  ' + t('profile:preview.noPlan', { field: p.planError.path, message: p.planError.message }));
  }
  if (consent.length) out.push('  ! ' + t('profile:preview.consent', { names: consent.join(', ') }));
  if (p.nodeHosts?.length) out.push('  ! ' + t('nodes:consent.previewHosts', { hosts: p.nodeHosts.join(', ') }));
  if (p.flaggedPaths.length) out.push('  ! ' + t('profile:preview.paths'), ...p.flaggedPaths.map((f) => `    ${f.field}: ${f.path}`));
  if (p.unparsed.length) out.push('  ' + t('profile:preview.unparsed'), ...p.unparsed.map((u) => `    line ${u.line}: ${u.text}\n      → ${lang === 'zh-CN' ? (u.reasonZh ?? u.reason) : u.reason}`));
  if (p.feasibility) out.push('  ' + t('profile:preview.feasibility', { verdict: t(`profile:verdict.${p.feasibility.verdict}`) }), ...p.feasibility.reasons.map((r) => `    - ${lang === 'zh-CN' ? (r.messageZh ?? r.message) : r.message}`));
  else if (p.feasibilityError) out.push('  ' + t('profile:preview.feasibilityNone', { why: p.feasibilityError }));
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- export

interface ExportOptions {
  recipe?: string;
  mode?: string;
  set: string[];
  gpus?: string;
  profileName: string;
  format: string;
}

async function exportCommand(g: GlobalOptions, name: string | undefined, o: ExportOptions): Promise<number> {
  const lang = langOf(g);
  if (!['json', 'code', 'sh', 'sbatch'].includes(o.format)) throw new CliError(`--format must be json, code, sh or sbatch (got ${o.format})`, EXIT.USAGE);
  const format = o.format as ExportFormat;
  const fromRecipe = o.recipe !== undefined || o.mode !== undefined;
  if (fromRecipe === (name !== undefined) || (fromRecipe && (o.recipe === undefined || o.mode === undefined))) {
    throw new CliError('give a saved profile NAME, or --recipe ID --mode ID [--set key=value]…', EXIT.USAGE);
  }
  const core = cliCore(g);
  try {
    let text: string;
    if (name !== undefined) {
      text = (await core.api.exportProfile({ name, format })).text;
    } else {
      const gpus = o.gpus === undefined ? undefined : o.gpus.split(',').map((s) => s.trim());
      if (gpus && gpus.some((s) => !/^\d+$/.test(s))) throw new CliError(`--gpus must be indexes like 0,1,2 (got ${o.gpus})`, EXIT.USAGE);
      const spec = { recipe: o.recipe!, mode: o.mode!, settings: parseSets(o.set, lang), ...(gpus ? { gpus: gpus.map(Number) } : {}) };
      const built = runSpecToProfile(spec, o.profileName);
      const parsed = parseProfileValue(built);
      if (!parsed.ok) throw new CliError(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n'), EXIT.USAGE, { errors: parsed.errors });
      const problems = recipeErrors(parsed.profile, getRecipe);
      if (problems.length) throw new CliError(problems.map((e) => `${e.path}: ${e.message}`).join('\n'), EXIT.USAGE, { errors: problems });
      text = (await core.api.exportSpec({ profile: parsed.profile, format })).text;
    }
    process.stdout.write(text);
    return EXIT.OK;
  } finally {
    await core.dispose();
  }
}

// ---------------------------------------------------------------- list

async function listCommand(g: GlobalOptions): Promise<number> {
  const t = cliT(langOf(g));
  const core = cliCore(g);
  try {
    const list = await core.api.listProfiles(undefined);
    if (g.json) {
      printJson(list);
      return EXIT.OK;
    }
    const rows = list.map((p) => [p.name, p.recipe, p.mode, p.pinned ? '★' : '', t(p.builtin ? 'profile:list.builtin' : 'profile:list.user')]);
    const header = String(t('profile:list.header')).split('\t');
    const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
    const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - width(c)))).join('  ').trimEnd();
    process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
    for (const b of await core.api.profileProblems(undefined)) process.stderr.write(t('profile:list.broken', { file: b.file, problem: b.problem }) + '\n');
    return EXIT.OK;
  } finally {
    await core.dispose();
  }
}

/** Terminal columns: CJK characters take two. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
