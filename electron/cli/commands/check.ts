import type { Command } from 'commander';
import type { RunAction } from '../output';
import { registerPendingCommand } from './pending';

export function registerCheck(program: Command, run: RunAction): void {
  registerPendingCommand(program, run, 'check', 'say whether a recipe/mode fits the GPUs, per GPU, with fixes');
}
