import type { Command } from 'commander';
import { CliError, type RunAction } from '../output';

/**
 * A command whose feature has not landed: listed in --help already so scripts can rely on the
 * name, and it says plainly that it is not there yet (exit 1).
 */
export function registerPendingCommand(program: Command, run: RunAction, name: string, description: string): void {
  program
    .command(name)
    .description(description)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() =>
      run(async () => {
        throw new CliError(`'${name}' is not available in this build yet`, 1);
      }),
    );
}
