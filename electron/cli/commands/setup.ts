import type { Command } from 'commander';
import { formatBytes, formatEta } from '../../../shared/setup/progress';
import type { DownloadProgress } from '../../../shared/setup/types';
import { WEIGHT_REPOS } from '../../../shared/setup/weights';
import { defaultEndpoints, parseEndpoint } from '../../../shared/setup/endpoints';
import { cliCore } from '../core';
import { cliT, systemLang } from '../i18n';
import { CliError, EXIT, printJson, type RunAction } from '../output';
import { ApiFailure } from '../../../shared/api/result';

interface WeightsFlags {
  checkout?: string;
  endpoint?: string[];
  dest?: string;
  repo?: string[];
  concurrency?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `lal setup weights`: the two weight repos into `<checkout>/ckpt` (or --dest inside a folder the
 * settings allow), resumable: Ctrl-C pauses and keeps every `.part`; running it again resumes.
 * Exit 0 when every file is verified, 1 when the download failed (disk full, no endpoint), 2 for usage.
 */
export function registerSetup(program: Command, run: RunAction): void {
  const setup = program.command('setup').description('get the real Live Avatar recipe ready (weights)');
  setup
    .command('weights')
    .description('download and verify Wan2.2-S2V-14B and the Live Avatar LoRA, resuming where a previous run stopped')
    .option('--endpoint <e>', 'hf, mirror (HF_ENDPOINT or hf-mirror.com), modelscope, a Hub-style URL, or hf=URL / modelscope=URL; repeat to set the fallback order', collect)
    .option('--checkout <dir>', 'Live Avatar checkout (default: the one in settings); weights go to its ckpt/')
    .option('--dest <dir>', 'weights folder (default: <checkout>/ckpt, where upstream\'s scripts look)')
    .option('--repo <id>', `only this repo: ${WEIGHT_REPOS.map((r) => r.id).join(', ')} (repeatable)`, collect)
    .option('--concurrency <n>', 'files fetched at once (default 4)')
    .action((flags: WeightsFlags) =>
      run(async (g) => {
        const lang = g.lang ?? systemLang();
        const t = cliT(lang);
        const repos = flags.repo?.length ? WEIGHT_REPOS.filter((r) => flags.repo!.includes(r.id)) : WEIGHT_REPOS;
        if (flags.repo && repos.length !== flags.repo.length) throw new CliError(`--repo: one of ${WEIGHT_REPOS.map((r) => r.id).join(', ')}`, EXIT.USAGE);
        const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new CliError('--concurrency: a whole number from 1 to 16', EXIT.USAGE);
        // A checkout named on this command line is the user's own choice, as trusted as the stored
        // one: it is core's override for this process, like --python.
        const core = cliCore(g, 'in-process', { checkout: flags.checkout });
        try {
          const tty = !g.json && process.stderr.isTTY === true;
          let lastLine = 0;
          let started = false;
          let settle!: (p: DownloadProgress) => void;
          const ended = new Promise<DownloadProgress>((r) => (settle = r));
          // Core's download, as the app starts it; its progress arrives as `setupProgress` events.
          const off = core.api.on('setupProgress', (p) => {
            if (p.phase === 'done' || p.phase === 'failed' || p.phase === 'paused' || p.phase === 'cancelled') settle(p);
            if (g.json || !started) return;
            const now = Date.now();
            if (!tty && now - lastLine < 2000 && p.phase === 'downloading') return;
            lastLine = now;
            const line = progressLine(p, t);
            process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
          });
          let first: DownloadProgress;
          try {
            first = await core.api.setupDownloadStart({ endpoints: flags.endpoint, dest: flags.dest, repos: flags.repo ? repos.map((r) => r.id) : undefined, concurrency });
          } catch (err) {
            off();
            if (err instanceof ApiFailure && err.error.code === 'BAD_INPUT' && (err.error.field === 'endpoints' || err.error.field === 'dest')) {
              throw new CliError(err.error.message.replace(/^endpoints/, '--endpoint'), EXIT.USAGE);
            }
            throw err;
          }
          const endpoints = flags.endpoint?.length ? flags.endpoint.map((s) => parseEndpoint(s, process.env.HF_ENDPOINT)) : defaultEndpoints(process.env.HF_ENDPOINT);
          process.stderr.write(`${t('setup:cli.start', { dest: first.dest, endpoints: endpoints.map((e) => e?.label ?? '?').join(' → ') })}\n`);
          started = true;
          // Ctrl-C pauses: the .part files stay, and the next run resumes them.
          const onSig = () => void core.api.setupDownloadPause(undefined).then(settle, () => undefined);
          process.once('SIGINT', onSig);
          process.once('SIGTERM', onSig);
          const result = await ended.finally(() => {
            off();
            process.off('SIGINT', onSig);
            process.off('SIGTERM', onSig);
          });
          if (tty) process.stderr.write('\n');
          if (g.json) printJson(result);
          else (result.phase === 'done' ? process.stdout : process.stderr).write(`${summary(result, t)}\n`);
          return result.phase === 'done' ? EXIT.OK : EXIT.FAILED;
        } finally {
          await core.dispose();
        }
      }),
    );
}

type T = ReturnType<typeof cliT>;

function progressLine(p: DownloadProgress, t: T): string {
  if (p.phase === 'listing') return t('setup:cli.listing');
  const active = p.files.filter((f) => f.state === 'downloading' || f.state === 'verifying');
  const done = p.files.filter((f) => f.state === 'done').length;
  const head = t('setup:cli.progress', {
    bytes: formatBytes(p.bytes), total: formatBytes(p.total), pct: p.total ? Math.floor((p.bytes / p.total) * 100) : 0,
    speed: `${formatBytes(p.speed)}/s`, eta: formatEta(p.etaSeconds), done, files: p.files.length,
  });
  const file = active[0];
  return file ? `${head} · ${file.path} ${formatBytes(file.bytes)}/${formatBytes(file.total)} (${file.state === 'verifying' ? t('setup:file.verifying') : `${formatBytes(file.speed)}/s, ${formatEta(file.etaSeconds)}`})` : head;
}

function summary(p: DownloadProgress, t: T): string {
  switch (p.phase) {
    case 'done':
      return t('setup:cli.done', { files: p.files.length, bytes: formatBytes(p.total), dest: p.dest });
    case 'paused':
      return t('setup:cli.paused', { bytes: formatBytes(p.bytes), total: formatBytes(p.total) });
    case 'cancelled':
      return t('setup:cli.cancelled');
    default:
      return t('setup:cli.failed', { message: p.error?.message ?? '?' });
  }
}
