import { vi } from 'vitest';
import type { ApiClient } from '../../../shared/api/contract';
import { createCore } from '../../../electron/core/app';
import { inProcessClient } from '../../../electron/core/in-process';
import { forwardEvents, registerIpc } from '../../../electron/main/ipc';
import { senderAllowed } from '../../../electron/main/security';
import { startServer } from '../../../electron/server/server';
import { createHttpClient } from '../../../shared/api/http-client';
import { electronStandIn } from '../../support/electron-ipc';
import { tempDir } from '../../support/temp';
import { contractSuite } from './contract-suite';

// Electron cannot run here: the preload and main's handlers talk through an in-memory stand-in.
vi.mock('electron', async () => {
  const { electronStandIn: fake } = await import('../../support/electron-ipc');
  return { ipcMain: fake.ipcMain, ipcRenderer: fake.ipcRenderer, contextBridge: fake.contextBridge };
});

contractSuite('in-process', async () => {
  const dir = tempDir();
  const core = createCore({ transport: 'in-process', dataDir: dir.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
  return {
    core,
    client: inProcessClient(core),
    close: async () => {
      await core.dispose();
      dir.remove();
    },
  };
});

contractSuite('HTTP + SSE', async () => {
  const dir = tempDir();
  const core = createCore({ transport: 'http', dataDir: dir.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
  const server = await startServer(core, { port: 0, rendererDir: dir.path });
  const client = createHttpClient({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.token });
  return {
    core,
    client,
    close: async () => {
      client.close();
      await server.close();
      await core.dispose();
      dir.remove();
    },
  };
});

contractSuite('Electron IPC (main handlers + preload, in memory)', async () => {
  const dir = tempDir();
  const core = createCore({ transport: 'electron', dataDir: dir.path, nvidiaSmi: '/nonexistent/nvidia-smi' });
  electronStandIn.reset();
  const windows = new Set([1]);
  registerIpc(electronStandIn.ipcMain, core.api, (event) => senderAllowed(event, 'file://', windows));
  forwardEvents(core.events, (channel, payload) => electronStandIn.send(channel, payload));
  await import('../../../electron/preload/index');
  return {
    core,
    client: electronStandIn.exposed.api as ApiClient,
    close: async () => {
      electronStandIn.reset();
      await core.dispose();
      dir.remove();
    },
  };
});
