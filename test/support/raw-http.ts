import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection without a status line. */
  status: number;
  headers: string;
  body: string;
}

/**
 * Sends bytes exactly as given (no client fixing up the request line or Host) and reads the
 * answer until the server closes or `timeoutMs` passes. For requests no well-behaved client sends.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, headers: split >= 0 ? text.slice(0, split) : text, body: split >= 0 ? text.slice(split + 4) : '' });
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (b: Buffer) => {
      chunks.push(b);
      // One answer is enough: stop once a complete content-length body is in.
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split >= 0 ? split : text.length));
      if (split >= 0 && len && Buffer.byteLength(text.slice(split + 4), 'latin1') >= Number(len[1])) finish();
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish() : reject(err)));
    sock.write(request);
  });
}

/** A GET with the given target and headers, Host defaulting to the loopback address and port. */
export function rawGet(port: number, target: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const all = { host: `127.0.0.1:${port}`, connection: 'close', ...headers };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return rawRequest(port, `GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
}
