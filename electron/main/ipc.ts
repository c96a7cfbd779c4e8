import type { IpcMainInvokeEvent } from 'electron';
import { eventNames, ipcChannel, methodNames, type Api, type EventSource, type MethodName } from '../../shared/api/contract';
import { settle } from '../../shared/api/envelope';

/** The slice of ipcMain this adapter uses, so tests can hand it an in-memory stand-in. */
export interface IpcHandlers {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, input: unknown) => Promise<unknown>): void;
}

/**
 * One handler per contract method. Each answers with a Result whose error is the shared envelope
 * (shared/api/envelope.ts), exactly what the HTTP server sends, and never throws: Electron would
 * turn a thrown error into a bare message and lose the code.
 */
export function registerIpc(ipcMain: IpcHandlers, api: Api, senderOk: (event: IpcMainInvokeEvent) => boolean): void {
  for (const name of methodNames) {
    const fn = api[name as MethodName] as (i: unknown) => Promise<unknown>;
    ipcMain.handle(ipcChannel(name), async (event, input) => {
      if (!senderOk(event)) return { ok: false, error: { code: 'BAD_INPUT', message: 'sender not allowed' } };
      return settle(() => fn(input));
    });
  }
}

/** Every contract event to every window of ours. */
export function forwardEvents(events: EventSource, send: (channel: string, payload: unknown) => void): void {
  for (const name of eventNames) events.on(name, (payload) => send(ipcChannel(name), payload));
}
