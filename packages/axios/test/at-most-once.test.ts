// Issue 13 §6 and §7 for axios: a request is executed at most once, and an abort (`signal`, `timeout`,
// `cancelToken`, `ntlm.destroy()`) is immediate and final: nothing is sent for the request afterwards.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import axios, { AxiosError } from 'axios';
import { defaultHandler } from '@ntlmkit/server';
import { NtlmError } from '../src/index';
import { READINGS, alice, client, rejection, server, sleep } from './helpers';

/** The request lines a server saw for `path`, 401 legs included. */
function linesFor(s: import('node:http').Server, path: string): string[] {
  const seen: string[] = [];
  s.on('request', (req: IncomingMessage) => {
    if (req.url === path)
      seen.push(
        `${req.method} ${req.headers.authorization?.split(' ')[0] ?? '-'} ${req.headers['content-length'] ?? ''}`.trim(),
      );
  });
  return seen;
}

const elapsed = async (p: Promise<unknown>) => {
  const start = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: Date.now() - start, error: error as AxiosError };
};

describe.each(READINGS)('server reading: $name', ({ options: reading }) => {
  describe('no replay of a request that may have been processed', () => {
    test('the connection drops after the AUTHENTICATE carrying a POST body: not sent again', async () => {
      const s = await server({ faults: { dropAfterExecute: 1 }, ...reading });
      const e = await rejection(client({ credentials: alice, preemptive: true }).post(s.url, { order: 1 }));
      expect(e).toBeInstanceOf(AxiosError);
      expect(e.code).toBe('ERR_NTLM_MAY_HAVE_BEEN_PROCESSED');
      expect(e.cause).toBeInstanceOf(NtlmError);
      expect(s.stats.executed).toBe(1);
    });

    test('the same on an authenticated connection, for a POST of a stream', async () => {
      // The application runs every request; for a POST the connection then drops without an answer.
      const s = await server({
        ...reading,
        handler: (req, res, context) =>
          req.method === 'POST' ? void res.socket?.destroy() : defaultHandler(req, res, context),
      });
      const api = client({ credentials: alice });
      await api.get(s.url);
      s.resetStats();
      const e = await rejection(api.post(s.url, Readable.from([Buffer.from('abc')])));
      expect(e.code).toBe('ERR_NTLM_MAY_HAVE_BEEN_PROCESSED');
      expect(s.stats.executed).toBe(1);
      expect(s.stats.bodyBytes).toBe(3);
    });

    test.each(['post', 'put'] as const)(
      'a %s whose bodiless NEGOTIATE leg the server answers without NTLM is not sent again',
      async (method) => {
        const s = await server({ authenticate: false, ...reading });
        const e = await rejection(client({ credentials: alice, preemptive: true })[method](s.url, { once: 1 }));
        expect(e.code).toBe('ERR_NTLM_MAY_HAVE_BEEN_PROCESSED');
        expect(s.stats.executed).toBe(1);
      },
    );

    test('an idempotent request gets its one fresh attempt', async () => {
      const s = await server({ faults: { dropAfterExecute: 1 }, ...reading });
      const r = await client({ credentials: alice, preemptive: true }).get(s.url);
      expect(r.data.user).toBe('EXAMPLE\\alice');
      expect(s.stats.executed).toBe(2);
    });

    test.each(['get', 'post'] as const)('a response that had started (%s) is never replayed', async (method) => {
      const s = await server({ faults: { resetMidBody: 1 }, ...reading });
      const api = client({ credentials: alice, preemptive: true });
      const e = await api[method](s.url, method === 'post' ? { a: 1 } : undefined).catch((x: AxiosError) => x);
      expect(e).toBeInstanceOf(AxiosError);
      expect(s.stats.executed).toBe(1);
      expect((await api[method](s.url, method === 'post' ? { a: 1 } : undefined)).status).toBe(200);
      expect(s.stats.executed).toBe(2);
    });
  });

  describe('aborts are immediate', () => {
    // How the wait ends: with the request's timeout, or its signal.
    const ends = {
      timeout: () => ({ config: { timeout: 300 }, code: 'ECONNABORTED', message: 'timeout of 300ms exceeded' }),
      signal: () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 300);
        return { config: { signal: controller.signal }, code: 'ERR_CANCELED', message: 'canceled' };
      },
    };
    test.each(['timeout', 'signal'] as const)(
      'a request waiting for the pinned connection: its %s rejects at once, nothing is sent for it',
      async (how) => {
        const s = await server({ faults: { delayMs: 700 }, ...reading });
        const waiting = linesFor(s, '/waiting');
        const api = client({ credentials: alice, connections: 1, preemptive: true });
        const first = api.get(`${s.url}/first`);
        await sleep(50);
        const end = ends[how]();
        const { ms, error } = await elapsed(api.get(`${s.url}/waiting`, end.config));
        expect(error).toMatchObject({ code: end.code, message: end.message });
        expect(axios.isCancel(error)).toBe(how === 'signal');
        expect(ms).toBeLessThan(700);
        await first;
        await sleep(100);
        expect(waiting).toEqual([]);
      },
    );

    test('an aborted POST in the middle of its handshake: nothing more is sent, not even the AUTHENTICATE', async () => {
      const s = await server({ faults: { delayMs: 400 }, ...reading });
      const lines = linesFor(s, '/post');
      const api = client({ credentials: alice, preemptive: true });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const { ms, error } = await elapsed(api.post(`${s.url}/post`, { a: 1 }, { signal: controller.signal }));
      expect(error.code).toBe('ERR_CANCELED');
      expect(ms).toBeLessThan(300);
      await sleep(900);
      // The NEGOTIATE (without the body) had gone; nothing after it.
      expect(lines).toEqual(['POST NTLM 0']);
      expect(s.stats.executed).toBe(0);
    });

    test('a cancelToken works the same way', async () => {
      const s = await server({ faults: { delayMs: 700 }, ...reading });
      const api = client({ credentials: alice, connections: 1, preemptive: true });
      const first = api.get(`${s.url}/first`);
      const source = axios.CancelToken.source();
      setTimeout(() => source.cancel('stop'), 200);
      const { ms, error } = await elapsed(api.get(`${s.url}/waiting`, { cancelToken: source.token }));
      expect(axios.isCancel(error)).toBe(true);
      expect(error.message).toBe('stop');
      expect(ms).toBeLessThan(600);
      await first;
    });

    test('a timeout bounds the wait, the handshake and the head; a slow body is axios inactivity timeout', async () => {
      const s = await server({
        ...reading,
        handler: async (_req, res) => {
          res.write('a');
          for (let i = 0; i < 6; i++) {
            await sleep(100);
            res.write('b');
          }
          res.end();
        },
      });
      const r = await client({ credentials: alice }).get(s.url, { timeout: 400, responseType: 'text' });
      expect(r.data).toBe('abbbbbb');
    });
  });
});

