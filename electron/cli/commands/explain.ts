import type { Command } from 'commander';
import type { RunAction } from '../output';
import { registerPendingCommand } from './pending';

export function registerExplain(program: Command, run: RunAction): void {
  registerPendingCommand(program, run, 'explain', 'explain the failure in logs or a run folder');
}
