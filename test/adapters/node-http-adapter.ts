// A small NTLM adapter over node:http, written only against the contract in packages/core/README.md
// ("writing an adapter for another transport"): a PinnedSlot per connection, the SlotPool and budget of
// the engine, and the request's RequestFlow stepped with each leg. It exists to show the contract is enough.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NtlmHttpEngine, PinnedSlot, SlotPool, bodyFacts, type Action, type ResponseHead } from '@ntlmkit/core/http';
import { Connector, peerCertificate } from '@ntlmkit/core/node';
import type { Credentials } from '@ntlmkit/core';

/** One socket at a time; the agent keeps it whatever the server's Keep-Alive hint says (the pool decides reuse). */
class HttpSlot extends PinnedSlot {
  readonly agent: http.Agent;
  #socket: Socket | undefined;

  constructor(connector: Connector, target: URL, onClose: (slot: HttpSlot) => void) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the agent's methods below have their own `this`
    const slot = this;
    this.agent = new (class extends http.Agent {
      override createConnection(
        _options: http.ClientRequestArgs,
        callback?: (error: Error | null, socket: Duplex) => void,
      ): undefined {
        // Node's Agent always passes the callback, and takes (error) alone on a failure.
        if (!callback) throw new TypeError('HttpSlot agent: createConnection needs a callback');
        const done = callback as (error: Error | null, socket?: Duplex) => void;
        connector
          .connect({ protocol: target.protocol, hostname: target.hostname, port: Number(target.port) || 80 })
          .then(
            (socket) => {
              slot.generation++;
              slot.#socket = socket;
              socket.once('close', () => {
                if (slot.#socket === socket) slot.#socket = undefined;
                onClose(slot);
              });
              done(null, socket);
            },
            (error: Error) => done(error),
          );
        return undefined;
      }
      override keepSocketAlive(socket: Socket): boolean {
        socket.setKeepAlive(true);
        return true;
      }
    })({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  peerCertificate() {
    return this.#socket ? peerCertificate(this.#socket) : undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** fetch-like, for tests: `client.request(url, { method, body })`. */
export function createClient(options: { credentials: Credentials; connections?: number }) {
  const engine = new NtlmHttpEngine(
    { credentials: options.credentials, ...(options.connections ? { connections: options.connections } : {}) },
    () => {},
  );
  const connector = new Connector();
  const pools = new Map<string, SlotPool<HttpSlot>>();
  const poolFor = (url: URL) => {
    let pool = pools.get(url.origin);
    if (!pool) {
      const created: SlotPool<HttpSlot> = new SlotPool<HttpSlot>({
        limit: engine.connections,
        budget: engine.budget,
        create: () => new HttpSlot(connector, url, (slot) => created.disconnected(slot)),
      });
      pool = created;
      pools.set(url.origin, pool);
    }
    return pool;
  };

  async function request(target: string, init: { method?: string; body?: string } = {}): Promise<Response> {
    const url = new URL(target);
    const pool = poolFor(url);
    const identity = engine.allows(url.origin) ? engine.identity : undefined;
    const key = identity?.key ?? '';
    const slot = pool.take(key) ?? (await new Promise<HttpSlot>((resolve) => pool.wait(key, resolve)));
    const body = init.body ?? '';
    const flow = engine.flow({
      origin: url.origin,
      url: () => url,
      route: { kind: 'direct' },
      identity,
      method: init.method,
      body: bodyFacts(body),
    });
    let action: Action = flow.start(slot);
    for (;;) {
      if (action.kind === 'fail') {
        pool.release(slot, 0);
        throw action.error;
      }
      if (action.kind === 'deliver') throw new Error('unreachable');
      const leg = action;
      const result = await new Promise<{ next: Action; response?: Response; reusable?: boolean }>((resolve) => {
        let sent = false;
        const req = http.request(url, {
          agent: slot.agent,
          method: init.method ?? 'GET',
          headers: { ...leg.headers, 'content-length': String(leg.withBody ? Buffer.byteLength(body) : 0) },
        });
        req.on('socket', () => {
          const instead = flow.sending(slot);
          if (instead) {
            req.destroy();
            resolve({ next: instead });
            return;
          }
          sent = true;
          req.end(leg.withBody ? body : undefined);
        });
        req.on('response', (res) => {
          const head: ResponseHead = {
            status: res.statusCode ?? 0,
            header: (name) => ([] as string[]).concat(res.headers[name] ?? []),
            closing: /\bclose\b/i.test(String(res.headers.connection ?? '')),
          };
          const next = flow.response(head, slot);
          let text = '';
          res.setEncoding('latin1');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({
              next,
              response: { status: head.status, headers: res.headers, body: text },
              reusable: !head.closing,
            }),
          );
        });
        req.on('error', (error) => resolve({ next: flow.failure(error, sent) }));
      });
      if (result.next.kind === 'deliver') {
        pool.release(slot, result.reusable ? Date.now() + 4000 : 0);
        return result.response!;
      }
      action = result.next;
    }
  }

  return {
    request,
    close: () => pools.forEach((pool) => pool.closeIdle()),
    connectionCount: () => [...pools.values()].reduce((n, p) => n + [...p.slots].filter((s) => s.connected).length, 0),
  };
}
