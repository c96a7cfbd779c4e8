#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../core/app';
import { reportError, type GlobalOptions } from './output';
import { registerServe } from './commands/serve';
import { registerDetect } from './commands/detect';
import { registerCheck } from './commands/check';
import { registerRun } from './commands/run';
import { registerExplain } from './commands/explain';
import { registerProfile } from './commands/profile';
import { registerSetup } from './commands/setup';
import { registerDoctor } from './commands/doctor';
import { registerStacks } from './commands/stacks';

/**
 * `lal`: the command line over core. Each command lives in commands/ and returns an exit code:
 * 0 ok, 1 the thing checked failed, 2 bad input or usage.
 */
export function buildProgram(): { program: Command; result: Promise<number> } {
  let settle!: (code: number) => void;
  const result = new Promise<number>((r) => (settle = r));
  const program = new Command('lal');
  program
    .description('Live Avatar Launcher: detect GPUs, check what fits, run and diagnose torchrun jobs')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'machine-readable output')
    .option('--debug', 'print stack traces')
    .option('--lang <lang>', 'language of messages: en or zh (default: system)')
    .option('--nvidia-smi <path>', 'nvidia-smi to use (default: the one on PATH)')
    .option('--python <path>', 'Python interpreter whose torch/torchrun to use')
    .showHelpAfterError()
    .exitOverride();

  const globals = (): GlobalOptions => {
    const o = program.opts<{ json?: boolean; debug?: boolean; lang?: string; nvidiaSmi?: string; python?: string }>();
    const lang = o.lang === undefined ? undefined : /^zh/i.test(o.lang) ? 'zh-CN' : 'en';
    return { json: o.json, debug: o.debug, lang, nvidiaSmi: o.nvidiaSmi, python: o.python };
  };
  const run = async (fn: (g: GlobalOptions) => Promise<number>) => {
    const g = globals();
    try {
      settle(await fn(g));
    } catch (err) {
      settle(reportError(err, g));
    }
  };

  registerServe(program, run);
  registerDetect(program, run);
  registerCheck(program, run);
  registerRun(program, run);
  registerStacks(program, run);
  registerExplain(program, run);
  registerProfile(program, run);
  registerSetup(program, run);
  registerDoctor(program, run);
  return { program, result };
}

export async function main(argv: string[]): Promise<number> {
  const { program, result } = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is usage: 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    return reportError(err, {});
  }
  if (program.args.length === 0 && process.argv.length > 0 && argv.length === 0) {
    program.outputHelp();
    return 2;
  }
  return result;
}

const isEntry = process.argv[1] && /(?:cli[\\/]main\.[cm]?[jt]s|lal(?:\.mjs)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`lal: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
