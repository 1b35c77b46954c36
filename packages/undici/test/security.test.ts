// Where credentials go, at most once, aborts, and no secret in any object: through real sockets.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { inspect } from 'node:util';
import {
  request,
  interceptors,
  fetch as undiciFetch,
  setGlobalDispatcher,
  getGlobalDispatcher,
  type Dispatcher,
} from 'undici';
import {
  createNtlmProxy,
  createNtlmServer,
  createSelfSignedCertificate,
  type NtlmServer,
  type NtlmServerOptions,
  type OutcomeEvent,
} from '@ntlmkit/server';
import { describeToken, ntowfv1, toHex } from '@ntlmkit/core';
import { NtlmDispatcher, NtlmProxyAgent, createNtlmFetch, isNtlmError } from '../src/index';
import { MODERN_HANDLERS } from '../src/request';

const password = 'S3cr3t-Pässwörd!';
const users = { 'EXAMPLE\\alice': password, 'EXAMPLE\\bob': 'B0b-Passw0rd' };
const alice = { username: 'EXAMPLE\\alice', password };
const bob = { username: 'EXAMPLE\\bob', password: 'B0b-Passw0rd' };
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function server(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users, ...options });
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}
function dispatcher(options: ConstructorParameters<typeof NtlmDispatcher>[0] = {}): NtlmDispatcher {
  const d = new NtlmDispatcher({ credentials: alice, ...options });
  cleanup.push(() => d.destroy());
  return d;
}
function outcomes(s: NtlmServer): OutcomeEvent[] {
  const list: OutcomeEvent[] = [];
  s.on('ntlm', (o) => list.push(o));
  return list;
}
async function get(d: Dispatcher, url: string, init: Partial<Dispatcher.RequestOptions> = {}) {
  const r = await request(url, { dispatcher: d, ...init });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) };
}
const port = (s: NtlmServer) => new URL(s.url).port;

