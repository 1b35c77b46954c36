import https from 'node:https';
import { Readable } from 'node:stream';
import axios, { AxiosError } from 'axios';
import { createNtlmServer, type NtlmServer, type NtlmServerOptions, type OutcomeEvent } from '@ntlmkit/server';
import { decodeToken } from '@ntlmkit/core';
import { createNtlmAxios, withNtlm, NtlmError, type NtlmAxiosInstance } from '../src/index';
import { SERVER_READINGS, type ServerReading } from '../../../test/support/readings';

const users = { 'EXAMPLE\\alice': 'Passw0rd!', 'EXAMPLE\\bob': 'Pässwörd€1' };
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const bob = { username: 'EXAMPLE\\bob', password: 'Pässwörd€1' };
const cleanup: (() => unknown)[] = [];
let reading: ServerReading['options'] = SERVER_READINGS[0]!.options;

async function server(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users, ...reading, ...options });
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}
function client(config: Parameters<typeof createNtlmAxios>[0]): NtlmAxiosInstance {
  const c = createNtlmAxios(config);
  cleanup.push(() => c.ntlm.destroy());
  return c;
}
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
const outcome = (r: { headers: Record<string, unknown> }) => JSON.parse(String(r.headers['x-ntlm-outcome']));

// Against both readings of MS-NLMP's session-key rule, the strict one (the server's default) and the lenient one
// of gss-ntlmssp and Samba, each also with a CHALLENGE that grants KEY_EXCH without SIGN or SEAL.
describe.each(SERVER_READINGS)('server reading: $name', (r) => {
  beforeAll(() => {
    reading = r.options;
  });

  describe('createNtlmAxios', () => {
    test('authenticates once, reuses the socket, keeps baseURL and headers', async () => {
      const s = await server();
      const api = client({ credentials: alice, baseURL: `${s.url}/api`, headers: { 'x-app': 'demo' } });
      const r = await api.get('/items', { params: { q: 1 } });
      expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', path: '/api/items?q=1' });
      expect(outcome(r)).toMatchObject({ dialect: 'NTLMv2', mic: true, spn: 'HTTP/127.0.0.1' });
      await api.get('/again');
      expect(s.stats).toMatchObject({ handshakes: 1, connections: 1, requests: 4 });
    });

    test('round trips: 3 / 2 / 1', async () => {
      const s = await server();
      const api = client({ credentials: alice });
      await api.get(s.url);
      expect(s.stats.requests).toBe(3);
      s.resetStats();
      await api.get(s.url);
      expect(s.stats.requests).toBe(1);
      s.resetStats();
      await Promise.all([api.get(s.url), api.get(s.url)]);
      expect(s.stats.requests).toBe(3);
    });

    test.each(['NTLM', 'Negotiate', 'both-joined'] as const)('server offering %s', async (schemes) => {
      const s = await server({ schemes });
      expect((await client({ credentials: alice }).get(s.url)).data.user).toBe('EXAMPLE\\alice');
    });

    test('HTTPS with tokenChecking require; the caller httpsAgent CA is honoured', async () => {
      const s = await server({ https: true, tokenChecking: 'require' });
      const api = client({ credentials: alice, httpsAgent: new https.Agent({ ca: s.certificate }) });
      const r = await api.get(s.url.replace('127.0.0.1', 'localhost'));
      expect(outcome(r)).toMatchObject({ ok: true, channelBinding: 'present', spn: 'HTTP/localhost' });
      // Without the CA the certificate is refused: TLS verification stays on.
      const strict = client({ credentials: alice });
      await expect(strict.get(s.url)).rejects.toThrow(/self.signed|certificate/i);
    });

    test('50 concurrent requests on at most `connections` sockets, each authenticated once', async () => {
      const s = await server({ faults: { delayMs: 5 } });
      const api = client({ credentials: alice, connections: 8 });
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api.get(`${s.url}/${i}`)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(s.stats.connections).toBeLessThanOrEqual(8);
      expect(s.stats.handshakes).toBeLessThanOrEqual(8);
      expect(s.stats.handshakes).toBeGreaterThan(1);
    });

    test('two users in parallel never share a socket', async () => {
      const s = await server();
      const a = client({ credentials: alice, connections: 4 });
      const b = client({ credentials: bob, connections: 4 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).get(s.url).then((r) => [i % 2, r.data.user])),
      );
      for (const [who, user] of results) expect(user).toBe(who ? 'EXAMPLE\\bob' : 'EXAMPLE\\alice');
    });
  });

  describe('bodies', () => {
    const big = Buffer.alloc(300_000, 3);
    test.each([
      ['buffer', () => big, big.length],
      ['string', () => 'x'.repeat(1000), 1000],
      ['plain object (JSON)', () => ({ a: 1, b: 'two' }), 17],
      ['URLSearchParams', () => new URLSearchParams({ a: '1', b: '2' }), 7],
    ])('%s to a known origin is sent once', async (_name, make, size) => {
      const s = await server();
      const api = client({ credentials: alice, preemptive: true });
      const r = await api.post(s.url, make());
      expect(r.data.bodyLength).toBe(size);
      expect(s.stats.bodyBytes).toBe(size);
    });

    test('FormData replays (first request to an unknown origin) and arrives whole', async () => {
      const s = await server();
      const form = new FormData();
      form.append('field', 'value');
      form.append('file', new Blob([Buffer.alloc(1000, 1)]), 'a.bin');
      const r = await client({ credentials: alice }).post(s.url, form);
      expect(r.data.bodyLength).toBeGreaterThan(1000);
    });

    test('a stream to a known origin: sent once, intact', async () => {
      const s = await server();
      const api = client({ credentials: alice });
      await api.get(s.url);
      s.resetStats();
      const r = await api.post(s.url, Readable.from([big.subarray(0, 5), big.subarray(5)]), {
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(r.data.bodyLength).toBe(big.length);
      expect(s.stats.bodyBytes).toBe(big.length);
    });

    test('a big stream to an unknown origin: a clear error with NtlmError as cause, then it works', async () => {
      const s = await server();
      const api = client({ credentials: alice, maxReplayBytes: 1000 });
      const error = await api.post(s.url, Readable.from([big])).catch((e) => e);
      expect(error).toBeInstanceOf(AxiosError);
      expect(error.code).toBe('ERR_NTLM_BODY_NOT_REPLAYABLE');
      expect(error.cause).toBeInstanceOf(NtlmError);
      const r = await api.post(s.url, Readable.from([big]));
      expect(r.data.bodyLength).toBe(big.length);
    });
  });

  describe('axios features', () => {
    test('validateStatus: a refused AUTHENTICATE returns the 401 once (validateStatus lets it through) or rejects', async () => {
      const s = await server();
      const wrong = client({ credentials: { ...alice, password: 'nope' } });
      const r = await wrong.get(s.url, { validateStatus: () => true });
      expect(r.status).toBe(401);
      expect(s.stats.handshakes).toBe(1);
      await expect(wrong.get(s.url)).rejects.toMatchObject({ response: { status: 401 } });
    });

    test('throwOnAuthFailure: AxiosError with NtlmError as cause', async () => {
      const s = await server();
      const e = await client({ credentials: { ...alice, password: 'nope' }, throwOnAuthFailure: true })
        .get(s.url)
        .catch((x) => x);
      expect(e.code).toBe('ERR_NTLM_AUTH_FAILED');
      expect(e.cause).toMatchObject({ name: 'NtlmError' });
    });

    test('redirects: same origin keeps credentials; a cross-origin target gets none', async () => {
      const target = await server();
      const events: OutcomeEvent[] = [];
      target.on('ntlm', (e) => events.push(e));
      const s = await server({
        handler: (req, res) => {
          if (req.url === '/same') res.writeHead(302, { location: '/landed' }).end();
          else if (req.url === '/away') res.writeHead(302, { location: `${target.url}/x` }).end();
          else res.end(JSON.stringify({ path: req.url }));
        },
      });
      const api = client({ credentials: alice });
      expect((await api.get(`${s.url}/same`)).data).toEqual({ path: '/landed' });
      const away = await api.get(`${s.url}/away`, { validateStatus: () => true });
      expect(away.status).toBe(401);
      expect(events).toHaveLength(0);
      expect(target.stats.handshakes).toBe(0);
      // With the target listed in `origins`, it is allowed.
      const both = client({ credentials: alice, origins: [s.url, target.url] });
      expect((await both.get(`${s.url}/away`)).status).toBe(200);
      await expect(api.get(`${s.url}/same`, { maxRedirects: 0 })).rejects.toMatchObject({ response: { status: 302 } });
    });

    test('timeout and abort free the socket and leave no half-done handshake', async () => {
      const s = await server({ faults: { delayMs: 300 } });
      const api = client({ credentials: alice, connections: 1 });
      await expect(api.get(s.url, { timeout: 100 })).rejects.toMatchObject({ code: 'ECONNABORTED' });
      const controller = new AbortController();
      const pending = api.get(s.url, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await expect(pending).rejects.toMatchObject({ code: 'ERR_CANCELED' });
      const r = await api.get(s.url);
      expect(r.data.user).toBe('EXAMPLE\\alice');
    });

    test("responseType 'stream'", async () => {
      const s = await server({
        handler: (_req, res) => {
          res.write('a'.repeat(100_000));
          res.end('END');
        },
      });
      const api = client({ credentials: alice, connections: 1 });
      const r = await api.get(s.url, { responseType: 'stream' });
      let text = '';
      for await (const chunk of r.data) text += chunk;
      expect(text.length).toBe(100_003);
      expect((await api.get(s.url, { responseType: 'text' })).data.endsWith('END')).toBe(true);
    });

    test('withNtlm keeps the caller interceptors', async () => {
      const s = await server({ handler: (req, res) => void res.end(String(req.headers['x-trace'])) });
      const instance = axios.create({ baseURL: s.url });
      instance.interceptors.request.use((c) => {
        c.headers.set('x-trace', 'abc');
        return c;
      });
      const seen: number[] = [];
      instance.interceptors.response.use((r) => {
        seen.push(r.status);
        return r;
      });
      withNtlm(instance, { credentials: alice });
      cleanup.push(() => (instance as NtlmAxiosInstance).ntlm.destroy());
      expect((await instance.get('/')).data).toBe('abc');
      expect(seen).toEqual([200]);
    });

    test('a fetch adapter is refused clearly', async () => {
      const s = await server();
      expect(() => withNtlm(axios.create({ adapter: 'fetch' }), { credentials: alice })).toThrow(/http adapter/);
      const api = client({ credentials: alice });
      await expect(api.get(s.url, { adapter: 'fetch' })).rejects.toMatchObject({
        code: 'ERR_NTLM_UNSUPPORTED_ADAPTER',
      });
    });
  });

  describe('faults', () => {
    test('Connection: close on the first 401', async () => {
      const s = await server({ faults: { closeOnFirst401: true } });
      expect((await client({ credentials: alice }).get(s.url)).status).toBe(200);
    });

    test('closed after every CHALLENGE: one fresh attempt, then ERR_NTLM_CONNECTION_CLOSED', async () => {
      const s = await server({ faults: { closeAfterChallenge: true } });
      const e = await client({ credentials: alice, preemptive: true })
        .get(s.url)
        .catch((x) => x);
      expect(e.code).toBe('ERR_NTLM_CONNECTION_CLOSED');
      expect(s.stats.handshakes).toBe(2);
    });

    test('a 401 loop: the 401, once', async () => {
      const s = await server({ faults: { alwaysRefuse: true } });
      const r = await client({ credentials: alice }).get(s.url, { validateStatus: () => true });
      expect(r.status).toBe(401);
      expect(s.stats.requests).toBe(3);
    });

    test('idle sockets close before the server would drop them', async () => {
      const s = await server({ keepAliveTimeoutMs: 5000 });
      const api = client({ credentials: alice, freeSocketTimeout: 100 });
      await api.get(s.url);
      await new Promise((r) => setTimeout(r, 300));
      expect(api.ntlm.connectionCount()).toBe(0);
      expect((await api.get(s.url)).status).toBe(200);
      expect(s.stats.handshakes).toBe(2);
    });

    test('no secrets in debug output or errors', async () => {
      const s = await server();
      const lines: string[] = [];
      const e = await client({
        credentials: { ...alice, password: 'S3cret!' },
        throwOnAuthFailure: true,
        debug: (m) => lines.push(m),
      })
        .get(s.url)
        .catch((x) => x);
      const text = `${lines.join('\n')}\n${e.message}\n${e.stack}\n${JSON.stringify(e.toJSON?.())}`;
      expect(text).not.toContain('S3cret!');
      expect(text).not.toMatch(/TlRMTVNT/);
    });
  });

  describe('the config the caller sees', () => {
    test('responses and errors carry the caller config as it was (no leg settings left on it)', async () => {
      const s = await server();
      const agent = new https.Agent();
      const validateStatus = (status: number) => status < 300;
      const api = client({ credentials: alice, httpsAgent: agent, validateStatus });
      const r = await api.post(s.url, { a: 1 }, { maxRedirects: 3 });
      expect(r.config).toMatchObject({ httpsAgent: agent, validateStatus, maxRedirects: 3, data: '{"a":1}' });
      expect(r.config.httpAgent).toBeUndefined();
      expect(r.config.cancelToken).toBeUndefined();
      expect(r.config.proxy).toBeUndefined();
      const e = await api.get(s.url, { ntlm: { credentials: { ...alice, password: 'wrong' } } }).catch((x) => x);
      expect(e.config).toMatchObject({ httpsAgent: agent, validateStatus });
      expect(e.config.cancelToken).toBeUndefined();
    });
  });

  test('workstation: none by default (axios-ntlm sends the host name); credentials.workstation when given', async () => {
    const s = await server();
    const sent: string[] = [];
    s.on('request', (req: import('node:http').IncomingMessage) => {
      const auth = req.headers.authorization;
      if (!auth) return;
      const decoded = decodeToken(auth);
      if (decoded.type === 3) sent.push(decoded.fields.find(([name]) => name === 'workstation')?.[1] ?? '?');
    });
    await client({ credentials: alice }).get(s.url);
    await client({ credentials: { ...alice, workstation: 'WS-0042' } }).get(s.url);
    expect(sent).toEqual(['', 'WS-0042']);
  });
});

test("a caller's Connection: close does not close the connection between NEGOTIATE and AUTHENTICATE", async () => {
  const s = await server();
  const api = client({ credentials: alice });
  for (const method of ['get', 'head', 'post'] as const) {
    const r = await api.request({
      url: s.url,
      method,
      headers: { Connection: 'close' },
      ...(method === 'post' ? { data: { a: 1 } } : {}),
    });
    expect(r.status).toBe(200);
  }
  expect(s.stats.failures).toBe(0);
});
