import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatBytes, formatEta } from '../../../shared/setup/progress';
import type { DownloadProgress } from '../../../shared/setup/types';
import { WEIGHT_REPOS } from '../../../shared/setup/weights';
import { destMessage, resolveDest } from '../../core/setup/dest';
import { WeightDownload } from '../../core/setup/download';
import { endpointsFrom } from '../../core/setup/api';
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
        let endpoints;
        try {
          endpoints = endpointsFrom(flags.endpoint);
        } catch (err) {
          throw new CliError(err instanceof ApiFailure ? err.error.message.replace(/^endpoints/, '--endpoint') : String(err), EXIT.USAGE);
        }
        const repos = flags.repo?.length ? WEIGHT_REPOS.filter((r) => flags.repo!.includes(r.id)) : WEIGHT_REPOS;
        if (flags.repo && repos.length !== flags.repo.length) throw new CliError(`--repo: one of ${WEIGHT_REPOS.map((r) => r.id).join(', ')}`, EXIT.USAGE);
        const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new CliError('--concurrency: a whole number from 1 to 16', EXIT.USAGE);
        const core = cliCore(g);
        try {
          const stored = await core.api.getSettings(undefined);
          // A checkout named on this command line is the user's own choice, as trusted as the stored one.
          const settings = flags.checkout ? { ...stored, checkoutPath: resolve(flags.checkout) } : stored;
          const d = resolveDest(settings, core.dataDir, flags.dest ? flags.dest : null);
          if (!d.ok) throw new CliError(destMessage(d), EXIT.USAGE);
          const tty = !g.json && process.stderr.isTTY === true;
          let lastLine = 0;
          const dl = new WeightDownload({
            dest: d.dest,
            repos,
            endpoints,
            concurrency,
            progressIntervalMs: 500,
            onProgress: (p) => {
              if (g.json) return;
              const now = Date.now();
              if (!tty && now - lastLine < 2000 && p.phase === 'downloading') return;
              lastLine = now;
              const line = progressLine(p, t);
              process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
            },
          });
          process.stderr.write(`${t('setup:cli.start', { dest: d.dest, endpoints: endpoints.map((e) => e.label).join(' → ') })}\n`);
          // Ctrl-C pauses: the .part files stay, and the next run resumes them.
          const onSig = () => dl.pause();
          process.once('SIGINT', onSig);
          process.once('SIGTERM', onSig);
          const result = await dl.run().finally(() => {
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
