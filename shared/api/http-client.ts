import { eventNames, methodNames, type ApiClient, type EventName, type Events, type MethodName } from './contract';
import { unwrap } from './envelope';
import { ApiFailure } from './result';

export interface HttpClientOptions {
  baseUrl: string;
  token: string;
  /** Injected for tests; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

type Listener = (payload: unknown) => void;

/**
 * The contract over HTTP + SSE. Uses only fetch and streams, so the same client runs in the
 * browser and in Node tests. Events come from one SSE stream, read with fetch so the token can go
 * in a header, and reconnect after a drop.
 */
export function createHttpClient(opts: HttpClientOptions): ApiClient & { close(): void } {
  const doFetch = opts.fetchImpl ?? fetch;
  const base = opts.baseUrl.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' };
  const listeners = new Map<EventName, Set<Listener>>();
  let abort: AbortController | null = null;
  let closed = false;

  /**
   * One method call. Whatever comes back (a Result, a transport refusal with its own status, a body
   * that is not JSON, no answer at all) ends as the value or an ApiFailure carrying the envelope.
   */
  const call = async (name: MethodName, input: unknown) => {
    let res: Response;
    try {
      res = await doFetch(`${base}/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
    } catch (err) {
      throw new ApiFailure({ code: 'UNAVAILABLE', message: `cannot reach the service: ${err instanceof Error ? err.message : String(err)}` });
    }
    // The renderer shows its sign-in state for these two words.
    if (res.status === 401) throw new ApiFailure({ code: 'BAD_INPUT', message: 'unauthorized' });
    if (res.status === 403 || res.status === 421) throw new ApiFailure({ code: 'BAD_INPUT', message: 'forbidden' });
    let body: unknown;
    try {
      body = JSON.parse(await res.text());
    } catch {
      throw new ApiFailure({ code: res.status >= 500 ? 'UNAVAILABLE' : 'BAD_INPUT', message: `HTTP ${res.status} without an answer` });
    }
    return unwrap(body);
  };

  const dispatch = (event: string, data: string) => {
    if (!eventNames.includes(event as EventName)) return;
    const set = listeners.get(event as EventName);
    if (!set?.size) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return; // a torn frame is dropped, not a reason to drop the stream
    }
    // One listener's bug must not tear down the stream: the read loop would drop every event
    // after it in the same chunk and reconnect a second later.
    for (const l of set) {
      try {
        l(payload);
      } catch (err) {
        console.error(`[lal] a ${event} listener failed:`, err);
      }
    }
  };

  const connect = async () => {
    while (!closed) {
      abort = new AbortController();
      try {
        const res = await doFetch(`${base}/api/events`, { headers: { authorization: headers.authorization }, signal: abort.signal });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let idx: number;
          while ((idx = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, idx);
            buf = buf.slice(idx + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) dispatch(event, data.join('\n'));
          }
        }
      } catch {
        if (closed) return;
      }
      if (!closed) await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const client = {} as Record<string, unknown>;
  for (const name of methodNames) client[name] = (input: unknown) => call(name, input);
  client.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(listener as Listener);
    if (!abort && !closed) void connect();
    return () => listeners.get(event)?.delete(listener as Listener);
  };
  client.close = () => {
    closed = true;
    abort?.abort();
  };
  return client as unknown as ApiClient & { close(): void };
}
