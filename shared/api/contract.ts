import { z } from 'zod';
import { nodesSchema } from '../nodes/schema';
import type { DetectReport } from '../detect/types';
import type { FeasibilityReport } from '../feasibility/types';
import type { CalibrationView } from '../feasibility/calibrate';
import type { Diagnosis } from '../failures/types';
import type { LeftoverRun, RunEvent, RunOutputBatch, RunPlan, RunRecord, RunSpec } from '../run/types';
import type { FieldError, ImportPreview, Profile, ProfileSummary, UnparsedLine } from '../profiles/schema';
import { profileSchema } from '../profiles/schema';
import type { DownloadProgress, Endpoint } from '../setup/types';
import type { ReadinessReport } from '../setup/checklist';
import { FIX_IDS } from '../setup/fixes';
import type { StacksReport } from '../stacks/types';

/**
 * The one API contract. Every method and event is declared here once; the Electron IPC adapter,
 * the HTTP+SSE server, the in-process transport and the renderer client are all generated from
 * this table. Inputs are zod schemas so every transport validates the same way.
 */
const settingValue = z.union([z.string(), z.number(), z.boolean()]);

export const runSpecSchema = z.object({
  recipe: z.string().min(1),
  mode: z.string().min(1),
  settings: z.record(z.string(), settingValue).default({}),
  gpus: z.array(z.number().int().min(0).max(63)).optional(),
  env: z.record(z.string(), z.string()).optional(),
  python: z.string().optional(),
  checkout: z.string().optional(),
  outputDir: z.string().optional(),
  stallAction: z.enum(['notify', 'stop']).optional(),
  nodes: nodesSchema.optional(),
});

const none = z.object({}).strict().optional();

export interface AppInfo {
  name: string;
  version: string;
  transport: 'electron' | 'http' | 'in-process';
  platform: string;
  dataDir: string;
}

export interface Settings {
  language: 'auto' | 'en' | 'zh-CN';
  theme: 'system' | 'light' | 'dark';
  pythonPath: string | null;
  checkoutPath: string | null;
  outputDir: string | null;
  nvidiaSmiPath: string | null;
  stallAction: 'notify' | 'stop';
  /** Folders the user trusts for profile paths; others are flagged on import. */
  trustedFolders: string[];
}

export interface RecipeSummary {
  id: string;
  label: { en: string; zh: string };
  modes: { id: string; label: { en: string; zh: string }; aliases?: string[]; gpus: number; nproc: number }[];
}

export interface HostKeyScanResult {
  host: string;
  address: string;
  port: number;
  knownHostsFile: string;
  keys: { type: string; fingerprint: string }[];
}

/** Hosts the user agreed to ssh to (shared/nodes/consent.ts). */
const ALLOW_NODES = z.array(z.string().max(255)).max(64).optional();

/** Multi-node preflight, each check in the asking client's language (docs/multi-node.md). */
export interface NodesPreflightResult {
  ok: boolean;
  port: number | null;
  ifnames: (string | null)[];
  checks: { id: string; node: string | null; status: string; message: string; fix: string }[];
}

export interface RunDetail {
  record: RunRecord;
  /** Tail of the merged console, for a client that (re)connects mid-run. */
  consoleTail: string;
}

/** `validateProfile`: the profile's errors (schema, then the recipe's), .sh lines not understood, env needing consent. */
export interface ProfileValidation {
  valid: boolean;
  errors: FieldError[];
  unparsed?: UnparsedLine[];
  envNeedsConsent?: string[];
}

/** What `explainPaths` read and found: the diagnoses, files skipped or read with a caveat, and what was scanned. */
export interface PathsExplanation {
  diagnoses: Diagnosis[];
  notes: { file: string; kind: 'empty' | 'binary' | 'long-lines' | 'unreadable' | 'no-logs'; message: string }[];
  scanned: { file: string; lines: number; bytes: number }[];
}

/** Detection for a caller that names its own checkout/output folder or skips slow probes; never cached. */
export interface DetectInput {
  refresh?: boolean;
  checkout?: string;
  outputDir?: string;
  /** The run will use --fp8: GPUs below compute capability 8.9 become errors. */
  fp8?: boolean;
  skipPython?: boolean;
}

