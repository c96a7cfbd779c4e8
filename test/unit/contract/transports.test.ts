import { createCore } from '../../../electron/core/app';
import { inProcessClient } from '../../../electron/core/in-process';
import { startServer } from '../../../electron/server/server';
import { createHttpClient } from '../../../shared/api/http-client';
import { tempDir } from '../../support/temp';
import { contractSuite } from './contract-suite';

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
