import { EventEmitter } from 'node:events';

/**
 * An in-memory stand-in for the three Electron objects the IPC adapters touch, behaving as
 * Electron does where it matters for errors: values cross by structured clone, and an Error
 * crossing contextBridge keeps only its message (its own properties such as `.code` are lost).
 * Tests mock `electron` with `electronStandIn` and wire main's handlers to the preload's api.
 */
// The event is whatever main's handler declares (IpcMainInvokeEvent there).
type Handler = (event: any, input: unknown) => Promise<unknown>;

export class FakeElectron {
  readonly handlers = new Map<string, Handler>();
  readonly toRenderer = new EventEmitter();
  readonly exposed: Record<string, unknown> = {};
  /** The event main's handlers see: our window's top frame on the app's own origin. */
  senderEvent: unknown = { sender: { id: 1 }, senderFrame: { url: 'file:///app/index.html', parent: null } };

  readonly ipcMain = {
    handle: (channel: string, h: Handler) => {
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, h);
    },
  };

  readonly ipcRenderer = {
    invoke: async (channel: string, input: unknown) => {
      const h = this.handlers.get(channel);
      if (!h) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      try {
        return structuredClone(await h(this.senderEvent, structuredClone(input)));
      } catch (err) {
        // What ipcRenderer.invoke does with a handler that throws: a new Error with only a message.
        throw new Error(`Error invoking remote method '${channel}': ${String(err)}`);
      }
    },
    on: (channel: string, l: (...a: unknown[]) => void) => this.toRenderer.on(channel, l),
    removeListener: (channel: string, l: (...a: unknown[]) => void) => this.toRenderer.off(channel, l),
  };

  readonly contextBridge = {
    exposeInMainWorld: (key: string, value: Record<string, unknown>) => {
      const bridged: Record<string, unknown> = {};
      for (const [name, fn] of Object.entries(value)) {
        if (typeof fn !== 'function') continue;
        bridged[name] = (...args: unknown[]) => {
          const out = (fn as (...a: unknown[]) => unknown)(...args.map((a) => (typeof a === 'function' ? a : structuredClone(a))));
          if (!(out instanceof Promise)) return out;
          return out.then(
            (v) => structuredClone(v),
            (e: unknown) => {
              throw e instanceof Error ? new Error(e.message) : structuredClone(e);
            },
          );
        };
      }
      this.exposed[key] = bridged;
    },
  };

  /** main's webContents.send to our window. */
  send(channel: string, payload: unknown): void {
    this.toRenderer.emit(channel, {}, structuredClone(payload));
  }

  reset(): void {
    this.handlers.clear();
    this.toRenderer.removeAllListeners();
  }
}

/** The one stand-in a test file's `vi.mock('electron', …)` returns and its harness wires. */
export const electronStandIn = new FakeElectron();
