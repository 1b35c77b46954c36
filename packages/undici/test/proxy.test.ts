// NTLM proxy authentication through @ntlmkit/server's proxy mode: HTTP forward, CONNECT, origin NTLM
// with EPA inside the tunnel, and the proxy faults (close after 407, 407 loops, wrong password).
import net from 'node:net';
import tls from 'node:tls';
import { request } from 'undici';
import { silentProxy } from '../../../test/support/silent-proxy';
import {
  createNtlmProxy,
  createNtlmServer,
  createSelfSignedCertificate,
  type NtlmProxy,
  type NtlmProxyOptions,
  type NtlmServer,
} from '@ntlmkit/server';
import { NtlmProxyAgent, NtlmDispatcher, createNtlmFetch, type NtlmProxyAgentOptions } from '../src/index';

const proxyUsers = { 'CORP\\proxy': 'Pr0xy!' };
const users = { 'EXAMPLE\\alice': 'Passw0rd!' };
const proxyCredentials = { username: 'CORP\\proxy', password: 'Pr0xy!' };
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function proxy(options: NtlmProxyOptions = {}): Promise<NtlmProxy> {
  const p = createNtlmProxy({ users: proxyUsers, ...options });
  await p.start();
  cleanup.push(() => p.stop());
  return p;
}
async function origin(options: Parameters<typeof createNtlmServer>[0] = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users, ...options });
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}
function agent(p: NtlmProxy, extra: Partial<NtlmProxyAgentOptions> = {}): NtlmProxyAgent {
  const a = new NtlmProxyAgent({ uri: p.url, proxyCredentials, connect: { rejectUnauthorized: false }, ...extra });
  cleanup.push(() => a.close());
  return a;
}
async function get(d: NtlmDispatcher, url: string, init: Record<string, unknown> = {}) {
  const r = await request(url, { dispatcher: d, ...init });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, json: () => JSON.parse(text) };
}

test('HTTP through the proxy: the proxy connection is authenticated once, then reused', async () => {
  const p = await proxy();
  const o = await origin({ authenticate: false });
  const a = agent(p);
  for (let i = 0; i < 3; i++) expect((await get(a, `${o.url}/p${i}`)).json()).toMatchObject({ path: `/p${i}` });
  expect(p.stats).toMatchObject({ handshakes: 1, authenticated: 1, connections: 1, requests: 5 });
});

test('HTTP: proxy and origin NTLM at once, each with its own credentials, body sent once to the origin', async () => {
  const p = await proxy();
  const o = await origin();
  const a = agent(p, { credentials: alice, preemptive: true });
  const r = await get(a, `${o.url}/both`, { method: 'POST', body: 'x'.repeat(5000) });
  expect(r.json()).toMatchObject({ user: 'EXAMPLE\\alice', bodyLength: 5000 });
  expect(o.stats.bodyBytes).toBe(5000);
  expect(p.stats.handshakes).toBe(1);
});

test('HTTPS through CONNECT: proxy NTLM on the CONNECT, origin NTLM + EPA with the origin certificate in the tunnel', async () => {
  const p = await proxy();
  const o = await origin({ https: true, tokenChecking: 'require' });
  const a = agent(p, { credentials: alice, connections: 4 });
  const results = await Promise.all(Array.from({ length: 12 }, () => get(a, `${o.url}/s`)));
  expect(results.every((r) => r.status === 200)).toBe(true);
  expect(JSON.parse(String(results[0]!.headers['x-ntlm-outcome']))).toMatchObject({
    ok: true,
    channelBinding: 'present',
  });
  expect(p.stats.connects).toBeLessThanOrEqual(4 * 3);
  expect(a.connectionCount()).toBeLessThanOrEqual(4);
});

test('fetch wrapper through the proxy', async () => {
  const p = await proxy();
  const o = await origin({ https: true });
  const f = createNtlmFetch({
    credentials: alice,
    proxy: { uri: p.url, credentials: proxyCredentials },
    connect: { rejectUnauthorized: false },
  });
  cleanup.push(() => f.close());
  expect(await (await f(`${o.url}/f`)).json()).toMatchObject({ user: 'EXAMPLE\\alice' });
});

test('a wrong proxy password: the 407 once (HTTP); ERR_NTLM_AUTH_FAILED (CONNECT)', async () => {
  const p = await proxy();
  const o = await origin({ authenticate: false });
  const a = agent(p, { proxyCredentials: { ...proxyCredentials, password: 'nope' } });
  expect((await get(a, o.url)).status).toBe(407);
  expect(p.stats.handshakes).toBe(1);
  const s = await origin({ https: true, authenticate: false });
  await expect(get(a, s.url)).rejects.toMatchObject({ code: 'ERR_NTLM_AUTH_FAILED' });
});

test('Connection: close on the first 407: the handshake continues on a new proxy connection', async () => {
  const p = await proxy({ faults: { closeOnFirst407: true } });
  const o = await origin({ authenticate: false });
  const s = await origin({ https: true, authenticate: false });
  const a = agent(p);
  expect((await get(a, o.url)).status).toBe(200);
  expect((await get(a, `${s.url}/t`)).status).toBe(200);
});

