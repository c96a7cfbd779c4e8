import type { Command } from 'commander';
import type { ReadinessReport } from '../../../shared/setup/checklist';
import { quoteArgv } from '../../../shared/setup/fixes';
import { formatBytes } from '../../../shared/setup/progress';
import { cliCore } from '../core';
import { cliT, systemLang } from '../i18n';
import { EXIT, printJson, type RunAction } from '../output';

interface DoctorFlags {
  checkout?: string;
  dest?: string;
}

/**
 * `lal doctor`: the readiness checklist of the real recipe — checkout and commit, weights by exact
 * file list and bytes, the LoRA where upstream's scripts look, Python/torch against the driver's
 * CUDA, flash-attn, the pinned requirements, ffmpeg — each with the command that fixes it.
 * Exit 0 when everything is ok, 1 when something is missing or wrong.
 */
export function registerDoctor(program: Command, run: RunAction): void {
  program
    .command('doctor')
    .description('is this machine ready for the real Live Avatar recipe? each problem with its fix command')
    .option('--checkout <dir>', 'Live Avatar checkout (default: the one in settings)')
    .option('--dest <dir>', 'weights folder (default: <checkout>/ckpt)')
    .action((flags: DoctorFlags) =>
      run(async (g) => {
        const core = cliCore(g);
        try {
          // The app's own checklist; --python and --nvidia-smi are core's overrides already.
          const result = await core.api.readiness({ checkout: flags.checkout, dest: flags.dest });
          if (g.json) printJson(result);
          else process.stdout.write(formatChecklist(result, g.lang ?? systemLang()));
          return result.ready ? EXIT.OK : EXIT.FAILED;
        } finally {
          await core.dispose();
        }
      }),
    );
}

export function formatChecklist(r: ReadinessReport, lang: 'en' | 'zh-CN'): string {
  const t = cliT(lang);
  const mark = { ok: '✓', missing: '✗', wrong: '!' } as const;
  const lines = [t('setup:doctor.title'), ''];
  for (const it of r.items) {
    const params = { ...it.params } as Record<string, string | number>;
    for (const k of ['bytes', 'total'] as const) if (typeof params[k] === 'number') params[k] = formatBytes(params[k] as number);
    lines.push(`${mark[it.status]} ${t(`setup:item.${it.id}`)}: ${t(`setup:status.${it.status}`)} — ${t(`setup:detail.${it.detail}`, params)}`);
    if (it.fix) lines.push(`    ${t('setup:doctor.fix')} ${quoteArgv(it.fix.argv)}`);
  }
  lines.push('', r.ready ? t('setup:doctor.ready') : t('setup:doctor.notReady', { count: r.items.filter((i) => i.status !== 'ok').length }));
  if (r.runEnv.HF_HUB_OFFLINE) lines.push(t('setup:doctor.offline'));
  return lines.join('\n') + '\n';
}
