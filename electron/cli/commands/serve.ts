import type { Command } from 'commander';
import { defaultRendererDir } from '../../core/paths';
import { isLoopback, ServerRefused, startServer } from '../../server/server';
import { CliError, type RunAction } from '../output';
import { cliCore } from '../core';
import { cliT } from '../i18n';

export function registerServe(program: Command, run: RunAction): void {
  program
    .command('serve')
    .description('serve the app over loopback HTTP for a browser (headless servers: tunnel the port over SSH)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port; 0 picks a free one', '0')
    .option('--allow-remote', 'allow a non-loopback --host (prints a warning)')
    .option('--token <token>', 'use this access token instead of a random one')
    .action((o: { host: string; port: string; allowRemote?: boolean; token?: string }) =>
      run(async (g) => {
        const t = cliT(g.lang);
        const port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: expected 0-65535, got ${o.port}`, 2);
        if (!isLoopback(o.host) && !o.allowRemote) throw new CliError(t('common:cli.publicNeedsFlag', { host: o.host }), 2);
        const core = cliCore(g, 'http');
        let server;
        try {
          server = await startServer(core, { host: o.host, port, token: o.token, rendererDir: defaultRendererDir(), allowRemote: o.allowRemote });
        } catch (err) {
          if (err instanceof ServerRefused) throw new CliError(err.message, 2);
          throw new CliError(`cannot listen on ${o.host}:${port}: ${(err as Error).message}`, 1);
        }
        if (!isLoopback(o.host)) process.stderr.write(t('common:cli.publicWarning', { host: o.host }) + '\n');
        if (g.json) process.stdout.write(JSON.stringify({ url: server.url, port: server.port, host: server.host }) + '\n');
        else process.stdout.write(server.url + '\n');
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        await core.dispose();
        return 0;
      }),
    );
}
