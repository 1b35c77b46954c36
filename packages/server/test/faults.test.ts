// The server's fault options through real sockets, with plain node:http and raw TCP clients.
import http from 'node:http';
import { isNtlmError } from '@ntlmkit/core';
import { createNtlmServer, type NtlmServer, type NtlmServerOptions, type RequestHandler } from '../src/index';
import {
  alice,
  exchange,
  handshake,
  PinnedAgent,
  PinnedHttpsAgent,
  rawConnection,
  rawValues,
  sleep,
  stopAfterEach,
  users,
} from './wire';

const track = stopAfterEach();

async function start(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const server = track.keep(createNtlmServer({ users, ...options }));
  await server.start();
  return server;
}
function pinned(server: NtlmServer): http.Agent {
  return track.agent(server.url.startsWith('https:') ? new PinnedHttpsAgent() : new PinnedAgent());
}

/** A handler that records what it executed, then answers `body` (with or without Content-Length). */
function recording(seen: string[], body = 'x'.repeat(100), chunked = false): RequestHandler {
  return (req, res, context) => {
    seen.push(`${req.method} ${req.url} ${context.body.toString()}`);
    if (!chunked) res.setHeader('content-length', Buffer.byteLength(body));
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (chunked) res.write(body.slice(0, 10));
    res.end(chunked ? body.slice(10) : body);
  };
}

describe('keepAliveHint', () => {
  test.each([1, 0])('timeout=%i on the bare 401, the CHALLENGE and the 200s, all on one connection', async (n) => {
    const server = await start({ faults: { keepAliveHint: n } });
    const agent = pinned(server);
    const bare = await exchange(server.url, { agent });
    const { challenge, final } = await handshake(server.url, agent, alice);
    const later = await exchange(server.url, { agent });
    for (const r of [bare, challenge, final, later]) {
      expect(rawValues(r.rawHeaders, 'keep-alive')).toEqual([`timeout=${n}`]);
      expect(r.headers.connection).toBe('keep-alive');
    }
    expect([bare.status, challenge.status, final.status, later.status]).toEqual([401, 401, 200, 200]);
    expect(new Set([bare, challenge, final, later].map((r) => r.localPort)).size).toBe(1);
    expect(server.stats.connections).toBe(1);
  });

  test("it is what makes Node's own agent open a new connection per request", async () => {
    for (const [faults, expected] of [
      [{ keepAliveHint: 1 }, 3],
      [{ keepAliveHint: 5 }, 1],
      [{}, 1],
    ] as const) {
      const server = await start({ authenticate: false, faults });
      const agent = track.agent(new http.Agent({ keepAlive: true, maxSockets: 1 }));
      for (let i = 0; i < 3; i++) expect((await exchange(server.url, { agent })).status).toBe(200);
      expect(server.stats.connections).toBe(expected);
    }
  });

  test('only a hint: the connection stays open past it', async () => {
    const server = await start({ authenticate: false, faults: { keepAliveHint: 0 } });
    const agent = pinned(server);
    const first = await exchange(server.url, { agent });
    await sleep(150);
    const second = await exchange(server.url, { agent });
    expect(second.localPort).toBe(first.localPort);
  });

  test('not on a response that closes its connection', async () => {
    const server = await start({ faults: { keepAliveHint: 1, closeOnFirst401: true } });
    const closing = await exchange(server.url, { agent: pinned(server) });
    expect(closing.headers.connection).toBe('close');
    expect(closing.headers['keep-alive']).toBeUndefined();
    const asked = await exchange(server.url, { headers: { connection: 'close' } });
    expect(asked.headers.connection).toBe('close');
    expect(asked.headers['keep-alive']).toBeUndefined();
  });

  test.each([
    ['set before', (res: http.ServerResponse) => void res.setHeader('connection', 'close').writeHead(200).end('x')],
    ['in writeHead', (res: http.ServerResponse) => void res.writeHead(200, { Connection: 'close' }).end('x')],
    [
      'in writeHead, raw pairs',
      (res: http.ServerResponse) => void res.writeHead(200, ['Connection', 'close']).end('x'),
    ],
  ])('not on a handler’s response that closes its connection (%s)', async (_name, answer) => {
    const server = await start({
      authenticate: false,
      faults: { keepAliveHint: 1 },
      handler: (_req, res) => answer(res),
    });
    const r = await exchange(server.url);
    expect(r.headers.connection).toBe('close');
    expect(r.headers['keep-alive']).toBeUndefined();
  });

  test('composes with delayMs and a custom handler', async () => {
    const server = await start({ faults: { keepAliveHint: 1, delayMs: 30 }, handler: recording([]) });
    const agent = pinned(server);
    const t = Date.now();
    const { final } = await handshake(server.url, agent, alice);
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
    expect(final.status).toBe(200);
    expect(final.headers['keep-alive']).toBe('timeout=1');
  });
});

