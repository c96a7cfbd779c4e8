import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { eventNames, methodNames, type MethodName } from '../../shared/api/contract';
import { settle, toEnvelope } from '../../shared/api/envelope';
import { ApiFailure, type ApiError, type Result } from '../../shared/api/result';
import type { Core } from '../core/app';
import { hostHeaderOk, isLoopback } from './loopback';
import { newToken, tokenProblem, MIN_TOKEN_CHARS } from './token';

export { isLoopback } from './loopback';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** A user-chosen token (from an env var or a file, never argv); random when absent. */
  token?: string;
  rendererDir: string;
  /** Needed to listen beyond loopback, and to answer a non-loopback Host: the server starts processes on this machine. */
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

/** The largest request body (a profile import is capped at 5 MB of text; JSON escaping adds some). */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;
/** An SSE client that stops reading is dropped once this much is queued for it, so it cannot grow our memory. */
const MAX_SSE_BACKLOG = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_URL_CHARS = 8 * 1024;

export class ServerRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'remote' | 'token-short' | 'token-charset' | 'token-weak' = 'remote',
  ) {
    super(message);
  }
}

/** A refusal at the transport level: its own HTTP status, the envelope as body. */
class HttpRefusal extends ApiFailure {
  constructor(
    readonly status: number,
    error: ApiError,
  ) {
    super(error);
  }
}

const badRequest = (message: string) => new HttpRefusal(400, { code: 'BAD_INPUT', message });

/**
 * The contract over loopback HTTP: POST /api/<method> with a JSON body, GET /api/events as SSE.
 * Any local process and any web page can reach this port, and the server can start processes, so:
 * every request is guarded (nothing a client sends can throw out of a handler), a Host that is
 * not a loopback name is refused (DNS rebinding), every /api call needs the token, and a request
 * from a foreign Origin is refused (drive-by pages).
 */