describe('credentials go only where they were meant to go', () => {
  test('a path that starts with // is a path: directly the SPN stays the origin host', async () => {
    const a = await server();
    const seen = outcomes(a);
    const url = `http://localhost:${port(a)}//127.0.0.1:9/x`;
    const r = await get(dispatcher(), url);
    expect(r.json()).toMatchObject({ path: '//127.0.0.1:9/x', user: 'EXAMPLE\\alice' });
    expect(seen.at(-1)).toMatchObject({ ok: true, spn: 'HTTP/localhost' });
  });

  test('a path that starts with // through a forward proxy reaches the origin, never the host it names', async () => {
    const a = await server();
    const b = await server();
    const p = createNtlmProxy({ users: { 'CORP\\proxy': 'Pr0xy!' } });
    await p.start();
    cleanup.push(() => p.stop());
    const agent = new NtlmProxyAgent({
      uri: p.url,
      proxyCredentials: { username: 'CORP\\proxy', password: 'Pr0xy!' },
      credentials: alice,
      origins: [a.url],
    });
    cleanup.push(() => agent.close());
    const r = await get(agent, `${a.url}//127.0.0.1:${port(b)}/x`);
    expect(r.json()).toMatchObject({ path: `//127.0.0.1:${port(b)}/x`, user: 'EXAMPLE\\alice' });
    expect(b.stats.requests).toBe(0);
    const f = createNtlmFetch({
      credentials: alice,
      proxy: { uri: p.url, credentials: { username: 'CORP\\proxy', password: 'Pr0xy!' } },
    });
    cleanup.push(() => f.close());
    const viaFetch = await f(`${a.url}//127.0.0.1:${port(b)}/y`);
    expect(await viaFetch.json()).toMatchObject({ path: `//127.0.0.1:${port(b)}/y` });
    expect(b.stats.requests).toBe(0);
  });

  test('inside a CONNECT tunnel an IP-literal origin is checked against its IP SAN, as directly', async () => {
    const ipCert = createSelfSignedCertificate({ commonName: 'ip-only', altNames: ['127.0.0.1'] });
    const nameCert = createSelfSignedCertificate({ commonName: 'localhost', altNames: ['localhost'] });
    const right = await server({ https: { cert: ipCert.cert, key: ipCert.key }, tokenChecking: 'require' });
    const wrong = await server({ https: { cert: nameCert.cert, key: nameCert.key } });
    const p = createNtlmProxy({ users: { 'CORP\\proxy': 'Pr0xy!' } });
    await p.start();
    cleanup.push(() => p.stop());
    const agent = (ca: string) => {
      const a = new NtlmProxyAgent({
        uri: p.url,
        proxyCredentials: { username: 'CORP\\proxy', password: 'Pr0xy!' },
        credentials: alice,
        connect: { ca },
      });
      cleanup.push(() => a.close());
      return a;
    };
    const ok = await get(agent(ipCert.cert), right.url);
    expect(JSON.parse(String(ok.headers['x-ntlm-outcome']))).toMatchObject({ ok: true, channelBinding: 'present' });
    // Directly, the same two results.
    expect((await get(dispatcher({ connect: { ca: ipCert.cert } }), right.url)).status).toBe(200);
    await expect(get(dispatcher({ connect: { ca: nameCert.cert } }), wrong.url)).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await expect(get(agent(nameCert.cert), wrong.url)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  test("redirects through undici's redirect interceptor: another origin that asks for NTLM gets no handshake", async () => {
    const target = await server();
    const start = await server({
      handler: (_req, res) => void res.writeHead(302, { location: `${target.url}/landed` }).end(),
    });
    const d = dispatcher().compose(interceptors.redirect({ maxRedirections: 3 }));
    const r = await get(d, start.url);
    expect(r.status).toBe(401);
    expect(target.stats.handshakes).toBe(0);
  });

  test('https → http on the same host is another origin: no credentials follow', async () => {
    const plain = await server();
    const secure = await server({
      https: true,
      handler: (_req, res) => void res.writeHead(302, { location: `${plain.url}/down` }).end(),
    });
    const d = dispatcher({ connect: { rejectUnauthorized: false } }).compose(
      interceptors.redirect({ maxRedirections: 3 }),
    );
    expect((await get(d, secure.url)).status).toBe(401);
    expect(plain.stats.handshakes).toBe(0);
  });

  test('as the global dispatcher under undici fetch and Node fetch: a redirect target gets no credentials', async () => {
    const target = await server();
    const start = await server({
      handler: (_req, res) => void res.writeHead(307, { location: `${target.url}/landed` }).end(),
    });
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(dispatcher());
    try {
      expect((await undiciFetch(start.url)).status).toBe(401);
      expect((await globalThis.fetch(start.url)).status).toBe(401);
    } finally {
      setGlobalDispatcher(previous);
    }
    expect(target.stats.handshakes).toBe(0);
    // Listed in `origins`, it is allowed.
    const both = dispatcher({ origins: [start.url, target.url] });
    expect((await undiciFetch(start.url, { dispatcher: both })).status).toBe(200);
  });

  test('credentials are fixed when the dispatcher is made: changing the object changes nothing', async () => {
    const s = await server();
    const credentials = { ...alice };
    const d = dispatcher({ credentials, connections: 3 });
    await Promise.all([get(d, s.url), get(d, s.url), get(d, s.url)]);
    credentials.username = bob.username;
    credentials.password = bob.password;
    const later = await Promise.all(Array.from({ length: 6 }, () => get(d, s.url).then((r) => r.json().user)));
    expect(later).toEqual(Array(6).fill('EXAMPLE\\alice'));
  });
});

describe('a request is executed at most once', () => {
  function droppingServer(mode: 'drop' | 'mid-body') {
    let executed = 0;
    const handler: NtlmServerOptions['handler'] = (req, res) => {
      executed++;
      if (mode === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(100), () => req.socket.destroy());
    };
    return { options: { handler }, executed: () => executed };
  }

  test('the connection drops after the AUTHENTICATE with the POST body was written: not sent again', async () => {
    const { options, executed } = droppingServer('drop');
    const s = await server(options);
    const error = await get(dispatcher({ preemptive: true }), s.url, { method: 'POST', body: 'payload' }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED' });
    expect(isNtlmError(error)).toBe(true);
    expect(executed()).toBe(1);
  });

  test('the same on an authenticated connection, for POST; a GET gets one fresh attempt', async () => {
    let drop = false;
    let executed = 0;
    const s = await server({
      handler: (req, res) => {
        executed++;
        if (drop) {
          drop = false;
          req.socket.destroy();
        } else res.end('ok');
      },
    });
    const d = dispatcher();
    expect((await get(d, s.url)).text).toBe('ok');
    drop = true;
    executed = 0;
    await expect(get(d, s.url, { method: 'POST', body: 'once' })).rejects.toMatchObject({
      code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED',
    });
    expect(executed).toBe(1);
    drop = true;
    executed = 0;
    expect((await get(d, s.url)).text).toBe('ok');
    expect(executed).toBe(2);
  });

  test('a POST or PUT whose bodiless NEGOTIATE leg is answered without a challenge is not sent again; a safe request is', async () => {
    const s = await server({ authenticate: false });
    const d = dispatcher({ preemptive: true });
    await expect(get(d, s.url, { method: 'POST', body: 'once' })).rejects.toMatchObject({
      code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED',
      status: 200,
    });
    expect(s.stats.executed).toBe(1);
    // The origin is forgotten: the next POST goes as it is, once.
    expect((await get(d, s.url, { method: 'POST', body: 'once' })).json()).toMatchObject({ bodyLength: 4 });
    expect(s.stats.executed).toBe(2);
    // A PUT neither: the empty PUT the server answered is not the PUT (RFC 9110 9.2.2 speaks of identical
    // requests), it may have created or emptied the resource.
    const p = await server({ authenticate: false });
    await expect(
      get(dispatcher({ preemptive: true }), p.url, { method: 'PUT', body: 'not twice' }),
    ).rejects.toMatchObject({ code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED', status: 200 });
    expect(p.stats.executed).toBe(1);
    // A safe request (read-only, RFC 9110 9.2.1) goes again with its body.
    const o = await server({ authenticate: false });
    const options = await get(dispatcher({ preemptive: true }), o.url, { method: 'OPTIONS', body: 'twice is fine' });
    expect(options.json()).toMatchObject({ method: 'OPTIONS', bodyLength: 13 });
    expect(o.stats.executed).toBe(2);
  });

  test('a response that had started is never replayed, for any method', async () => {
    const { options, executed } = droppingServer('mid-body');
    const s = await server(options);
    await expect(get(dispatcher({ preemptive: true }), s.url)).rejects.toThrow();
    expect(executed()).toBe(1);
  });
});

describe('aborts are immediate', () => {
  test('a request waiting for a pinned connection rejects at once and nothing is sent for it', async () => {
    const s = await server({ faults: { delayMs: 600 } });
    const d = dispatcher({ connections: 1, preemptive: true });
    const seen: string[] = [];
    s.on('request', (req: http.IncomingMessage) => seen.push(`${req.method} ${req.url}`));
    const first = get(d, `${s.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const controller = new AbortController();
    const t = Date.now();
    const waiting = get(d, `${s.url}/aborted`, { method: 'POST', body: 'never', signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(waiting).rejects.toThrow();
    expect(Date.now() - t).toBeLessThan(600);
    await first;
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.filter((l) => l.includes('/aborted'))).toEqual([]);
  });

  test('an abort during the handshake stops it: no further leg is sent', async () => {
    const s = await server({ faults: { delayMs: 300 } });
    const seen: string[] = [];
    s.on('request', (req: http.IncomingMessage) => seen.push(String(req.headers.authorization ?? '-').slice(0, 18)));
    const controller = new AbortController();
    const pending = get(dispatcher({ preemptive: true }), s.url, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 600));
    expect(seen).toHaveLength(1);
  });
});

/**
 * A TCP front on 127.0.0.1 that holds its first connection (a TLS handshake that never completes) and pipes
 * every later one to `to`; `release()` pipes the held one through too, late. The held connection is read
 * (what it sends is kept for the release), so that its close by the client is seen at once.
 */
async function stallingFront(to: NtlmServer) {
  const held: net.Socket[] = [];
  const closed: Promise<void>[] = [];
  const kept: Buffer[] = [];
  const keep = (chunk: Buffer) => kept.push(chunk);
  const pipe = (socket: net.Socket, early: Buffer[] = []) => {
    const up = net.connect(Number(port(to)), '127.0.0.1');
    for (const chunk of early) up.write(chunk);
    socket.pipe(up).pipe(socket);
    up.on('error', () => socket.destroy());
  };
  const front = net.createServer((socket) => {
    socket.on('error', () => undefined);
    if (held.length === 0) {
      held.push(socket);
      socket.on('data', keep);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    } else pipe(socket);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of held) socket.destroy();
        front.close(() => resolve());
      }),
  );
  return {
    url: `https://127.0.0.1:${(front.address() as net.AddressInfo).port}`,
    held,
    heldClosed: () => closed[0]!,
    release: () =>
      held.forEach((socket) => {
        socket.off('data', keep);
        if (!socket.destroyed) pipe(socket, kept.splice(0));
      }),
  };
}

describe('aborts while the connection is being opened', () => {
  test('the request rejects at once with the reason, its connection is let go, nothing is sent for it later', async () => {
    const s = await server({ https: true });
    const seen: string[] = [];
    s.on('request', (req: http.IncomingMessage) => seen.push(String(req.url)));
    const front = await stallingFront(s);
    const d = dispatcher({ connections: 1, connect: { rejectUnauthorized: false, timeout: 3000 } });
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const t = Date.now();
    const pending = get(d, `${front.url}/aborted`, { method: 'POST', body: 'never', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(front.held).toHaveLength(1);
    // The connect in progress ends with it: the client closes the connection the front holds, unreleased.
    const closedInTime = await Promise.race([
      front.heldClosed().then(() => true),
      new Promise((r) => setTimeout(() => r(false), 1000)),
    ]);
    expect(closedInTime).toBe(true);
    // Its place is free at once: the next request gets a connection of its own within `connections: 1`.
    const next = await get(d, `${front.url}/next`);
    expect(next.json()).toMatchObject({ path: '/next', user: 'EXAMPLE\\alice' });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.filter((url) => url === '/aborted')).toEqual([]);
    expect(d.stats[new URL(front.url).origin]).toMatchObject({ pending: 0, queued: 0, running: 0 });
  });

  test("the caller's handler hears the abort once, in its own style, and nothing after it", async () => {
    const s = await server({ https: true });
    const front = await stallingFront(s);
    const d = dispatcher({ connect: { rejectUnauthorized: false, timeout: 3000 } });
    const reason = new Error('stop');
    const calls: string[] = [];
    let heard!: () => void;
    const settled = new Promise<void>((resolve) => (heard = resolve));
    const opts = { origin: front.url, path: '/raw', method: 'GET' } as const;
    const t = Date.now();
    if (MODERN_HANDLERS) {
      d.dispatch(opts, {
        onRequestStart: (controller) => {
          calls.push('start');
          setTimeout(() => controller.abort(reason), 100);
        },
        onResponseStart: () => calls.push('response'),
        onResponseEnd: () => calls.push('end'),
        onResponseError: (_controller, error) => {
          calls.push(error === reason ? 'error: the reason' : `error: ${error.message}`);
          heard();
        },
      });
    } else {
      d.dispatch(opts, {
        onConnect: (abort: (reason?: Error) => void) => {
          calls.push('start');
          setTimeout(() => abort(reason), 100);
        },
        onHeaders: () => (calls.push('response'), true),
        onComplete: () => calls.push('end'),
        onError: (error: Error) => {
          calls.push(error === reason ? 'error: the reason' : `error: ${error.message}`);
          heard();
        },
      });
    }
    await settled;
    expect(Date.now() - t).toBeLessThan(1000);
    front.release();
    await front.heldClosed();
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual(['start', 'error: the reason']);
  });
});

describe('channel binding over TLS is never silently absent', () => {
  test('a TLS connection without a peer certificate (anonymous cipher): ERR_NTLM_NO_CHANNEL_BINDING, no AUTHENTICATE', async () => {
    const backend = await server();
    const seen = outcomes(backend);
    const ciphers = 'AECDH-AES128-SHA:ADH-AES128-GCM-SHA256:@SECLEVEL=0';
    const front = tls.createServer({ ciphers, maxVersion: 'TLSv1.2', dhparam: 'auto', ecdhCurve: 'auto' }, (socket) => {
      const up = net.connect(Number(port(backend)), '127.0.0.1');
      socket.pipe(up).pipe(socket);
      socket.on('error', () => undefined);
      up.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => front.close(resolve)));
    const url = `https://127.0.0.1:${(front.address() as net.AddressInfo).port}/anon`;
    const d = dispatcher({ connect: { ciphers, maxVersion: 'TLSv1.2', rejectUnauthorized: false } });
    await expect(get(d, url)).rejects.toMatchObject({
      name: 'NtlmError',
      code: 'ERR_NTLM_NO_CHANNEL_BINDING',
      message: 'the TLS peer certificate of the connection is not available for the channel binding',
    });
    expect(seen).toEqual([]);
    // Plain HTTP has no channel to bind: the handshake goes as always.
    expect((await get(dispatcher(), `${backend.url}/plain`)).json()).toMatchObject({ user: 'EXAMPLE\\alice' });
  });
});

describe('no secret in any object', () => {
  const hash = toHex(ntowfv1(password));
  const secrets = [
    password,
    hash,
    hash.toUpperCase(),
    Buffer.from(password).toString('base64'),
    Buffer.from(ntowfv1(password)).toString('base64'),
  ];
  const shown = (value: unknown) =>
    `${inspect(value, { depth: 10, showHidden: true })}\n${inspect(value, { depth: 10 })}\n${JSON.stringify(value) ?? ''}\n${String(value)}`;

  test('dispatcher, proxy agent, views and the fetch function print no password or hash', async () => {
    const s = await server();
    const d = dispatcher({
      proxy: { uri: 'http://127.0.0.1:9', credentials: { username: 'proxy', password }, fromEnv: false },
      origins: [s.url],
    });
    const f = createNtlmFetch({ credentials: alice });
    cleanup.push(() => f.close());
    await (await f(s.url)).text();
    const plain = dispatcher();
    await get(plain, s.url);
    const objects = [
      d,
      plain,
      plain.withCredentials({ ...bob, password }),
      plain.scoped([s.url]),
      f,
      new NtlmProxyAgent({ proxyCredentials: alice, uri: 'http://127.0.0.1:9' }),
    ];
    for (const o of objects) {
      const text = shown(o);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    expect(shown(plain)).toContain('alice');
  });

  test('debugTokens: the NEGOTIATE and CHALLENGE in full, the AUTHENTICATE with its responses redacted', async () => {
    const s = await server();
    const sent: string[] = [];
    s.on('request', (req: http.IncomingMessage) => req.headers.authorization && sent.push(req.headers.authorization));
    const lines: string[] = [];
    await get(dispatcher({ debug: (m) => lines.push(m), debugTokens: true }), s.url);
    const text = lines.join('\n');
    expect(text).toMatch(/NEGOTIATE \(type 1/);
    expect(text).toMatch(/CHALLENGE \(type 2[\s\S]*server challenge/);
    expect(text).toMatch(/AUTHENTICATE \(type 3/);
    const full = describeToken(sent.at(-1)!.split(' ')[1]!);
    const proof = /NTProofStr\s+([0-9a-f]{32})/.exec(full)![1]!;
    expect(text).not.toContain(proof);
    for (const secret of [password, toHex(ntowfv1(password))]) expect(text).not.toContain(secret);
  });

  test('errors from a refused AUTHENTICATE print no secret and say what was sent', async () => {
    const s = await server();
    const error = await get(
      dispatcher({ credentials: { username: 'OTHER\\alice', password }, throwOnAuthFailure: true }),
      s.url,
    ).catch((e) => e);
    expect(error).toMatchObject({
      code: 'ERR_NTLM_AUTH_FAILED',
      status: 401,
      details: { user: 'alice', domain: 'OTHER', serverDomain: 'EXAMPLE' },
    });
    expect(error.message).toMatch(/domain "OTHER" is not the server's \(EXAMPLE/);
    const text = shown(error) + error.stack;
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

describe('only typed errors from the public API', () => {
  test.each([
    ['options not an object', () => new NtlmDispatcher(42 as never)],
    ['credentials not an object', () => new NtlmDispatcher({ credentials: 'alice' as never })],
    ['username not a string', () => new NtlmDispatcher({ credentials: { username: 5 as never, password } })],
    ['origins not an array', () => new NtlmDispatcher({ origins: 'http://a' as never })],
    ['connections zero', () => new NtlmDispatcher({ connections: 0 })],
    ['maxConnections a string', () => new NtlmDispatcher({ maxConnections: '2' as never })],
    ['spn a number', () => new NtlmDispatcher({ spn: 5 as never })],
    ['lmCompatibilityLevel 9', () => new NtlmDispatcher({ lmCompatibilityLevel: 9 as never })],
    ['debug not a function', () => new NtlmDispatcher({ debug: 'yes' as never })],
    ['keepAliveTimeout negative', () => new NtlmDispatcher({ keepAliveTimeout: -1 })],
    [
      'a 40,000-character username',
      () => new NtlmDispatcher({ credentials: { username: 'u'.repeat(40_000), password } }),
    ],
    ['withCredentials(5)', () => new NtlmDispatcher().withCredentials(5 as never)],
    ['scoped("x")', () => new NtlmDispatcher().scoped('x' as never)],
    ['createNtlmFetch(5)', () => createNtlmFetch(5 as never)],
    ['createNtlmFetch fetch not a function', () => createNtlmFetch({ fetch: 'x' as never })],
    ['a misspelt proxy uri', () => new NtlmDispatcher({ proxy: { url: 'http://p:3128' } as never })],
    ['a socks proxy', () => new NtlmDispatcher({ proxy: { uri: 'socks5://p:1080' } })],
    ['NtlmProxyAgent uri a number', () => new NtlmProxyAgent({ uri: 3128 as never })],
    ['NtlmProxyAgent proxyCredentials a string', () => new NtlmProxyAgent({ proxyCredentials: '' as never })],
    ['NtlmProxyAgent fromEnv a string', () => new NtlmProxyAgent({ fromEnv: 'no' as never })],
  ])('%s: NtlmError', (_name, make) => {
    let caught: unknown;
    try {
      make();
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'NtlmError', code: expect.stringMatching(/^ERR_NTLM_/) });
  });
  test("NtlmProxyAgent's errors name the option the caller wrote", () => {
    expect(() => new NtlmProxyAgent({ proxyCredentials: 0 as never })).toThrow('`proxyCredentials` must be an object');
    expect(() => new NtlmProxyAgent({ proxyTls: 'x' as never })).toThrow('`proxyTls` must be an object');
  });
  test('NtlmProxyAgent with fromEnv: false ignores HTTP_PROXY (the request goes direct)', async () => {
    const origin = http.createServer((_req, res) => res.end('direct'));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const { port } = origin.address() as { port: number };
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    const direct = new NtlmProxyAgent({ fromEnv: false });
    const viaEnv = new NtlmProxyAgent();
    try {
      const res = await request(`http://127.0.0.1:${port}/`, { dispatcher: direct });
      expect(await res.body.text()).toBe('direct');
      // The same agent without fromEnv: false goes to HTTP_PROXY, where nothing listens.
      await expect(request(`http://127.0.0.1:${port}/`, { dispatcher: viaEnv })).rejects.toThrow();
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
      await Promise.all([direct.close(), viaEnv.close()]);
      origin.close();
    }
  });
});