describe('closeIdleAfterMs', () => {
  test('a connection that never sends a request is closed, with nothing sent', async () => {
    const server = await start({ faults: { closeIdleAfterMs: 20 } });
    const c = await rawConnection(server.url);
    const after = await c.closed;
    expect(after).toBeGreaterThanOrEqual(15);
    expect(after).toBeLessThan(2000);
    expect(c.received().length).toBe(0);
  });

  test('closed after the response, without a Keep-Alive hint', async () => {
    const server = await start({ authenticate: false, faults: { closeIdleAfterMs: 20 } });
    const c = await rawConnection(server.url);
    c.socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    const text = c.received().toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: keep-alive\r\n/i);
    expect(text).not.toMatch(/\r\nKeep-Alive:/i);
  });

  test('a request in progress is never cut: a slow handler, a slow body, headers that trickle in', async () => {
    const server = await start({
      authenticate: false,
      faults: { closeIdleAfterMs: 100 },
      handler: async (req, res, ctx) => {
        if (req.url === '/slow') await sleep(300);
        res.end(`done ${ctx.body.length}`);
      },
    });
    const agent = pinned(server);
    expect((await exchange(`${server.url}/slow`, { agent })).body.toString()).toBe('done 0');

    const c = await rawConnection(server.url);
    c.socket.write('POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab');
    await sleep(250);
    c.socket.write('cd');
    for (const part of ['GET /trickle HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', '\r\n']) {
      await sleep(40);
      c.socket.write(part);
    }
    await c.closed;
    const text = c.received().toString();
    expect(text).toMatch(/done 4/);
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });

  test('the legs of a handshake run back to back and then the connection goes', async () => {
    const server = await start({ faults: { closeIdleAfterMs: 150, keepAliveHint: 1 } });
    const agent = pinned(server);
    const { final } = await handshake(server.url, agent, alice);
    expect(final.status).toBe(200);
    await sleep(400);
    const again = await exchange(server.url, { agent });
    expect(again.localPort).not.toBe(final.localPort);
    expect(again.status).toBe(401); // a new connection is not authenticated
    expect(server.stats.connections).toBe(2);
  });

  test('over HTTPS too', async () => {
    const server = await start({ https: true, authenticate: false, faults: { closeIdleAfterMs: 30 } });
    const agent = pinned(server);
    const first = await exchange(server.url, { agent });
    await sleep(300);
    const second = await exchange(server.url, { agent });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.localPort).not.toBe(first.localPort);
    expect(first.headers['keep-alive']).toBeUndefined();
  });

  test('over HTTPS, a connection that never starts its TLS handshake is closed too', async () => {
    const server = await start({ https: true, faults: { closeIdleAfterMs: 20 } });
    const c = await rawConnection(server.url);
    expect(await c.closed).toBeLessThan(2000);
    expect(c.received().length).toBe(0);
  });

  test('keepAliveTimeoutMs still sends its own hint beside it', async () => {
    const server = await start({ authenticate: false, keepAliveTimeoutMs: 3000, faults: { closeIdleAfterMs: 20 } });
    const c = await rawConnection(server.url);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await c.closed).toBeLessThan(2000);
    expect(c.received().toString()).toMatch(/\r\nKeep-Alive: timeout=3\r\n/i);
  });
});

describe('dropAfterExecute', () => {
  test('the authenticated POST is executed, then the connection drops with nothing sent', async () => {
    const seen: string[] = [];
    const server = await start({ handler: recording(seen), faults: { dropAfterExecute: 1 } });
    const { challenge, final } = await handshake(server.url, pinned(server), alice, {
      method: 'POST',
      body: 'order=1',
    });
    expect(challenge.status).toBe(401); // 401s are not executions
    expect(final.status).toBeUndefined();
    expect(final.error?.code).toMatch(/ECONNRESET|ECUT/);
    expect(seen).toEqual(['POST / order=1']);
    expect(server.stats).toMatchObject({ executed: 1, authenticated: 1 });
    // Only the first: the next one is answered.
    const next = await handshake(server.url, pinned(server), alice, { method: 'POST', body: 'order=2' });
    expect(next.final.status).toBe(200);
    expect(seen).toEqual(['POST / order=1', 'POST / order=2']);
    expect(server.stats.executed).toBe(2);
  });

  test('the first N requests without authentication; not one byte of their responses', async () => {
    const seen: string[] = [];
    const server = await start({ authenticate: false, handler: recording(seen), faults: { dropAfterExecute: 2 } });
    for (const path of ['/1', '/2']) {
      const c = await rawConnection(server.url);
      c.socket.write(`PUT ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc`);
      await c.closed;
      expect(c.received().length).toBe(0);
    }
    expect((await exchange(`${server.url}/3`)).status).toBe(200);
    expect(seen).toEqual(['PUT /1 abc', 'PUT /2 abc', 'GET /3 ']);
    expect(server.stats.executed).toBe(3);
  });

  test('the drop waits for the handler to end its response, even one written in parts', async () => {
    let ended = 0;
    const server = await start({
      authenticate: false,
      faults: { dropAfterExecute: 1, delayMs: 20 },
      handler: async (_req, res) => {
        res.writeHead(200, { 'content-length': '6' });
        res.write('abc');
        res.flushHeaders();
        await sleep(80);
        ended = Date.now();
        res.end('def');
      },
    });
    const c = await rawConnection(server.url);
    const t = Date.now();
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    expect(Date.now()).toBeGreaterThanOrEqual(ended);
    expect(ended - t).toBeGreaterThanOrEqual(90);
    expect(c.received().length).toBe(0);
  });

  test('a handler that fails is executed too: the connection drops instead of the 500', async () => {
    const server = await start({
      authenticate: false,
      faults: { dropAfterExecute: 1 },
      handler: () => {
        throw new Error('boom');
      },
    });
    const r = await exchange(server.url);
    expect(r.status).toBeUndefined();
    expect(r.error).toBeDefined();
    expect(server.stats.executed).toBe(1);
  });
});

