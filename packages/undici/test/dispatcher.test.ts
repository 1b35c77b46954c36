// NtlmDispatcher behaves as an undici dispatcher: events, stats, backpressure, close/destroy, compose, the
// ntlm() interceptor, per-request credentials and the connection budget; and createNtlmFetch as fetch.
import { Agent, Client, request, type Dispatcher } from 'undici';
import { createNtlmServer, type NtlmServer, type NtlmServerOptions, type OutcomeEvent } from '@ntlmkit/server';
import { NtlmDispatcher, createNtlmFetch, ntlm } from '../src/index';
import { MODERN_HANDLERS } from '../src/request';
import { SERVER_READINGS, type ServerReading } from '../../../test/support/readings';
import { startAlpnRecorder } from '../../../test/support/alpn';

const users: Record<string, string> = { 'EXAMPLE\\alice': 'Passw0rd!', 'EXAMPLE\\bob': 'B0b-Passw0rd' };
for (let i = 0; i < 40; i++) users[`EXAMPLE\\user${i}`] = `Pw-${i}`;
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const bob = { username: 'EXAMPLE\\bob', password: 'B0b-Passw0rd' };
let reading: ServerReading = SERVER_READINGS[0]!;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function server(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users, ...reading.options, ...options });
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}
function dispatcher(options: ConstructorParameters<typeof NtlmDispatcher>[0] = {}): NtlmDispatcher {
  const d = new NtlmDispatcher(options);
  cleanup.push(() => d.destroy());
  return d;
}
async function get(d: Dispatcher, url: string, init: Partial<Dispatcher.RequestOptions> = {}) {
  const r = await request(url, { dispatcher: d, ...init });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) };
}
/** Sockets open at the server right now. */
function openSockets(s: NtlmServer): () => number {
  let open = 0;
  s.on('connection', (socket) => {
    open++;
    socket.once('close', () => open--);
  });
  return () => open;
}

