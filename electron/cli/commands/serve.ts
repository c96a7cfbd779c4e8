import type { Command } from 'commander';
import { openSync, closeSync, fstatSync, readSync } from 'node:fs';
import { defaultRendererDir } from '../../core/paths';
import { isLoopback, ServerRefused, startServer } from '../../server/server';
import { MIN_TOKEN_CHARS, tokenProblem } from '../../server/token';
import { CliError, type RunAction } from '../output';
import { cliCore } from '../core';
import { cliT } from '../i18n';

type T = ReturnType<typeof cliT>;

/** The environment variable a user-chosen token comes from (argv is readable by every user via ps). */
export const TOKEN_ENV = 'LAL_TOKEN';
const MAX_TOKEN_FILE = 4096;

function readTokenFile(file: string, t: T): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new CliError(t('serve:tokenFileUnreadable', { file, error: (err as Error).message }), 2);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new CliError(t('serve:tokenFileUnreadable', { file, error: 'not a regular file' }), 2);
    // Like ssh with a private key: a secret others can read is not a secret.
    if (st.mode & 0o077) throw new CliError(t('serve:tokenFileOpen', { file, mode: (st.mode & 0o777).toString(8) }), 2);
    if (st.size > MAX_TOKEN_FILE) throw new CliError(t('serve:tokenFileTooBig', { file, size: st.size }), 2);
    const buf = Buffer.alloc(MAX_TOKEN_FILE);
    const n = readSync(fd, buf, 0, MAX_TOKEN_FILE, 0);
    return buf.subarray(0, n).toString('utf8').trim();
  } finally {
    closeSync(fd);
  }
}

/**
 * A user-chosen token from LAL_TOKEN or --token-file, checked for 128 bits; undefined for a random
 * one. The variable is removed from our environment at once so runs started later do not inherit it.
 */
export function chosenToken(o: { tokenFile?: string; token?: string }, env: NodeJS.ProcessEnv, t: T): string | undefined {
  if (o.token !== undefined) throw new CliError(t('serve:tokenInArgv'), 2);
  const fromEnv = env[TOKEN_ENV];
  delete env[TOKEN_ENV];
  if (fromEnv !== undefined && o.tokenFile !== undefined) throw new CliError(t('serve:tokenTwoSources'), 2);
  const token = o.tokenFile !== undefined ? readTokenFile(o.tokenFile, t) : fromEnv?.trim();
  if (token === undefined) return undefined;
  const problem = tokenProblem(token);
  if (problem === 'short') throw new CliError(t('serve:tokenShort', { length: token.length, min: MIN_TOKEN_CHARS }), 2);
  if (problem === 'charset') throw new CliError(t('serve:tokenCharset'), 2);
  if (problem === 'weak') throw new CliError(t('serve:tokenWeak'), 2);
  return token;
}

export function registerServe(program: Command, run: RunAction): void {
  program
    .command('serve')
    .description(`serve the app over loopback HTTP for a browser (headless servers: tunnel the port over SSH); a chosen token comes from ${TOKEN_ENV} or --token-file`)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port; 0 picks a free one', '0')
    .option('--allow-remote', 'allow a non-loopback --host and Host header (prints a warning)')
    .option('--token-file <file>', `read the access token from this file (mode 600); or set ${TOKEN_ENV}`)
    // Kept only to refuse it with a clear reason: a token in argv is readable by every local user.
    .option('--token <token>', 'refused: use LAL_TOKEN or --token-file')
    .action((o: { host: string; port: string; allowRemote?: boolean; token?: string; tokenFile?: string }) =>
      run(async (g) => {
        const t = cliT(g.lang);
        const port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: expected 0-65535, got ${o.port}`, 2);
        if (!isLoopback(o.host) && !o.allowRemote) throw new CliError(t('common:cli.publicNeedsFlag', { host: o.host }), 2);
        const token = chosenToken(o, process.env, t);
        const core = cliCore(g, 'http');
        let server;
        try {
          server = await startServer(core, { host: o.host, port, token, rendererDir: defaultRendererDir(), allowRemote: o.allowRemote });
        } catch (err) {
          await core.dispose();
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
