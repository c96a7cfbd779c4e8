import type { Command } from 'commander';
import type { RunAction } from '../output';
import { registerPendingCommand } from './pending';

export function registerDetect(program: Command, run: RunAction): void {
  registerPendingCommand(program, run, 'detect', 'detect GPUs, driver, topology, Python/torch and the checkout');
}
