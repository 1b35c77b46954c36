// NTLM proxy authentication (407) through the real Squid + Samba ntlm_auth proxy, with axios.
import https from 'node:https';
import { createNtlmAxios, type NtlmAxiosInstance } from '@ntlmkit/axios';
import { describePeer } from '../peers/availability';
import { SQUID_INSTALL, alice, proxyUser, squidAvailable, startProxyScene, type ProxyScene } from '../peers/squid';

describePeer(
  'Squid + ntlm_auth',
  squidAvailable(),
  SQUID_INSTALL,
)('axios through Squid (407 NTLM)', () => {
  let scene: ProxyScene;
  const clients: NtlmAxiosInstance[] = [];
  beforeAll(async () => {
    scene = await startProxyScene();
  }, 90_000);
  afterAll(async () => {
    clients.forEach((c) => c.ntlm.destroy());
    await scene?.stop();
  });
  function client(extra: Record<string, unknown> = {}) {
    const c = createNtlmAxios({
      ntlmProxy: { uri: scene.squid.uri, credentials: proxyUser, fromEnv: false },
      httpsAgent: new https.Agent({ rejectUnauthorized: false }),
      ...extra,
    });
    clients.push(c);
    return c;
  }

  test('plain HTTP via the forward proxy (proxy credentials only)', async () => {
    const api = client();
    for (let i = 0; i < 3; i++)
      expect((await api.get(`${scene.open.url}/p${i}`)).data).toMatchObject({ path: `/p${i}` });
    expect(api.ntlm.connectionCount()).toBe(1);
  });

  test('HTTP: proxy and origin NTLM on one proxy connection, body sent', async () => {
    const r = await client({ credentials: alice }).post(`${scene.ntlmHttp.url}/both`, { hello: 'proxy' });
    expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', bodyLength: 17 });
  });

  test('HTTPS via CONNECT with origin NTLM and EPA from the origin certificate', async () => {
    const r = await client({ credentials: alice }).get(`${scene.ntlmHttps.url}/secure`);
    expect(JSON.parse(String(r.headers['x-ntlm-outcome']))).toMatchObject({ ok: true, channelBinding: 'present' });
  });

  test('wrong proxy password: the 407 once (HTTP), an AxiosError with NtlmError cause (CONNECT)', async () => {
    const api = client({
      ntlmProxy: { uri: scene.squid.uri, credentials: { ...proxyUser, password: 'wrong' }, fromEnv: false },
    });
    await expect(api.get(scene.open.url)).rejects.toMatchObject({ response: { status: 407 } });
    const e = await api.get(scene.ntlmHttps.url).catch((x) => x);
    expect(e.cause?.code ?? e.code).toBe('ERR_NTLM_AUTH_FAILED');
  });

  test('32 concurrent HTTPS requests on at most 8 tunnels', async () => {
    const api = client({ credentials: alice, connections: 8 });
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => api.get(`${scene.ntlmHttps.url}/c${i}`)));
    expect(results.every((r) => r.data.user === 'EXAMPLE\\alice')).toBe(true);
    expect(api.ntlm.connectionCount()).toBeLessThanOrEqual(8);
  });

  // Issue 12 §4 through a tunnel: every request of 32 and of 256 concurrent ones, in rounds on new tunnels.
  test.each([32, 256])(
    'HTTPS via CONNECT: %i concurrent requests, 3 rounds on new tunnels',
    async (n) => {
      const api = client({ credentials: alice, connections: 8, freeSocketTimeout: 50 });
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) => api.get(`${scene.ntlmHttps.url}/r${round}/${i}`)),
        );
        const failed = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason?.message));
        expect(failed).toEqual([]);
        expect(
          results.every(
            (r) => (r as PromiseFulfilledResult<{ data: { user: string } }>).value.data.user === 'EXAMPLE\\alice',
          ),
        ).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    },
    60_000,
  );

  test("axios's own proxy setting is refused clearly on an NTLM instance", async () => {
    const api = createNtlmAxios({ credentials: alice });
    clients.push(api);
    await expect(api.get(scene.ntlmHttp.url, { proxy: { host: '127.0.0.1', port: 1 } })).rejects.toMatchObject({
      code: 'ERR_NTLM_UNSUPPORTED',
    });
  });
});
