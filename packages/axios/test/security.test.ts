// Issue 13 for axios: credentials only where they are meant to go, fixed when the client is made, no
// secret in any printed object, only typed errors from the public API.
import https from 'node:https';
import { inspect } from 'node:util';
import axios, { AxiosError } from 'axios';
import { createSelfSignedCertificate, type OutcomeEvent } from '@ntlmkit/server';
import { ntowfv1, toBase64, toHex } from '@ntlmkit/core';
import { createNtlmAxios, withNtlm, NtlmError, type NtlmAxiosInstance } from '../src/index';
import { READINGS, after, alice, bob, client, outcome, proxy, proxyUser, rejection, server } from './helpers';

/** Every request line a server saw, 401 legs included. */
function requestsOf(s: import('node:http').Server): string[] {
  const seen: string[] = [];
  s.on('request', (req: import('node:http').IncomingMessage) =>
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ? 'auth' : ''}`.trim()),
  );
  return seen;
}

describe.each(READINGS)('server reading: $name', ({ options: reading }) => {
  describe('a path that starts with // never names another host', () => {
    test('directly: the request and its SPN stay with the origin', async () => {
      const a = await server({ ...reading });
      const b = await server({ ...reading });
      const seenByB = requestsOf(b);
      const origin = a.url.replace('127.0.0.1', 'localhost');
      const bHost = new URL(b.url).host;
      const r = await client({ credentials: alice }).get(`${origin}//${bHost}/x`);
      expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', path: `//${bHost}/x` });
      expect(outcome(r)).toMatchObject({ ok: true, spn: 'HTTP/localhost' });
      expect(seenByB).toEqual([]);
    });

    test('a protocol-relative url with a baseURL: what axios does without NTLM, and never with credentials', async () => {
      const a = await server({ ...reading });
      const b = await server({ ...reading });
      const seenByB = requestsOf(b);
      const api = client({ credentials: alice, baseURL: a.url });
      const plain = axios.create({ baseURL: a.url });
      const bHost = new URL(b.url).host;
      // axios 1.8 and later refuse it (Invalid URL); older versions send it to that host.
      const outcomeOf = (p: Promise<{ status: number }>) =>
        p.then(
          (r) => r.status,
          (e: Error) => e.message,
        );
      expect(await outcomeOf(api.get(`//${bHost}/x`, { validateStatus: () => true }))).toEqual(
        await outcomeOf(plain.get(`//${bHost}/x`, { validateStatus: () => true })),
      );
      expect(seenByB.every((line) => !line.endsWith('auth'))).toBe(true);
      expect(b.stats.handshakes).toBe(0);
      // With allowAbsoluteUrls: false (axios 1.8 and later) it is a path of the base URL.
      if (Number(axios.VERSION.split('.')[1]) >= 8) {
        const r = await api.get(`//${bHost}/x`, { allowAbsoluteUrls: false });
        expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', path: `/${bHost}/x` });
      }
    });

    test('through a forward proxy: the absolute URI is the origin and the path as given', async () => {
      const p = await proxy({ ...reading });
      const a = await server({ ...reading });
      const b = await server({ ...reading });
      const seenByB = requestsOf(b);
      const targets: string[] = [];
      p.on('request', (req: import('node:http').IncomingMessage) => targets.push(req.url ?? ''));
      const api = client({ credentials: alice, ntlmProxy: { uri: p.url, credentials: proxyUser, fromEnv: false } });
      const origin = a.url.replace('127.0.0.1', 'localhost');
      const bHost = new URL(b.url).host;
      const r = await api.get(`${origin}//${bHost}/x`);
      expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', path: `//${bHost}/x` });
      expect(outcome(r)).toMatchObject({ ok: true, spn: 'HTTP/localhost' });
      expect(seenByB).toEqual([]);
      expect(targets.length).toBeGreaterThan(0);
      expect(targets.every((t) => t === `${origin}//${bHost}/x`)).toBe(true);
    });
  });

  describe('TLS identity inside a CONNECT tunnel is checked as on a direct connection', () => {
    test('an IP-literal origin is checked against its IP SAN', async () => {
      const p = await proxy({ ...reading });
      const s = await server({ https: true, tokenChecking: 'require', ...reading });
      const api = client({
        credentials: alice,
        ntlmProxy: { uri: p.url, credentials: proxyUser, fromEnv: false },
        httpsAgent: new https.Agent({ ca: s.certificate }),
      });
      const r = await api.get(`${s.url}/ip`);
      expect(r.data.user).toBe('EXAMPLE\\alice');
      expect(outcome(r)).toMatchObject({ ok: true, channelBinding: 'present' });
    });

    test('a certificate for localhost only: accepted for https://localhost, refused for https://127.0.0.1', async () => {
      const cert = createSelfSignedCertificate({ altNames: ['localhost'] });
      const p = await proxy({ ...reading });
      const s = await server({ https: { cert: cert.cert, key: cert.key }, ...reading });
      const api = client({
        credentials: alice,
        ntlmProxy: { uri: p.url, credentials: proxyUser, fromEnv: false },
        httpsAgent: new https.Agent({ ca: cert.cert }),
      });
      expect((await api.get(s.url.replace('127.0.0.1', 'localhost'))).data.user).toBe('EXAMPLE\\alice');
      await expect(api.get(s.url)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      // A direct connection says the same.
      const direct = client({ credentials: alice, httpsAgent: new https.Agent({ ca: cert.cert }) });
      await expect(direct.get(s.url)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    });
  });

  describe('redirects: credentials only to the origin of the call and to `origins`', () => {
    async function scene() {
      const target = await server({ ...reading });
      const events: OutcomeEvent[] = [];
      target.on('ntlm', (e) => events.push(e));
      const seen = requestsOf(target);
      const start = await server({
        https: true,
        ...reading,
        handler: (req, res) => {
          if (req.url === '/to-http') res.writeHead(302, { location: `${target.url}/landed` }).end();
          else if (req.url === '/to-same-host-http')
            res.writeHead(307, { location: `${target.url.replace('127.0.0.1', 'localhost')}/x` }).end();
          else res.end(JSON.stringify({ path: req.url }));
        },
      });
      return { target, start, events, seen };
    }

    test('https → http: no credentials, not even a NEGOTIATE; the 401 comes back', async () => {
      const { target, start, events, seen } = await scene();
      const api = client({ credentials: alice, httpsAgent: new https.Agent({ ca: start.certificate }) });
      const r = await api.get(`${start.url}/to-http`, { validateStatus: () => true });
      expect(r.status).toBe(401);
      expect(events).toEqual([]);
      expect(seen).toEqual(['GET /landed']);
      expect(target.stats.handshakes).toBe(0);
    });

    test('https → http listed in `origins` (with the origin of the call): authenticated', async () => {
      const { target, start } = await scene();
      const api = client({
        credentials: alice,
        origins: [start.url, target.url],
        httpsAgent: new https.Agent({ ca: start.certificate }),
      });
      const r = await api.get(`${start.url}/to-http`);
      expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', path: '/landed' });
    });

    test('with `origins`, an origin not listed gets nothing, even the one of the call', async () => {
      const { target, start, events } = await scene();
      const api = client({
        credentials: alice,
        origins: [start.url],
        httpsAgent: new https.Agent({ ca: start.certificate }),
      });
      await expect(api.get(`${start.url}/to-http`)).rejects.toMatchObject({ response: { status: 401 } });
      const direct = await api.get(`${target.url}/direct`, { validateStatus: () => true });
      expect(direct.status).toBe(401);
      expect(events).toEqual([]);
    });
  });
});

