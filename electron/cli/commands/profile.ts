import type { Command } from 'commander';
import type { RunAction } from '../output';
import { registerPendingCommand } from './pending';

export function registerProfile(program: Command, run: RunAction): void {
  registerPendingCommand(program, run, 'profile', 'validate, import, export and list run profiles');
}
