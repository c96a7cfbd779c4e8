import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventNames, ipcChannel, methodNames, type EventName } from '../../shared/api/contract';
import { rejectPlain, unwrapPlain } from '../../shared/api/envelope';

/**
 * One function per contract method, each bound to its own channel. The renderer never gets
 * ipcRenderer itself, so it cannot reach a channel the contract does not declare. A failure
 * rejects with the bare envelope `{code, message, field?, details?}`: contextBridge keeps a plain
 * object whole but strips an Error down to its message.
 */
const api: Record<string, unknown> = {};
for (const name of methodNames) {
  const channel = ipcChannel(name);
  api[name] = (input: unknown) => ipcRenderer.invoke(channel, input).then(unwrapPlain, rejectPlain);
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!eventNames.includes(event)) throw new Error(`unknown event ${String(event)}`);
  const channel = ipcChannel(event);
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};

contextBridge.exposeInMainWorld('api', api);