describe("the caller's own credentials and axios's redirect options", () => {
  /** A plain HTTP server (no NTLM) that records the Authorization, Cookie and X-Secret headers it gets. */
  async function recorder() {
    const seen: Record<string, string | undefined>[] = [];
    const s = await server({
      authenticate: false,
      handler: (req, res) => {
        const { authorization, cookie } = req.headers;
        seen.push({ path: req.url, authorization, cookie, secret: req.headers['x-secret'] as string | undefined });
        res.end('{}');
      },
    });
    return { s, seen };
  }
  async function redirecting(to: string, status = 302) {
    const seen: (string | undefined)[] = [];
    const s = await server({
      authenticate: false,
      handler: (req, res) => {
        seen.push(req.headers.authorization);
        if (req.url === '/start') res.writeHead(status, { location: `${to}/landed` }).end();
        else res.end('{}');
      },
    });
    return { s, seen };
  }
  const basic = { username: 'bob', password: 'BasicSecret' };
  const basicHeader = `Basic ${Buffer.from('bob:BasicSecret').toString('base64')}`;

  test('Basic `auth` goes to the origin of the call, never to a redirect target on another origin', async () => {
    const target = await recorder();
    const start = await redirecting(target.s.url.replace('127.0.0.1', 'localhost'));
    const api = client({ credentials: alice });
    await api.get(`${start.s.url}/start`, { auth: basic, headers: { Cookie: 'a=1', 'X-Secret': 's' } });
    expect(start.seen).toEqual([basicHeader]);
    expect(target.seen).toEqual([{ path: '/landed', authorization: undefined, cookie: undefined, secret: 's' }]);
    // axios without NTLM does the same.
    target.seen.length = 0;
    await axios.get(`${start.s.url}/start`, { auth: basic });
    expect(target.seen[0]?.authorization).toBeUndefined();
  });

  test('Basic `auth` is kept on a redirect within the origin', async () => {
    const seen: (string | undefined)[][] = [];
    const same = await server({
      authenticate: false,
      handler: (req, res) => {
        seen.push([req.url, req.headers.authorization]);
        if (req.url === '/start') res.writeHead(307, { location: '/landed' }).end();
        else res.end('{}');
      },
    });
    await client({ credentials: alice }).get(`${same.url}/start`, { auth: basic });
    expect(seen).toEqual([
      ['/start', basicHeader],
      ['/landed', basicHeader],
    ]);
  });

  test('`sensitiveHeaders` are dropped on a redirect to another origin; a value axios refuses is refused', async () => {
    const target = await recorder();
    const start = await redirecting(target.s.url.replace('127.0.0.1', 'localhost'));
    const api = client({ credentials: alice });
    await api.get(`${start.s.url}/start`, {
      headers: { 'X-Secret': 's' },
      sensitiveHeaders: ['x-SECRET'],
    } as never);
    expect(target.seen).toEqual([{ path: '/landed', authorization: undefined, cookie: undefined, secret: undefined }]);
    const e = await rejection(api.get(`${start.s.url}/start`, { sensitiveHeaders: 'x-secret' } as never));
    expect(e).toMatchObject({ code: 'ERR_BAD_OPTION_VALUE' });
  });

  test('`beforeRedirect` is called before each redirect; a throw stops it, as in axios', async () => {
    const target = await recorder();
    const start = await redirecting(target.s.url.replace('127.0.0.1', 'localhost'), 303);
    const api = client({ credentials: alice });
    const calls: unknown[][] = [];
    const veto = (...args: unknown[]) => {
      calls.push(args);
      throw new Error('redirect vetoed');
    };
    const e = await rejection(
      api.post(`${start.s.url}/start`, 'x', { beforeRedirect: veto, headers: { Cookie: 'a=1' } }),
    );
    expect(e).toBeInstanceOf(AxiosError);
    expect(e).toMatchObject({
      code: 'ERR_FR_REDIRECTION_FAILURE',
      message: 'Redirected request failed: redirect vetoed',
    });
    expect(target.seen).toEqual([]);
    const landed = new URL(`${target.s.url.replace('127.0.0.1', 'localhost')}/landed`);
    expect(calls).toEqual([
      [
        expect.objectContaining({
          href: landed.href,
          protocol: 'http:',
          hostname: 'localhost',
          port: Number(landed.port),
          path: '/landed',
          method: 'GET',
        }),
        expect.objectContaining({ statusCode: 303 }),
        expect.objectContaining({ url: `${start.s.url}/start`, method: 'POST' }),
      ],
    ]);
    // The next request's headers have lost the Cookie (another origin) and the body's headers (now a GET);
    // the headers of the request that got the redirect are those it was sent with.
    const lower = (h: unknown) =>
      Object.fromEntries(Object.entries(h as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const [options, , request] = calls[0] as [{ headers: unknown }, unknown, { headers: unknown }];
    expect(lower(options.headers)).not.toHaveProperty('cookie');
    expect(lower(options.headers)).not.toHaveProperty('content-type');
    expect(lower(request.headers)).toMatchObject({ cookie: 'a=1', 'content-type': expect.any(String) as unknown });
    // Plain axios says the same.
    const plain = await rejection(axios.post(`${start.s.url}/start`, 'x', { beforeRedirect: veto }));
    expect(plain).toMatchObject({
      code: 'ERR_FR_REDIRECTION_FAILURE',
      message: 'Redirected request failed: redirect vetoed',
    });
  });

  test('`beforeRedirect` may change the headers of the next request', async () => {
    const target = await recorder();
    const start = await redirecting(target.s.url.replace('127.0.0.1', 'localhost'));
    const api = client({ credentials: alice });
    const r = await api.get(`${start.s.url}/start`, {
      beforeRedirect: (options: Record<string, unknown>) => {
        (options.headers as Record<string, string>)['x-secret'] = 'for the target';
      },
    });
    expect(r.status).toBe(200);
    expect(target.seen).toEqual([
      { path: '/landed', authorization: undefined, cookie: undefined, secret: 'for the target' },
    ]);
  });
});

describe('no password in the config of an error thrown before the request starts', () => {
  const secret = 'Per-Request-S3cret!';
  const own = { ntlm: { credentials: { username: 'EXAMPLE\\carol', password: secret } } };
  const printed = (e: AxiosError) =>
    [inspect(e, { depth: 10 }), inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e.toJSON())].join('\n');

  test.each([
    ['an unsupported option (socketPath)', { socketPath: '/tmp/x.sock' }, 'ERR_NTLM_UNSUPPORTED'],
    ['an unsupported option (proxy)', { proxy: { host: '127.0.0.1', port: 9 } }, 'ERR_NTLM_UNSUPPORTED'],
    [
      'credentials that are refused',
      { ntlm: { credentials: { username: 'a', password: secret, ntHash: 'zz' } } },
      'ERR_NTLM_INVALID_ARGUMENT',
    ],
    ['a URL axios refuses', { url: 'http:/bad' }, undefined],
    ['a scheme that is not http(s)', { url: 'ftp://127.0.0.1/' }, undefined],
  ])('%s', async (_name, extra, code) => {
    const s = await server();
    const api = client({ credentials: alice });
    const e = await rejection(api.request({ url: s.url, ...own, ...extra } as never));
    expect(e).toBeInstanceOf(AxiosError);
    if (code) expect(e.code).toBe(code);
    expect(printed(e)).not.toContain(secret);
    expect(s.stats.requests).toBe(0);
  });
});

describe('withNtlm changes only the instance it is given', () => {
  test("axios's default export is refused, with the way out in the message", () => {
    const e = (() => {
      try {
        withNtlm(axios, { credentials: alice });
      } catch (error) {
        return error as NtlmError;
      }
    })();
    expect(e).toBeInstanceOf(NtlmError);
    expect(e?.code).toBe('ERR_NTLM_INVALID_ARGUMENT');
    expect(e?.message).toMatch(/axios\.create\(\)/);
    expect(axios.defaults.adapter).toEqual(['xhr', 'http', 'fetch']);
  });

  test('instances made later, by axios.create() or by the NTLM instance, carry no credentials', async () => {
    const s = await server();
    const api = client({ credentials: alice });
    const before = axios.defaults.adapter;
    expect((await api.get(s.url)).data.user).toBe('EXAMPLE\\alice');
    expect(axios.defaults.adapter).toBe(before);
    const later = axios.create();
    expect(later.defaults.adapter).toEqual(before);
    await expect(later.get(s.url)).rejects.toMatchObject({ response: { status: 401 } });
    const child = (api as unknown as { create(): typeof axios }).create();
    await expect(child.get(s.url)).rejects.toMatchObject({ response: { status: 401 } });
    expect(s.stats.handshakes).toBe(1);
  });
});

test('credentials are copied when the client is made: changing the caller object changes nothing', async () => {
  const s = await server({ faults: { delayMs: 5 } });
  const credentials = { ...alice };
  const api = client({ credentials, connections: 6 });
  expect((await api.get(s.url)).data.user).toBe('EXAMPLE\\alice');
  credentials.username = bob.username;
  credentials.password = bob.password;
  // New connections (6 concurrent) and the authenticated one: all as alice.
  const users = await Promise.all(Array.from({ length: 6 }, () => api.get(s.url).then((r) => r.data.user)));
  expect(users).toEqual(Array(6).fill('EXAMPLE\\alice'));
  expect(s.stats.failures).toBe(0);
});

describe('no secret in any printed object', () => {
  const secret = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
  const hash = ntowfv1(secret.password);
  const forbidden = [
    secret.password,
    toHex(hash),
    toHex(hash).toUpperCase(),
    toBase64(hash),
    Buffer.from(secret.password).toString('base64'),
  ];
  const show = (value: unknown) => [inspect(value, { depth: 10 }), inspect(value, { depth: 10, showHidden: true })];

  test('the instance, its ntlm state, defaults, a response and an error, per-request credentials too', async () => {
    const s = await server();
    const api = client({ credentials: secret, origins: [s.url] });
    const viaWith = withNtlm(axios.create(), { credentials: secret });
    after(() => viaWith.ntlm.destroy());
    const r = await api.get(s.url);
    const perRequest = await api.get(s.url, { ntlm: { credentials: { ...secret } } });
    const refused = await api
      .get(s.url, { ntlm: { credentials: { ...secret, password: 'wrong-Passw0rd!x' } } })
      .catch((e: AxiosError) => e);
    expect(refused).toBeInstanceOf(AxiosError);
    const config = (refused as AxiosError).config;
    const printed = [
      ...[api, api.ntlm, api.defaults, viaWith, r, r.config, perRequest, perRequest.config, refused, config].flatMap(
        show,
      ),
      // What is JSON to begin with (a response holds its socket: circular, for plain axios too).
      ...[
        api.ntlm,
        viaWith.ntlm,
        api.defaults,
        r.config,
        perRequest.config,
        config,
        (refused as AxiosError).toJSON(),
      ].map((v) => JSON.stringify(v)),
    ].join('\n');
    for (const text of forbidden) expect(printed).not.toContain(text);
    expect(inspect(api.ntlm)).toBe('NtlmAxiosEngine {"user":"alice","domain":"EXAMPLE","origins":["' + s.url + '"]}');
    expect(JSON.parse(JSON.stringify(perRequest.config.ntlm))).toEqual({
      credentials: { user: 'alice', domain: 'EXAMPLE' },
    });
  });
});

describe('every option given the wrong type is an NtlmError', () => {
  const wrong: [string, unknown][] = [
    ['credentials', 'alice'],
    ['credentials', { username: 5, password: 'x' }],
    ['credentials', { username: 'alice', password: 5 }],
    ['credentials', { username: 'alice', ntHash: 'zz' }],
    ['origins', 'http://a.example'],
    ['origins', [5]],
    ['preemptive', 'yes'],
    ['spn', 5],
    ['lmCompatibilityLevel', 7],
    ['connections', 0],
    ['connections', 1.5],
    ['connections', '4'],
    ['maxConnections', -1],
    ['throwOnAuthFailure', 1],
    ['maxReplayBytes', -1],
    ['debug', 'console'],
    ['debugTokens', 'yes'],
    ['freeSocketTimeout', 0],
    ['freeSocketTimeout', '4000'],
    ['ntlmProxy', 'http://proxy'],
    ['ntlmProxy', { uri: 5 }],
    ['ntlmProxy', { credentials: 'proxy' }],
    ['ntlmProxy', { noProxy: ['a'] }],
    ['ntlmProxy', { fromEnv: 'no' }],
    ['ntlmProxy', { tls: true }],
  ];
  test.each(wrong)('createNtlmAxios { %s: %p }', (name, value) => {
    expect(() => createNtlmAxios({ credentials: alice, [name]: value } as never)).toThrow(
      expect.objectContaining({ name: 'NtlmError', code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
  });

  test.each([undefined, null, 'x', 5])('createNtlmAxios(%p) and withNtlm on what is not an instance', (value) => {
    expect(() => createNtlmAxios(value as never)).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => withNtlm(value as never, { credentials: alice })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
  });

  test('withNtlm options, twice on one instance, connectionCount', () => {
    expect(() => withNtlm(axios.create(), 'x' as never)).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    const api: NtlmAxiosInstance = client({ credentials: alice });
    expect(() => withNtlm(api, { credentials: alice })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => api.ntlm.connectionCount(5 as never)).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
  });

  test.each([
    ['ntlm: 5', { ntlm: 5 }],
    ['ntlm.credentials: a string', { ntlm: { credentials: 'alice' } }],
    ['ntlm.credentials.username: a number', { ntlm: { credentials: { username: 5, password: 'x' } } }],
  ])('a request with %s: an AxiosError with the NtlmError as cause', async (_name, config) => {
    const s = await server();
    const e = await rejection(client({ credentials: alice }).get(s.url, config as never));
    expect(e).toBeInstanceOf(AxiosError);
    expect(e.code).toBe('ERR_NTLM_INVALID_ARGUMENT');
    expect(e.cause).toBeInstanceOf(NtlmError);
    expect(s.stats.requests).toBe(0);
  });

  test('an spn function that returns the wrong type: an AxiosError, and the connection is given back', async () => {
    const s = await server();
    const api = client({ credentials: alice, connections: 1, preemptive: true, spn: (() => 42) as never });
    for (let i = 0; i < 2; i++) {
      await expect(api.get(s.url)).rejects.toMatchObject({ code: 'ERR_NTLM_INVALID_ARGUMENT' });
    }
  });
});