export interface SetupStatus {
  /** Where weights go (`<checkout>/ckpt` unless the client names another allowed folder). */
  dest: string | null;
  destProblem: string | null;
  endpoints: Endpoint[];
  repos: { id: string; repo: string; modelscope: boolean }[];
  progress: DownloadProgress | null;
}

/** One piece of a fix's console; `start` carries the argv line, `exit` the exit code. */
export interface SetupFixOutput {
  fixRunId: string;
  stream: 'start' | 'stdout' | 'stderr' | 'exit';
  text: string;
  exitCode?: number | null;
}

/** The most text one profile import may carry (a profile or script is a few KB). */
export const MAX_IMPORT_SOURCE = 5_000_000;

const m = <I extends z.ZodType, O>(input: I) => ({ input, output: undefined as unknown as O });

export const methods = {
  appInfo: m<typeof none, AppInfo>(none),
  getSettings: m<typeof none, Settings>(none),
  setSettings: m<z.ZodType<Partial<Settings>>, Settings>(
    z.object({
      language: z.enum(['auto', 'en', 'zh-CN']).optional(),
      theme: z.enum(['system', 'light', 'dark']).optional(),
      pythonPath: z.string().nullable().optional(),
      checkoutPath: z.string().nullable().optional(),
      outputDir: z.string().nullable().optional(),
      nvidiaSmiPath: z.string().nullable().optional(),
      stallAction: z.enum(['notify', 'stop']).optional(),
      trustedFolders: z.array(z.string()).optional(),
    }).strict(),
  ),
  detect: m<z.ZodType<DetectInput>, DetectReport>(
    z.object({ refresh: z.boolean().optional(), checkout: z.string().max(4096).optional(), outputDir: z.string().max(4096).optional(), fp8: z.boolean().optional(), skipPython: z.boolean().optional() }).strict(),
  ),
  listRecipes: m<typeof none, RecipeSummary[]>(none),
  /** Weights: where they go, the default endpoints, and the current or last download. */
  setupStatus: m<typeof none, SetupStatus>(none),
  /** Starts (or resumes) the weight download; returns at once, progress comes as `setupProgress`. */
  setupDownloadStart: m<z.ZodType<{ endpoints?: string[]; dest?: string; repos?: string[]; concurrency?: number }>, DownloadProgress>(
    z.object({
      endpoints: z.array(z.string().max(300)).max(8).optional(),
      dest: z.string().max(4096).optional(),
      repos: z.array(z.enum(['wan-s2v', 'liveavatar-lora'])).optional(),
      /** Files fetched at once (default 4). */
      concurrency: z.number().int().min(1).max(16).optional(),
    }).strict(),
  ),
  /** Stops the transfer and keeps every `.part`, to resume later (also after a restart). */
  setupDownloadPause: m<typeof none, DownloadProgress>(none),
  /** Stops and removes the unfinished `.part` files; verified files stay. */
  setupDownloadCancel: m<typeof none, DownloadProgress>(none),
  /** The readiness checklist of the real recipe, each item with its fix command. */
  /** checkout/dest: check another checkout or weights folder than the settings' (`lal doctor --checkout/--dest`); read only. */
  readiness: m<z.ZodType<{ checkout?: string; dest?: string } | undefined>, ReadinessReport>(
    z.object({ checkout: z.string().min(1).max(4096).optional(), dest: z.string().min(1).max(4096).optional() }).strict().optional(),
  ),
  /** Runs one fix from the fixed table, as argv with this machine's settings; output as `setupFixOutput`. */
  runFix: m<z.ZodType<{ fixId: (typeof FIX_IDS)[number] }>, { fixRunId: string; argv: string[] }>(z.object({ fixId: z.enum(FIX_IDS) }).strict()),
  check: m<z.ZodType<{ spec: RunSpec; hardware?: string }>, FeasibilityReport>(
    z.object({ spec: runSpecSchema, hardware: z.string().optional() }).strict(),
  ),
  /** This machine's calibration records (predicted vs measured per finished run): show them, or forget them all. */
  calibration: m<z.ZodType<{ action: 'show' | 'reset' }>, CalibrationView>(z.object({ action: z.enum(['show', 'reset']) }).strict()),
  /** allowPaths: paths outside the output and trusted folders the user consented to (a value as given, or a folder holding it). */
  /** allowNodes: hosts of spec.nodes the user agreed to ssh to (typed or ticked; never from a profile). */
  planRun: m<z.ZodType<{ spec: RunSpec; allowEnv?: string[]; allowPaths?: string[]; allowNodes?: string[] }>, RunPlan>(
    z.object({ spec: runSpecSchema, allowEnv: z.array(z.string()).optional(), allowPaths: z.array(z.string().max(4096)).max(256).optional(), allowNodes: ALLOW_NODES }).strict(),
  ),
  /** `lang`: the language of this run's diagnoses — the client that starts the run says which. */
  startRun: m<z.ZodType<{ spec: RunSpec; allowEnv?: string[]; allowPaths?: string[]; allowNodes?: string[]; lang?: 'en' | 'zh-CN' }>, { runId: string }>(
    z.object({ spec: runSpecSchema, allowEnv: z.array(z.string()).optional(), allowPaths: z.array(z.string().max(4096)).max(256).optional(), allowNodes: ALLOW_NODES, lang: z.enum(['en', 'zh-CN']).optional() }).strict(),
  ),
  /** force: no grace (a second Ctrl-C): SIGKILL, still only to processes proven the run's own. */
  stopRun: m<z.ZodType<{ runId: string; force?: boolean }>, { runId: string; status: string }>(z.object({ runId: z.string().min(1), force: z.boolean().optional() }).strict()),
  listRuns: m<typeof none, RunRecord[]>(none),
  /** Multi-node: preflight on every node (ssh, versions, GPUs, rendezvous port, interfaces), each result with its fix. */
  preflightNodes: m<z.ZodType<{ spec: RunSpec; allowNodes?: string[]; lang?: 'en' | 'zh-CN' }>, NodesPreflightResult>(
    z.object({ spec: runSpecSchema, allowNodes: ALLOW_NODES, lang: z.enum(['en', 'zh-CN']).optional() }).strict(),
  ),
  /** A machine's ssh host keys (ssh-keyscan) with their SHA256 fingerprints, for the user to compare before trusting one. */
  scanHostKey: m<z.ZodType<{ host: string; port?: number }>, HostKeyScanResult>(z.object({ host: z.string().max(255), port: z.number().int().min(1).max(65535).optional() }).strict()),
  /** Appends to known_hosts the key whose fingerprint the user confirmed (scanned again; a changed key is refused). */
  trustHostKey: m<z.ZodType<{ host: string; port?: number; fingerprint: string }>, { added: { type: string; fingerprint: string }; knownHostsFile: string }>(
    z.object({ host: z.string().max(255), port: z.number().int().min(1).max(65535).optional(), fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/) }).strict(),
  ),
  getRun: m<z.ZodType<{ runId: string }>, RunDetail>(z.object({ runId: z.string().min(1) }).strict()),
  readRunLog: m<z.ZodType<{ runId: string; rank?: number; tailBytes?: number }>, { text: string; file: string }>(
    z.object({ runId: z.string().min(1), rank: z.number().int().min(0).optional(), tailBytes: z.number().int().positive().optional() }).strict(),
  ),
  findLeftovers: m<typeof none, LeftoverRun[]>(none),
  /** "Where is it now?": every rank's Python stack (faulthandler on SIGUSR1) and where each one waits (issue 22). */
  dumpStacks: m<z.ZodType<{ runId: string }>, StacksReport>(z.object({ runId: z.string().min(1) }).strict()),
  reapLeftovers: m<z.ZodType<{ runIds?: string[] }>, { stopped: string[] }>(z.object({ runIds: z.array(z.string()).optional() }).strict()),
  explain: m<z.ZodType<{ text?: string; runId?: string; lang?: 'en' | 'zh-CN' }>, Diagnosis[]>(
    z.object({ text: z.string().optional(), runId: z.string().optional(), lang: z.enum(['en', 'zh-CN']).optional() }).strict(),
  ),
  /**
   * Log files and run folders on this machine, by path. Only the in-process client (the CLI) may
   * name paths: over HTTP or IPC it is refused, so a client cannot read the server's files.
   */
  explainPaths: m<z.ZodType<{ paths: string[] }>, PathsExplanation>(z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(256) }).strict()),
  /** withDefault: mark the preset this machine should start with (runs detection, cached). */
  listProfiles: m<z.ZodType<{ withDefault?: boolean } | undefined>, ProfileSummary[]>(z.object({ withDefault: z.boolean().optional() }).strict().optional()),
  /** Profile files in the library that could not be read, each with why (listProfiles leaves them out). */
  profileProblems: m<typeof none, { file: string; problem: string }[]>(none),
  getProfile: m<z.ZodType<{ name: string }>, Profile>(z.object({ name: z.string().min(1) }).strict()),
  saveProfile: m<z.ZodType<{ profile: Profile; allowEnv?: string[]; overwrite?: boolean }>, ProfileSummary>(
    z.object({ profile: profileSchema, allowEnv: z.array(z.string()).optional(), overwrite: z.boolean().optional() }).strict(),
  ),
  deleteProfile: m<z.ZodType<{ name: string }>, { deleted: boolean }>(z.object({ name: z.string().min(1) }).strict()),
  renameProfile: m<z.ZodType<{ name: string; to: string }>, ProfileSummary>(z.object({ name: z.string().min(1), to: z.string().min(1) }).strict()),
  duplicateProfile: m<z.ZodType<{ name: string; to: string }>, ProfileSummary>(z.object({ name: z.string().min(1), to: z.string().min(1) }).strict()),
  pinProfile: m<z.ZodType<{ name: string; pinned: boolean }>, ProfileSummary>(z.object({ name: z.string().min(1), pinned: z.boolean() }).strict()),
  /** allowEnv: names the user already consented to (`--allow-env`); envNeedsConsent leaves them out. */
  previewImport: m<z.ZodType<{ source: string; allowEnv?: string[] }>, ImportPreview>(
    z.object({ source: z.string().min(1).max(MAX_IMPORT_SOURCE), allowEnv: z.array(z.string().max(200)).max(256).optional() }).strict(),
  ),
  exportProfile: m<z.ZodType<{ name: string; format: 'json' | 'code' | 'sh' | 'sbatch' }>, { text: string; filename: string }>(
    z.object({ name: z.string().min(1), format: z.enum(['json', 'code', 'sh', 'sbatch']) }).strict(),
  ),
  /** A profile built by the client (e.g. `lal profile export --recipe`) rather than a saved name. */
  exportSpec: m<z.ZodType<{ profile: Profile; format: 'json' | 'code' | 'sh' | 'sbatch' }>, { text: string; filename: string }>(
    z.object({ profile: profileSchema, format: z.enum(['json', 'code', 'sh', 'sbatch']) }).strict(),
  ),
  /** Is this text (a profile, share code or .sh script) a valid profile? Errors and consent needs as data, never thrown. */
  validateProfile: m<z.ZodType<{ source: string; stem?: string }>, ProfileValidation>(
    z.object({ source: z.string().max(MAX_IMPORT_SOURCE), stem: z.string().max(200).optional() }).strict(),
  ),
  /** Native dialog in Electron; the browser falls back to typing a path. */
  pickPath: m<z.ZodType<{ kind: 'file' | 'folder'; title?: string }>, { path: string | null; supported: boolean }>(
    z.object({ kind: z.enum(['file', 'folder']), title: z.string().max(200).optional() }).strict(),
  ),
  /** Opens a run's output folder in the file manager (Electron); a run id, never a path. */
  openPath: m<z.ZodType<{ runId: string }>, { opened: boolean }>(z.object({ runId: z.string().min(1) }).strict()),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<K extends MethodName> = z.output<Methods[K]['input']>;
export type MethodOutput<K extends MethodName> = Methods[K]['output'];

/** Pushed from the services to every client. */
export interface Events {
  runEvent: RunEvent;
  runOutput: RunOutputBatch;
  detectUpdated: DetectReport;
  runsChanged: { runId: string };
  setupProgress: DownloadProgress;
  setupFixOutput: SetupFixOutput;
}
export type EventName = keyof Events;
export const eventNames: EventName[] = ['runEvent', 'runOutput', 'detectUpdated', 'runsChanged', 'setupProgress', 'setupFixOutput'];
export const methodNames = Object.keys(methods) as MethodName[];

/** What every transport exposes to a client, and what core implements. */
export type Api = {
  [K in MethodName]: (input: MethodInput<K>) => Promise<MethodOutput<K>>;
};

export type Unsubscribe = () => void;
export interface EventSource {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Unsubscribe;
}

/** A client: every method plus event subscription. */
export type ApiClient = Api & EventSource;

/** IPC channel names, kept apart from method names so a renderer cannot reach other channels. */
export const ipcChannel = (name: MethodName | EventName) => `lal:${name}`;
