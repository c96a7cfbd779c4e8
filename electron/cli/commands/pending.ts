import type { Command } from 'commander';
import { CliError, type GlobalOptions } from '../output';

/**
 * Commands whose features land in later issues. They are listed in --help already so scripts can
 * rely on the names; each feature replaces its entry here with a real registration.
 */
const pending: { name: string; description: string }[] = [
  { name: 'detect', description: 'detect GPUs, driver, topology, Python/torch and the checkout' },
  { name: 'check', description: 'say whether a recipe/mode fits the GPUs, per GPU, with fixes' },
  { name: 'run', description: 'run a recipe, profile or preset under torchrun with live progress' },
  { name: 'runs', description: 'list runs; --reap stops leftovers of a launcher that died' },
  { name: 'explain', description: 'explain the failure in logs or a run folder' },
  { name: 'profile', description: 'validate, import, export and list run profiles' },
];

export function registerPending(program: Command, run: (fn: (g: GlobalOptions) => Promise<number>) => Promise<void>): void {
  for (const p of pending) {
    program
      .command(p.name)
      .description(p.description)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => run(async () => {
        throw new CliError(`'${p.name}' is not available in this build yet`, 1);
      }));
  }
}