export async function startServer(core: Core, opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowRemote) {
    throw new ServerRefused(`Refusing to listen on ${host} without --allow-remote`);
  }
  if (opts.token !== undefined) {
    const problem = tokenProblem(opts.token);
    if (problem) throw new ServerRefused(`The access token must be at least ${MIN_TOKEN_CHARS} random URL-safe characters (${problem})`, `token-${problem}`);
  }
  const token = opts.token ?? newToken();
  const tokenBuf = Buffer.from(token);
  const clients = new Set<ServerResponse>();
  let port = 0;

  const tokenOk = (req: IncomingMessage, url: URL): boolean => {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('token');
    if (!given) return false;
    const buf = Buffer.from(given);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };

  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // curl, the CLI, same-origin GETs
    try {
      const o = new URL(origin);
      return o.protocol === 'http:' && o.host === req.headers.host;
    } catch {
      return false;
    }
  };

  const send = (res: ServerResponse, status: number, body: Result<unknown>) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const refuse = (res: ServerResponse, status: number, error: ApiError) => send(res, status, { ok: false, error });

  /** The last line of defence: whatever escaped a handler becomes an answer, never a crash. */
  const answerError = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    const status = err instanceof HttpRefusal ? err.status : 500;
    if (status >= 500) process.stderr.write(`[lal serve] ${req.method ?? '?'} request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    // Unread body bytes would be parsed as the next request: close the connection instead.
    res.setHeader('connection', 'close');
    refuse(res, status, toEnvelope(err));
    if (!req.complete) res.once('finish', () => req.destroy());
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        reject(new HttpRefusal(413, { code: 'BAD_INPUT', message: `request body over ${MAX_BODY_BYTES} bytes` }));
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (c: Buffer) => {
        if (done) return;
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          done = true;
          parts.length = 0;
          req.pause();
          reject(new HttpRefusal(413, { code: 'BAD_INPUT', message: `request body over ${MAX_BODY_BYTES} bytes` }));
        } else parts.push(c);
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(parts).toString('utf8'));
      });
      req.on('error', (e) => {
        if (done) return;
        done = true;
        reject(e);
      });
      req.on('close', () => {
        if (done) return;
        done = true;
        reject(badRequest('request ended early'));
      });
    });

  const serveStatic = (res: ServerResponse, pathname: string) => {
    const root = normalize(opts.rendererDir);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      throw badRequest('the path is not valid percent-encoding');
    }
    if (decoded.includes('\0')) throw badRequest('the path holds a NUL byte');
    let file = normalize(join(root, decoded));
    if (!file.startsWith(root + sep) && file !== root) throw new HttpRefusal(404, { code: 'NOT_FOUND', message: 'not found' });
    const isFile = (p: string) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    };
    if (!isFile(file)) file = join(root, 'index.html');
    if (!isFile(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web UI is not built. Run `npm run build:web` (npm run serve does it for you).');
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.once('open', () => {
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
      });
      stream.pipe(res);
    });
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
    let closed = false;
    // Called from core's event bus, inside a run's own code path: it must never throw back into it.
    const write = (chunk: string) => {
      if (closed) return;
      try {
        if (res.writableLength > MAX_SSE_BACKLOG) {
          cleanup();
          res.destroy();
          return;
        }
        res.write(chunk);
      } catch {
        cleanup();
        res.destroy();
      }
    };
    const offs = eventNames.map((name) =>
      core.events.on(name, (payload) => {
        let data: string;
        try {
          data = JSON.stringify(payload);
        } catch {
          return;
        }
        write(`id: ${++seq}\nevent: ${name}\ndata: ${data}\n\n`);
      }),
    );
    const ping = setInterval(() => write(': ping\n\n'), 15_000);
    function cleanup() {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      offs.forEach((off) => off());
      clients.delete(res);
    }
    req.on('close', cleanup);
    res.on('close', cleanup);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    if (req.method !== 'POST') throw new HttpRefusal(405, { code: 'BAD_INPUT', message: 'use POST' });
    if (!methodNames.includes(name as MethodName)) throw new HttpRefusal(404, { code: 'NOT_FOUND', message: `no method ${name}` });
    const raw = await readBody(req);
    let input: unknown;
    try {
      input = raw.trim() ? JSON.parse(raw) : undefined;
    } catch {
      throw badRequest('body is not valid JSON');
    }
    const fn = core.api[name as MethodName] as (i: unknown) => Promise<unknown>;
    const result = await settle(() => fn(input));
    if (!result.ok && result.error.code === 'INTERNAL') process.stderr.write(`[lal serve] ${name}: ${result.error.message}\n`);
    if (res.destroyed) return;
    send(res, 200, result);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '';
    // Only origin-form targets (`/path?query`): absolute-form or `*` is a proxy's business, not ours.
    if (!target.startsWith('/') || target.startsWith('//') || target.length > MAX_URL_CHARS) throw badRequest('bad request target');
    let url: URL;
    try {
      url = new URL(target, 'http://localhost');
    } catch {
      throw badRequest('bad request target');
    }
    if (!opts.allowRemote && !hostHeaderOk(req.headers.host, port)) {
      throw new HttpRefusal(421, { code: 'BAD_INPUT', message: 'this server answers only to a loopback Host (127.0.0.1, localhost, [::1]) and its own port' });
    }
    if (url.pathname.startsWith('/api/')) {
      if (!originOk(req)) throw new HttpRefusal(403, { code: 'BAD_INPUT', message: 'forbidden: foreign origin' });
      if (!tokenOk(req, url)) throw new HttpRefusal(401, { code: 'BAD_INPUT', message: 'missing or wrong token' });
      if (url.pathname === '/api/events') {
        if (req.method !== 'GET') throw new HttpRefusal(405, { code: 'BAD_INPUT', message: 'use GET' });
        return handleEvents(req, res);
      }
      return handleApi(req, res, url.pathname.slice('/api/'.length));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpRefusal(405, { code: 'BAD_INPUT', message: 'method not allowed' });
    serveStatic(res, url.pathname);
  };

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    // A socket error on one request is that request's end, never an 'error' without a listener.
    req.on('error', () => res.destroy());
    res.on('error', () => req.destroy());
    try {
      route(req, res).catch((err: unknown) => answerError(req, res, err));
    } catch (err) {
      answerError(req, res, err);
    }
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.maxConnections = 512;
  // Malformed request lines, headers over the limit, bad chunking: answer 4xx and close; never throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || socket.destroyed || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.on('error', (err) => process.stderr.write(`[lal serve] ${err.message}\n`));
  port = (server.address() as AddressInfo).port;
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

/** Kept for callers that imported it from here; the envelope module is the one definition. */
export const toApiError = toEnvelope;