test('a 407 loop: the 407 once (HTTP), one handshake per CONNECT attempt then an error', async () => {
  const p = await proxy({ faults: { alwaysRefuse: true } });
  const o = await origin({ authenticate: false });
  const a = agent(p);
  expect((await get(a, o.url)).status).toBe(407);
  expect(p.stats.requests).toBe(3);
  const s = await origin({ https: true, authenticate: false });
  await expect(get(a, s.url)).rejects.toMatchObject({ code: 'ERR_NTLM_AUTH_FAILED' });
});

test('the proxy closes after its CHALLENGE: one fresh attempt, then ERR_NTLM_CONNECTION_CLOSED', async () => {
  const p = await proxy({ faults: { closeAfterChallenge: true } });
  const s = await origin({ https: true, authenticate: false });
  await expect(get(agent(p), s.url)).rejects.toMatchObject({ code: 'ERR_NTLM_CONNECTION_CLOSED' });
  expect(p.stats.handshakes).toBe(2);
});

test('HTTP_PROXY and NO_PROXY from the environment', async () => {
  const p = await proxy();
  const o = await origin({ authenticate: false });
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
  process.env.HTTP_PROXY = p.url;
  try {
    const d = new NtlmDispatcher({ proxy: { credentials: proxyCredentials } });
    cleanup.push(() => d.close());
    expect((await get(d, o.url)).status).toBe(200);
    expect(p.stats.requests).toBeGreaterThan(0);
    process.env.NO_PROXY = '127.0.0.1';
    const before = p.stats.requests;
    const direct = new NtlmDispatcher({ proxy: { credentials: proxyCredentials } });
    cleanup.push(() => direct.close());
    expect((await get(direct, o.url)).status).toBe(200);
    expect(p.stats.requests).toBe(before);
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
});

test('the proxy never relays beyond loopback by default', async () => {
  const p = await proxy();
  const r = await get(agent(p), 'http://192.0.2.1:81/');
  expect(r.status).toBe(403);
});

/** A proxy that accepts connections and never answers (a CONNECT that hangs), closed after the test. */
async function silent() {
  const p = await silentProxy();
  cleanup.push(() => p.stop());
  return p;
}
/** The promise's outcome, or 'pending' after `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((r) => (timer = setTimeout(() => r('pending'), ms)));
  try {
    return await Promise.race([
      p.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

test('a proxy that never answers CONNECT: the connect timeout covers the tunnel, ERR_NTLM_TUNNEL_TIMEOUT', async () => {
  const p = await silent();
  const a = new NtlmProxyAgent({ uri: p.uri, proxyCredentials, credentials: alice, connect: { timeout: 300 } });
  cleanup.push(() => a.destroy());
  const t = Date.now();
  const outcome = await within(get(a, 'https://example.test/'), 3000);
  expect(outcome).toMatchObject({
    name: 'NtlmError',
    code: 'ERR_NTLM_TUNNEL_TIMEOUT',
    message: expect.stringContaining('waiting for the answer to CONNECT') as unknown,
  });
  expect(Date.now() - t).toBeLessThan(2000);
  expect(p.sockets.length).toBeGreaterThan(0);
  await p.allClosed(1000);
  expect(p.open()).toBe(0);
});

test('a proxy that never answers CONNECT: an abort rejects at once and closes the proxy connection', async () => {
  const p = await silent();
  const a = new NtlmProxyAgent({ uri: p.uri, proxyCredentials, credentials: alice });
  cleanup.push(() => a.destroy());
  const controller = new AbortController();
  const reason = new Error('no more waiting');
  const t = Date.now();
  const pending = within(get(a, 'https://example.test/', { signal: controller.signal }), 3000);
  setTimeout(() => controller.abort(reason), 100);
  expect(await pending).toBe(reason);
  expect(Date.now() - t).toBeLessThan(1000);
  await p.allClosed(1000);
  expect(p.sockets.length).toBeGreaterThan(0);
  expect(p.open()).toBe(0);
});

test("HTTP through an https: proxy: the origin's NTLM carries no channel binding (the TLS ends at the proxy)", async () => {
  const p = await proxy();
  const o = await origin();
  const outcomes: { channelBinding?: string }[] = [];
  o.on('ntlm', (e: { channelBinding?: string }) => outcomes.push(e));
  // TLS in front of the proxy: the client's TLS ends there, the proxy's certificate is not the origin's.
  const cert = createSelfSignedCertificate();
  const front = tls.createServer({ cert: cert.cert, key: cert.key }, (socket) => {
    const up = net.connect(Number(new URL(p.url).port), '127.0.0.1');
    socket.pipe(up).pipe(socket);
    socket.on('error', () => up.destroy());
    up.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => front.close(resolve)));
  const uri = `https://127.0.0.1:${(front.address() as net.AddressInfo).port}`;
  const a = new NtlmProxyAgent({ uri, proxyCredentials, credentials: alice, proxyTls: { ca: cert.cert } });
  cleanup.push(() => a.destroy());
  const r = await get(a, `${o.url}/plain-origin`);
  expect(r.json()).toMatchObject({ user: 'EXAMPLE\\alice', path: '/plain-origin' });
  expect(p.stats.handshakes).toBe(1);
  expect(outcomes).toEqual([expect.objectContaining({ ok: true, channelBinding: 'absent' })]);
});
