import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { eventNames, methodNames, type MethodName } from '../../shared/api/contract';
import { ApiFailure, type ApiError, type Result } from '../../shared/api/result';
import type { Core } from '../core/app';

export interface ServeOptions {
  host?: string;
  port?: number;
  token?: string;
  rendererDir: string;
  /** Needed to listen beyond loopback: the server starts processes on this machine. */
  allowRemote?: boolean;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  host: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith('127.');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

// Same CSP as the Electron window: only our own origin; inline styles for xterm/uPlot.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export class ServerRefused extends Error {}

/**
 * The contract over loopback HTTP: POST /api/<method> with a JSON body, GET /api/events as SSE.
 * Every /api call needs the token; a request from a foreign Origin is refused (DNS rebinding,
 * drive-by pages), since this server can start processes.
 */
export async function startServer(core: Core, opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowRemote) {
    throw new ServerRefused(`Refusing to listen on ${host} without --allow-remote`);
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const clients = new Set<ServerResponse>();

  const tokenOk = (req: IncomingMessage, url: URL): boolean => {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('token');
    if (!given) return false;
    const buf = Buffer.from(given);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };

  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (!origin) return true; // curl, the CLI, same-origin GETs
    const reqHost = req.headers.host;
    try {
      return new URL(origin).host === reqHost;
    } catch {
      return false;
    }
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const readBody = (req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> =>
    new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          reject(new ApiFailure({ code: 'BAD_INPUT', message: 'request body too large' }));
          req.destroy();
        } else parts.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      req.on('error', reject);
    });

  const serveStatic = (res: ServerResponse, pathname: string) => {
    const root = normalize(opts.rendererDir);
    let file = normalize(join(root, decodeURIComponent(pathname)));
    if (!file.startsWith(root + sep) && file !== root) return send(res, 404, { error: 'not found' });
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web UI is not built. Run `npm run build:web` (npm run serve does it for you).');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    createReadStream(file).pipe(res);
  };

  const handleEvents = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    clients.add(res);
    let seq = 0;
    const offs = eventNames.map((name) =>
      core.events.on(name, (payload) => {
        res.write(`id: ${++seq}\nevent: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
      }),
    );
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      offs.forEach((off) => off());
      clients.delete(res);
    });
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: { code: 'BAD_INPUT', message: 'use POST' } });
    if (!methodNames.includes(name as MethodName)) {
      return send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no method ${name}` } });
    }
    let result: Result<unknown>;
    try {
      const raw = await readBody(req);
      let input: unknown;
      try {
        input = raw.trim() ? JSON.parse(raw) : undefined;
      } catch {
        throw new ApiFailure({ code: 'BAD_INPUT', message: 'body is not valid JSON' });
      }
      const fn = core.api[name as MethodName] as (i: unknown) => Promise<unknown>;
      result = { ok: true, value: await fn(input) };
    } catch (err) {
      result = { ok: false, error: toApiError(err) };
    }
    send(res, 200, result);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname.startsWith('/api/')) {
      if (!originOk(req)) return send(res, 403, { ok: false, error: { code: 'BAD_INPUT', message: 'foreign origin' } });
      if (!tokenOk(req, url)) return send(res, 401, { ok: false, error: { code: 'BAD_INPUT', message: 'missing or wrong token' } });
      if (url.pathname === '/api/events') return handleEvents(req, res);
      void handleApi(req, res, url.pathname.slice('/api/'.length));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    serveStatic(res, url.pathname);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    token,
    port,
    host,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure) return err.error;
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}