describe('destroy() and close()', () => {
  test('destroy(): every connection closes at once; requests in flight and waiting reject at once', async () => {
    const s = await server({ faults: { delayMs: 1000 } });
    const open = new Set<import('node:net').Socket>();
    s.on('connection', (socket: import('node:net').Socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    });
    const api = client({ credentials: alice, connections: 4, preemptive: true });
    const requests = Array.from({ length: 6 }, (_, i) => elapsed(api.get(`${s.url}/${i}`)));
    await sleep(100);
    expect(open.size).toBe(4);
    api.ntlm.destroy();
    expect(api.ntlm.connectionCount()).toBe(0);
    const results = await Promise.all(requests);
    for (const { ms, error } of results) {
      expect(error.code).toBe('ERR_NTLM_CONNECTION_CLOSED');
      expect(ms).toBeLessThan(400);
    }
    await sleep(50);
    expect(open.size).toBe(0);
    // The instance stays usable.
    expect((await api.get(s.url)).data.user).toBe('EXAMPLE\\alice');
  });

  test('close(): the requests in flight finish, then every idle connection closes', async () => {
    const s = await server({ faults: { delayMs: 200 } });
    const api = client({ credentials: alice, connections: 4 });
    const requests = Array.from({ length: 4 }, () => api.get(s.url));
    await sleep(20);
    await api.ntlm.close();
    expect((await Promise.all(requests)).every((r) => r.status === 200)).toBe(true);
    expect(api.ntlm.connectionCount()).toBe(0);
  });
});
