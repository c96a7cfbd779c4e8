import type { Command } from 'commander';
import type { RunAction } from '../output';
import { registerPendingCommand } from './pending';

export function registerRun(program: Command, run: RunAction): void {
  registerPendingCommand(program, run, 'run', 'run a recipe, profile or preset under torchrun with live progress');
  registerPendingCommand(program, run, 'runs', 'list runs; --reap stops leftovers of a launcher that died');
}