describe('resetMidBody', () => {
  test.each([
    ['with Content-Length', false, 100],
    ['chunked', true, 100],
    ['a 1 MB body', false, 1 << 20],
  ])('the head and half of the body arrive, then the connection goes (%s)', async (_name, chunked, size) => {
    const body = 'y'.repeat(size);
    const server = await start({
      authenticate: false,
      handler: recording([], body, chunked),
      faults: { resetMidBody: 1 },
    });
    const cut = await exchange(server.url);
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.error).toBeDefined();
    expect(cut.body.length).toBe(Math.floor(size / 2));
    if (!chunked) expect(cut.headers['content-length']).toBe(String(size));
    const whole = await exchange(server.url);
    expect(whole.complete).toBe(true);
    expect(whole.body.length).toBe(size);
    expect(server.stats.executed).toBe(2);
  });

  test('after an NTLM handshake, over HTTPS', async () => {
    const server = await start({ https: true, faults: { resetMidBody: 1 } });
    const { final } = await handshake(server.url, pinned(server), alice, { method: 'POST', body: 'x' });
    expect(final.status).toBe(200);
    expect(final.complete).toBe(false);
    const length = Number(final.headers['content-length']);
    expect(final.body.length).toBe(Math.floor(length / 2));
    expect(final.body.toString().startsWith('{"method":"POST"')).toBe(true);
  });

  test('a one-byte body: the head only', async () => {
    const server = await start({ authenticate: false, handler: recording([], 'z'), faults: { resetMidBody: 1 } });
    const c = await rawConnection(server.url);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    const text = c.received().toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 1\r\n[^]*\r\n\r\n$/i);
  });

  test('nothing to cut in a HEAD response: sent whole, then the connection goes', async () => {
    const server = await start({ authenticate: false, faults: { resetMidBody: 1 } });
    const c = await rawConnection(server.url);
    c.socket.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.closed;
    expect(c.received().toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
  });

  test('dropAfterExecute wins where both apply; then resetMidBody; then whole responses', async () => {
    const server = await start({ authenticate: false, faults: { dropAfterExecute: 1, resetMidBody: 2 } });
    const [first, second, third] = [await exchange(server.url), await exchange(server.url), await exchange(server.url)];
    expect(first.status).toBeUndefined();
    expect(second).toMatchObject({ status: 200, complete: false });
    expect(second.body.length).toBeGreaterThan(0);
    expect(third).toMatchObject({ status: 200, complete: true });
  });
});

describe('stats.executed and the fault counts', () => {
  test('counts handler runs only; resetStats zeroes it; the fault counts run over the server’s life', async () => {
    const server = await start({ faults: { dropAfterExecute: 1 } });
    const agent = pinned(server);
    await exchange(server.url, { agent });
    expect(server.stats).toMatchObject({ requests: 1, executed: 0 });
    await handshake(server.url, agent, alice); // executed and dropped
    expect(server.stats.executed).toBe(1);
    server.resetStats();
    expect(server.stats.executed).toBe(0);
    const { final } = await handshake(server.url, pinned(server), alice);
    expect(final.status).toBe(200); // not dropped again
    expect(server.stats.executed).toBe(1);
  });

  test.each([-1, 1.5, Number.NaN, '3', Infinity])('a count of %p is refused with a typed error', (value) => {
    for (const name of ['delayMs', 'keepAliveHint', 'closeIdleAfterMs', 'dropAfterExecute', 'resetMidBody']) {
      let caught: unknown;
      try {
        createNtlmServer({ faults: { [name]: value } });
      } catch (error) {
        caught = error;
      }
      expect(isNtlmError(caught) && caught.code === 'ERR_NTLM_INVALID_ARGUMENT' && caught.message.includes(name)).toBe(
        true,
      );
    }
  });
});