// Every test against each reading of the session-key rule (test/support/readings.ts).
describe.each(SERVER_READINGS)('server reading: $name', (r) => {
  beforeAll(() => {
    reading = r;
  });

  describe('an undici dispatcher like any other', () => {
    test('connect and disconnect events name the dispatcher first; stats per origin', async () => {
      const s = await server();
      const d = dispatcher({ credentials: alice });
      const events: string[] = [];
      d.on('connect', (origin, targets) => events.push(`connect ${origin.origin} ${targets[0] === d}`));
      d.on('disconnect', (origin, targets) => events.push(`disconnect ${origin.origin} ${targets[0] === d}`));
      await get(d, s.url);
      expect(events).toEqual([`connect ${s.url} true`]);
      expect(d.stats[s.url]).toMatchObject({ connected: 1, free: 1, running: 0, queued: 0 });
      s.closeAllConnections();
      await new Promise((r) => setTimeout(r, 50));
      expect(events).toEqual([`connect ${s.url} true`, `disconnect ${s.url} true`]);
      expect(d.stats[s.url]).toMatchObject({ connected: 0 });
    });

    test('backpressure: dispatch returns false while requests wait for a connection, then drain', async () => {
      const s = await server({ faults: { delayMs: 50 } });
      const d = dispatcher({ credentials: alice, connections: 1 });
      const drains: string[] = [];
      d.on('drain', (origin) => drains.push(origin.origin));
      await get(d, s.url);
      const results: number[] = [];
      const handler = (): Dispatcher.DispatchHandler => ({
        onRequestStart() {},
        onResponseStart(_c, status) {
          results.push(status);
        },
        onResponseData() {},
        onResponseEnd() {},
        onResponseError() {},
      });
      expect(d.dispatch({ origin: s.url, path: '/', method: 'GET' }, handler())).toBe(true);
      expect(d.dispatch({ origin: s.url, path: '/', method: 'GET' }, handler())).toBe(false);
      await new Promise((r) => setTimeout(r, 400));
      expect(results).toEqual([200, 200]);
      expect(drains).toEqual([s.url]);
    });

    test('close waits for requests in flight, then refuses new ones; destroy ends them at once', async () => {
      const s = await server({ faults: { delayMs: 100 } });
      const d = new NtlmDispatcher({ credentials: alice });
      const inFlight = get(d, s.url);
      await new Promise((r) => setTimeout(r, 20));
      await d.close();
      expect((await inFlight).status).toBe(200);
      // undici's own rule: a closed dispatcher refuses (closed, then destroyed once its connections are closed).
      await expect(get(d, s.url)).rejects.toMatchObject({
        code: expect.stringMatching(/^UND_ERR_(CLOSED|DESTROYED)$/),
      });
      const e = new NtlmDispatcher({ credentials: alice });
      const pending = get(e, s.url).catch((error: Error) => error);
      await new Promise((r) => setTimeout(r, 20));
      await e.destroy();
      expect(await pending).toMatchObject({ code: 'UND_ERR_DESTROYED' });
    });

    test('the ntlm() interceptor: its origins on its own pinned connections, the rest through the composed Agent', async () => {
      const protectedServer = await server();
      const open = await server({ authenticate: false });
      const agent = new Agent();
      cleanup.push(() => agent.close());
      const seen: string[] = [];
      agent.on('connect', (origin) => seen.push(origin.origin));
      const interceptor = ntlm({ credentials: alice, origins: [protectedServer.url] });
      cleanup.push(() => interceptor.dispatcher.close());
      const composed = agent.compose(interceptor);
      expect((await get(composed, protectedServer.url)).json().user).toBe('EXAMPLE\\alice');
      expect((await get(composed, open.url)).status).toBe(200);
      expect(seen).toEqual([open.url]);
      // On a single Client it is honest too: the Client's connection is not used for the handshake.
      const client = new Client(protectedServer.url);
      cleanup.push(() => client.close());
      expect(
        (
          await get(client.compose(ntlm({ credentials: bob, origins: [protectedServer.url] })), protectedServer.url)
        ).json().user,
      ).toBe('EXAMPLE\\bob');
    });
  });

  describe('TLS', () => {
    test('ALPN offers only http/1.1 (NTLM authenticates connections, which HTTP/2 multiplexes)', async () => {
      const recorder = await startAlpnRecorder();
      cleanup.push(() => recorder.close());
      const got = await get(dispatcher({ credentials: alice, connect: { ca: recorder.ca } }), recorder.url);
      expect(got.text).toBe('ok');
      expect(recorder.offered).toEqual([['http/1.1']]);
    });

    test.each(['TLSv1.3', 'TLSv1.2'] as const)(
      '%s: new connections resume the TLS session; the channel binding still comes from its certificate',
      async (maxVersion) => {
        const s = await server({
          https: true,
          tokenChecking: 'require',
          handler: (req, res) => {
            res.setHeader('connection', 'close');
            res.end(JSON.stringify({ reused: (req.socket as import('node:tls').TLSSocket).isSessionReused() }));
          },
        });
        const d = dispatcher({ credentials: alice, connect: { ca: s.certificate, maxVersion } as never });
        const seen: { reused: boolean; outcome: { ok: boolean; channelBinding: string } }[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await get(d, s.url.replace('127.0.0.1', 'localhost'));
          seen.push({ reused: r.json().reused, outcome: JSON.parse(String(r.headers['x-ntlm-outcome'])) });
        }
        expect(seen.map((x) => x.reused)).toEqual([false, true, true]);
        for (const x of seen) expect(x.outcome).toMatchObject({ ok: true, channelBinding: 'present' });
        expect(s.stats.connections).toBe(3);
      },
    );
  });

  describe('per-request credentials and the connection budget', () => {
    test('withCredentials: each view authenticates as its own user; a parent without credentials is valid', async () => {
      const s = await server();
      const d = dispatcher({ connections: 8 });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          get(d.withCredentials(i % 2 ? bob : alice), `${s.url}/${i}`).then((r) => [i % 2, r.json().user]),
        ),
      );
      for (const [who, user] of results) expect(user).toBe(who ? 'EXAMPLE\\bob' : 'EXAMPLE\\alice');
      // A parent without credentials sends none itself.
      expect((await get(d, s.url)).status).toBe(401);
    });

    test("a view after undici's Agent let the origin's pool go (every connection closed), and after close", async () => {
      const s = await server({ keepAliveTimeoutMs: 100 });
      const d = dispatcher();
      const view = d.withCredentials(bob);
      expect((await get(view, s.url)).json().user).toBe('EXAMPLE\\bob');
      // The server closes the idle connection; the Agent closes the origin's pool and makes a new one later.
      await new Promise((resolve) => d.once('disconnect', resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(d.connectionCount()).toBe(0);
      expect((await get(view, s.url)).json().user).toBe('EXAMPLE\\bob');
      expect((await get(view, `${s.url}/again`)).json().user).toBe('EXAMPLE\\bob');
      expect(Object.keys(d.stats)).toEqual([new URL(s.url).origin]);
      await d.close();
      // As the closed dispatcher itself refuses (undici destroys a dispatcher once it has closed).
      const parent = await get(d, s.url).catch((error: { code?: string }) => error.code);
      expect(parent).toMatch(/^UND_ERR_(CLOSED|DESTROYED)$/);
      await expect(get(view, s.url)).rejects.toMatchObject({ code: parent });
    });

    test("a start callback that throws: the handler's error callback hears it, through a view as through the Agent, and close does not wait for it", async () => {
      const s = await server();
      const d = dispatcher();
      const view = d.withCredentials(alice);
      await get(view, s.url); // the origin's pool exists: the view's next request goes to it directly
      for (const target of [d, view] as Dispatcher[]) {
        const boom = new Error('boom');
        const errors: Error[] = [];
        const url = new URL(s.url);
        // In the handler style of the undici installed (undici 8's Agent tells a sync error to onResponseError
        // only, undici 7's to onError).
        const handler = MODERN_HANDLERS
          ? {
              onRequestStart() {
                throw boom;
              },
              onResponseError(_controller: unknown, error: Error) {
                errors.push(error);
              },
            }
          : {
              onConnect() {
                throw boom;
              },
              onError(error: Error) {
                errors.push(error);
              },
            };
        target.dispatch({ origin: url.origin, path: '/', method: 'GET' }, handler);
        expect(errors).toEqual([boom]);
      }
      expect(s.stats.requests).toBe(3); // the first request's three legs: nothing for the two that threw
      const hangs = new Promise((resolve) => setTimeout(() => resolve('hangs'), 2000));
      await expect(Promise.race([d.close().then(() => 'closed'), hangs])).resolves.toBe('closed');
    });

    test('equal credentials share connections; different secrets never do', async () => {
      const s = await server();
      const d = dispatcher({ connections: 4 });
      await get(d.withCredentials({ ...alice }), s.url);
      await get(d.withCredentials({ username: 'example\\ALICE', password: alice.password }), s.url);
      expect(s.stats.handshakes).toBe(1);
      const events: OutcomeEvent[] = [];
      s.on('ntlm', (o) => events.push(o));
      const wrong = await get(d.withCredentials({ ...alice, password: 'not-it' }), s.url);
      expect(wrong.status).toBe(401);
      expect(events.at(-1)).toMatchObject({ ok: false });
    });

    test('maxConnections bounds the sockets across users; idle connections of others are closed, least recently used first', async () => {
      const s = await server();
      const open = openSockets(s);
      const d = dispatcher({ maxConnections: 3, connections: 3 });
      let most = 0;
      for (let i = 0; i < 12; i++) {
        const user = { username: `EXAMPLE\\user${i % 6}`, password: `Pw-${i % 6}` };
        expect((await get(d.withCredentials(user), s.url)).json().user).toBe(user.username);
        most = Math.max(most, open());
      }
      expect(most).toBeLessThanOrEqual(3);
      expect(d.connectionCount()).toBeLessThanOrEqual(3);
    });

    test('eviction while requests are in flight: busy connections are never taken, waiting requests get the next free place', async () => {
      const s = await server({ faults: { delayMs: 30 } });
      const open = openSockets(s);
      let most = 0;
      const timer = setInterval(() => (most = Math.max(most, open())), 2);
      const d = dispatcher({ maxConnections: 4, connections: 4 });
      const jobs = Array.from({ length: 60 }, (_, i) => {
        const n = i % 10;
        return get(d.withCredentials({ username: `EXAMPLE\\user${n}`, password: `Pw-${n}` }), `${s.url}/${i}`).then(
          (r) => r.json().user === `EXAMPLE\\user${n}`,
        );
      });
      const ok = await Promise.all(jobs);
      clearInterval(timer);
      expect(ok.every(Boolean)).toBe(true);
      expect(most).toBeLessThanOrEqual(4);
    });

    test('a request waiting for the budget honours its abort signal', async () => {
      const s = await server({ faults: { delayMs: 400 } });
      const d = dispatcher({ maxConnections: 1 });
      const slow = get(d.withCredentials(alice), s.url);
      await new Promise((r) => setTimeout(r, 30));
      const controller = new AbortController();
      const t = Date.now();
      const waiting = get(d.withCredentials(bob), s.url, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await expect(waiting).rejects.toThrow();
      expect(Date.now() - t).toBeLessThan(300);
      expect((await slow).status).toBe(200);
    });
  });

  describe('createNtlmFetch is fetch', () => {
    test('always a promise: a bad URL rejects with the TypeError fetch gives', async () => {
      const f = createNtlmFetch({ credentials: alice });
      cleanup.push(() => f.close());
      const p = f('htp://x/');
      // fetch's own promise, from Node's realm (jest runs tests in another one): a Promise by its tag.
      expect(Object.prototype.toString.call(p)).toBe('[object Promise]');
      // (For the same reason: compare the error's name, not its constructor.)
      await expect(p).rejects.toMatchObject({ name: 'TypeError' });
      await expect(f('not a url')).rejects.toMatchObject({ name: 'TypeError' });
    });

    test('a given fetch that throws instead of rejecting: the call rejects, it does not throw', async () => {
      const boom = new TypeError('thrown, not rejected');
      const f = createNtlmFetch({
        credentials: alice,
        fetch: (() => {
          throw boom;
        }) as unknown as typeof fetch,
      });
      cleanup.push(() => f.close());
      let p: Promise<Response> | undefined;
      expect(() => (p = f('http://127.0.0.1:1/'))).not.toThrow();
      await expect(p).rejects.toBe(boom);
      await expect(f('data:text/plain,x')).rejects.toBe(boom);
    });

    test('data: and blob: URLs go to fetch unchanged', async () => {
      const f = createNtlmFetch({ credentials: alice });
      cleanup.push(() => f.close());
      expect(await (await f('data:text/plain,hello')).text()).toBe('hello');
      const blobUrl = URL.createObjectURL(new Blob(['from a blob']));
      expect(await (await f(blobUrl)).text()).toBe('from a blob');
    });

    test("Node's global Request, Headers, FormData and Response work", async () => {
      const s = await server();
      const f = createNtlmFetch({ credentials: alice });
      cleanup.push(() => f.close());
      const r: Response = await f(
        new Request(`${s.url}/req`, { method: 'POST', body: 'from a Request', headers: new Headers({ 'x-a': '1' }) }),
      );
      expect(r).toBeInstanceOf(Response);
      expect(await r.json()).toMatchObject({ path: '/req', method: 'POST', bodyLength: 14, user: 'EXAMPLE\\alice' });
      const form = new FormData();
      form.append('field', 'value');
      const viaForm = await f(`${s.url}/form`, { method: 'POST', body: form });
      expect(((await viaForm.json()) as { bodyLength: number }).bodyLength).toBeGreaterThan(10);
    });

    test("Node's global fetch with { dispatcher } and withCredentials", async () => {
      const s = await server();
      const d = dispatcher({ origins: [s.url] });
      // Node's fetch types `dispatcher` with its own bundled undici-types, not with the undici installed here.
      const r = await fetch(s.url, { dispatcher: d.withCredentials(bob) } as unknown as RequestInit);
      expect(((await r.json()) as { user: string }).user).toBe('EXAMPLE\\bob');
    });
  });
});
