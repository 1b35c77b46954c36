// axios through @ntlmkit/server's NTLM proxy: forward HTTP, CONNECT with origin NTLM + EPA, faults.
import https from 'node:https';
import { createNtlmProxy, createNtlmServer, type NtlmProxy, type NtlmServer } from '@ntlmkit/server';
import { createNtlmAxios, type NtlmAxiosInstance } from '../src/index';
import { SERVER_READINGS, type ServerReading } from '../../../test/support/readings';
import { silentProxy } from '../../../test/support/silent-proxy';

const proxyCredentials = { username: 'CORP\\proxy', password: 'Pr0xy!' };
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const cleanup: (() => unknown)[] = [];
let reading: ServerReading['options'] = SERVER_READINGS[0]!.options;
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
async function proxy(faults: NonNullable<Parameters<typeof createNtlmProxy>[0]>['faults'] = {}): Promise<NtlmProxy> {
  const p = createNtlmProxy({ users: { 'CORP\\proxy': 'Pr0xy!' }, ...reading, faults });
  await p.start();
  cleanup.push(() => p.stop());
  return p;
}
async function origin(options: Parameters<typeof createNtlmServer>[0] = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users: { 'EXAMPLE\\alice': 'Passw0rd!' }, ...reading, ...options });
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}
function client(p: NtlmProxy, extra: Record<string, unknown> = {}): NtlmAxiosInstance {
  const c = createNtlmAxios({
    ntlmProxy: { uri: p.url, credentials: proxyCredentials, fromEnv: false },
    httpsAgent: new https.Agent({ rejectUnauthorized: false }),
    ...extra,
  });
  cleanup.push(() => c.ntlm.destroy());
  return c;
}

// Against both readings of MS-NLMP's session-key rule, the strict one (the server's default) and the lenient one
// of gss-ntlmssp and Samba, each also with a CHALLENGE that grants KEY_EXCH without SIGN or SEAL.
describe.each(SERVER_READINGS)('server reading: $name', (r) => {
  beforeAll(() => {
    reading = r.options;
  });

  test('HTTP via the proxy, then proxy + origin NTLM with a body', async () => {
    const p = await proxy();
    const open = await origin({ authenticate: false });
    const api = client(p);
    for (let i = 0; i < 3; i++) expect((await api.get(`${open.url}/p${i}`)).data.path).toBe(`/p${i}`);
    expect(p.stats.handshakes).toBe(1);
    const o = await origin();
    const both = client(p, { credentials: alice });
    expect((await both.put(`${o.url}/x`, { a: 1 })).data).toMatchObject({ user: 'EXAMPLE\\alice', bodyLength: 7 });
  });

  test('HTTPS via CONNECT: origin NTLM with EPA inside the tunnel, 16 concurrent on 4 tunnels', async () => {
    const p = await proxy();
    const o = await origin({ https: true, tokenChecking: 'require' });
    const api = client(p, { credentials: alice, connections: 4 });
    const results = await Promise.all(Array.from({ length: 16 }, () => api.get(`${o.url}/s`)));
    expect(results.every((r) => r.data.user === 'EXAMPLE\\alice')).toBe(true);
    expect(JSON.parse(String(results[0]!.headers['x-ntlm-outcome']))).toMatchObject({ channelBinding: 'present' });
    expect(api.ntlm.connectionCount()).toBeLessThanOrEqual(4);
  });

  test('faults: close after the first 407 works; a 407 loop returns the 407 once; a wrong password fails CONNECT clearly', async () => {
    const closing = await proxy({ closeOnFirst407: true });
    const open = await origin({ authenticate: false });
    expect((await client(closing).get(open.url)).status).toBe(200);
    const loop = await proxy({ alwaysRefuse: true });
    await expect(client(loop).get(open.url)).rejects.toMatchObject({ response: { status: 407 } });
    expect(loop.stats.requests).toBe(3);
    const p = await proxy();
    const s = await origin({ https: true, authenticate: false });
    const e = await client(p, {
      ntlmProxy: { uri: p.url, credentials: { ...proxyCredentials, password: 'x' }, fromEnv: false },
    })
      .get(s.url)
      .catch((x) => x);
    expect(e.code).toBe('ERR_NTLM_AUTH_FAILED');
    expect(e.cause?.name).toBe('NtlmError');
  });

  test('HTTP_PROXY from the environment is honoured like axios does; proxy: false opts out', async () => {
    const p = await proxy();
    const open = await origin({ authenticate: false });
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = p.url;
    try {
      const api = createNtlmAxios({ ntlmProxy: { credentials: proxyCredentials } });
      cleanup.push(() => api.ntlm.destroy());
      expect((await api.get(open.url)).status).toBe(200);
      expect(p.stats.handshakes).toBe(1);
      const direct = createNtlmAxios({ credentials: alice });
      cleanup.push(() => direct.ntlm.destroy());
      const before = p.stats.requests;
      expect((await direct.get(open.url, { proxy: false })).status).toBe(200);
      expect(p.stats.requests).toBe(before);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });
});

/** A proxy that accepts connections and never answers (a CONNECT that hangs), closed after the test. */
async function silent() {
  const p = await silentProxy();
  cleanup.push(() => p.stop());
  return p;
}

describe('a proxy that never answers CONNECT', () => {
  const silentClient = (uri: string, extra: Record<string, unknown> = {}) => {
    const c = createNtlmAxios({
      credentials: alice,
      ntlmProxy: { uri, credentials: proxyCredentials, fromEnv: false },
      ...extra,
    });
    cleanup.push(() => c.ntlm.destroy());
    return c;
  };

  test('a cancelled request rejects at once and its proxy connection is closed', async () => {
    const p = await silent();
    const api = silentClient(p.uri);
    const controller = new AbortController();
    const t = Date.now();
    const pending = api.get('https://example.test/', { signal: controller.signal }).catch((e: Error) => e);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toMatchObject({ code: 'ERR_CANCELED' });
    expect(Date.now() - t).toBeLessThan(1000);
    await p.allClosed(1000);
    expect(p.sockets.length).toBeGreaterThan(0);
    expect(p.open()).toBe(0);
  });

  test('an axios timeout: ECONNABORTED at once, the proxy connection closed', async () => {
    const p = await silent();
    const api = silentClient(p.uri);
    const t = Date.now();
    const e = await api.get('https://example.test/', { timeout: 200 }).catch((x: Error) => x);
    expect(e).toMatchObject({ code: 'ECONNABORTED' });
    expect(Date.now() - t).toBeLessThan(1500);
    await p.allClosed(1000);
    expect(p.open()).toBe(0);
  });

  test('instance.ntlm.destroy() closes a tunnel being set up', async () => {
    const p = await silent();
    const api = silentClient(p.uri);
    const pending = api.get('https://example.test/').catch((e: Error) => e);
    while (p.sockets.length === 0) await new Promise((r) => setTimeout(r, 10));
    api.ntlm.destroy();
    expect(await pending).toMatchObject({ code: 'ERR_NTLM_CONNECTION_CLOSED' });
    await p.allClosed(1000);
    expect(p.open()).toBe(0);
  });
});
