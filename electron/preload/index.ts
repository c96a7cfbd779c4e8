import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventNames, ipcChannel, methodNames, type EventName } from '../../shared/api/contract';

/**
 * One function per contract method, each bound to its own channel. The renderer never gets
 * ipcRenderer itself, so it cannot reach a channel the contract does not declare.
 */
const api: Record<string, unknown> = {};
for (const name of methodNames) {
  const channel = ipcChannel(name);
  api[name] = (input: unknown) =>
    ipcRenderer.invoke(channel, input).then((r: { ok: boolean; value?: unknown; error?: { message: string } }) => {
      if (!r.ok) throw Object.assign(new Error(r.error?.message ?? 'error'), { error: r.error });
      return r.value;
    });
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!eventNames.includes(event)) throw new Error(`unknown event ${String(event)}`);
  const channel = ipcChannel(event);
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
};

contextBridge.exposeInMainWorld('api', api);
