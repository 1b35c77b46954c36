// NTLM proxy authentication (407) through the real Squid + Samba ntlm_auth proxy, with undici.
import { request } from 'undici';
import { NtlmProxyAgent, createNtlmFetch } from '@ntlmkit/undici';
import { describePeer } from '../peers/availability';
import { SQUID_INSTALL, alice, proxyUser, squidAvailable, startProxyScene, type ProxyScene } from '../peers/squid';

describePeer(
  'Squid + ntlm_auth',
  squidAvailable(),
  SQUID_INSTALL,
)('undici through Squid (407 NTLM)', () => {
  let scene: ProxyScene;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    scene = await startProxyScene();
  }, 90_000);
  afterAll(async () => {
    for (const c of closers) await c();
    await scene?.stop();
  });
  function agent(extra: Partial<ConstructorParameters<typeof NtlmProxyAgent>[0]> = {}) {
    const a = new NtlmProxyAgent({
      uri: scene.squid.uri,
      proxyCredentials: proxyUser,
      connect: { rejectUnauthorized: false },
      ...extra,
    });
    closers.push(() => a.close());
    return a;
  }

  test('plain HTTP via the forward proxy: absolute URI, proxy connection authenticated once', async () => {
    const a = agent();
    for (let i = 0; i < 3; i++) {
      const r = await request(`${scene.open.url}/page?i=${i}`, { dispatcher: a });
      expect(r.statusCode).toBe(200);
      expect((await r.body.json()) as object).toMatchObject({ path: `/page?i=${i}` });
    }
    expect(a.connectionCount()).toBe(1);
  });

  test('HTTP: proxy NTLM and origin NTLM together on one proxy connection', async () => {
    const a = agent({ credentials: alice });
    const r = await request(`${scene.ntlmHttp.url}/both`, { dispatcher: a, method: 'POST', body: 'payload' });
    expect(r.statusCode).toBe(200);
    expect(await r.body.json()).toMatchObject({ user: 'EXAMPLE\\alice', bodyLength: 7 });
  });

  test('HTTPS via CONNECT: proxy NTLM on the CONNECT, origin NTLM with EPA from the origin certificate inside the tunnel', async () => {
    const a = agent({ credentials: alice });
    const r = await request(`${scene.ntlmHttps.url}/secure`, { dispatcher: a });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(String(r.headers['x-ntlm-outcome']))).toMatchObject({ ok: true, channelBinding: 'present' });
    await r.body.dump();
  });

  test('the fetch wrapper through the proxy', async () => {
    const f = createNtlmFetch({
      credentials: alice,
      proxy: { uri: scene.squid.uri, credentials: proxyUser },
      connect: { rejectUnauthorized: false },
    });
    closers.push(() => f.close());
    const r = await f(`${scene.ntlmHttps.url}/fetch`);
    expect(await r.json()).toMatchObject({ user: 'EXAMPLE\\alice' });
  });

  test('a wrong proxy password: the 407 once (HTTP), a clear error (CONNECT)', async () => {
    const a = agent({ proxyCredentials: { ...proxyUser, password: 'wrong' } });
    const r = await request(`${scene.open.url}/`, { dispatcher: a });
    expect(r.statusCode).toBe(407);
    await r.body.dump();
    await expect(request(`${scene.ntlmHttps.url}/`, { dispatcher: a })).rejects.toMatchObject({
      code: 'ERR_NTLM_AUTH_FAILED',
    });
  });

  test('32 concurrent HTTPS requests through the proxy on at most 8 tunnels', async () => {
    const a = agent({ credentials: alice, connections: 8 });
    const statuses = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const r = await request(`${scene.ntlmHttps.url}/c${i}`, { dispatcher: a });
        await r.body.dump();
        return r.statusCode;
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(a.connectionCount()).toBeLessThanOrEqual(8);
  });
});
