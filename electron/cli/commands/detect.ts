import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatReport } from '../../../shared/detect/format';
import { cliCore } from '../core';
import { systemLang } from '../i18n';
import { CliError, EXIT, printJson, type RunAction } from '../output';

interface DetectFlags {
  checkout?: string;
  outputDir?: string;
  fp8?: boolean;
  python?: boolean;
}

/**
 * `lal detect`: what this machine has. Exit 0 whenever detection itself worked, including "no GPU"
 * (that is an answer, shown with its fix); 2 for a bad flag such as a --checkout that is not a folder.
 */
export function registerDetect(program: Command, run: RunAction): void {
  program
    .command('detect')
    .description('detect GPUs, driver, topology, VRAM holders, Python/torch and the Live Avatar checkout')
    .option('--checkout <dir>', 'Live Avatar checkout to inspect (default: the one in settings)')
    .option('--output-dir <dir>', 'folder whose free space to report (default: the one in settings)')
    .option('--fp8', 'the run will use --fp8: GPUs below compute capability 8.9 become errors')
    .option('--no-python', 'skip probing Python environments (faster)')
    .action((flags: DetectFlags) =>
      run(async (g) => {
        if (flags.checkout !== undefined) {
          const dir = resolve(flags.checkout);
          const s = await stat(dir).catch(() => null);
          if (!s?.isDirectory()) throw new CliError(`--checkout: ${dir} is not a folder`, EXIT.USAGE);
        }
        const core = cliCore(g);
        try {
          // Core's own detection: the flags are the contract's detect options (--nvidia-smi and
          // --python are already core's overrides).
          const report = await core.api.detect({
            refresh: true,
            checkout: flags.checkout,
            outputDir: flags.outputDir,
            fp8: flags.fp8,
            skipPython: flags.python === false ? true : undefined,
          });
          if (g.json) printJson(report);
          else process.stdout.write(formatReport(report, g.lang ?? systemLang()));
          return EXIT.OK;
        } finally {
          await core.dispose();
        }
      }),
    );
}
