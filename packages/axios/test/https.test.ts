// Issue 12 §4: axios over HTTPS under concurrency. Every request of 32 and of 256 concurrent ones gets its
// channel binding from the certificate of its own connection, also when the TLS session was resumed (a
// resumed session presents no certificate); connections made for one request's TLS options never serve a
// request with other options.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { READINGS, after, alice, client, outcome, server, sleep } from './helpers';
import { startAlpnRecorder } from '../../../test/support/alpn';

describe.each(READINGS)('server reading: $name', ({ options: reading }) => {
  test.each([32, 256])(
    '%i concurrent requests with tokenChecking require, in rounds that resume TLS sessions',
    async (n) => {
      const s = await server({ https: true, tokenChecking: 'require', ...reading });
      // Idle connections close between rounds, so that each round opens new ones that resume a session.
      const api = client({
        credentials: alice,
        httpsAgent: new https.Agent({ ca: s.certificate }),
        freeSocketTimeout: 30,
      });
      let resumed = 0;
      for (let round = 0; round < 4; round++) {
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) => api.get(`${s.url.replace('127.0.0.1', 'localhost')}/r${round}/${i}`)),
        );
        const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason?.message);
        expect(failed).toEqual([]);
        const values = results.map(
          (r) => (r as PromiseFulfilledResult<{ data: { user: string }; headers: Record<string, unknown> }>).value,
        );
        expect(values.every((r) => r.data.user === 'EXAMPLE\\alice')).toBe(true);
        // The response that authenticated each connection says how.
        const handshakes = values.filter((r) => r.headers['x-ntlm-outcome']);
        expect(handshakes.length).toBeGreaterThan(0);
        for (const r of handshakes) expect(outcome(r)).toMatchObject({ ok: true, channelBinding: 'present' });
        if (round > 0)
          resumed += handshakes.filter((r) =>
            (r as unknown as { request: { socket: TLSSocket } }).request.socket.isSessionReused(),
          ).length;
        await sleep(80);
      }
      expect(resumed).toBeGreaterThan(0);
      expect(s.stats.failures).toBe(0);
      expect(s.stats.executed).toBe(4 * n);
    },
  );
});

test('a resumed TLS session gets the channel binding of the certificate it was made with', async () => {
  const s = await server({ https: true, tokenChecking: 'require' });
  const api = client({
    credentials: alice,
    httpsAgent: new https.Agent({ ca: s.certificate }),
    connections: 1,
    freeSocketTimeout: 20,
  });
  const resumed: boolean[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await api.get(`${s.url}/x`);
    resumed.push((r.request.socket as TLSSocket).isSessionReused());
    // Every connection is new (the idle one closed), so every request authenticates it.
    expect(outcome(r)).toMatchObject({ ok: true, channelBinding: 'present' });
    await sleep(60);
  }
  expect(resumed.slice(1)).toContain(true);
});

describe('per-request TLS options keep connections apart', () => {
  test('a request that does not trust the CA never rides a connection that trusted it', async () => {
    const s = await server({ https: true });
    const api = client({ credentials: alice });
    const trusting = new https.Agent({ ca: s.certificate });
    expect((await api.get(s.url, { httpsAgent: trusting })).status).toBe(200);
    expect(api.ntlm.connectionCount()).toBe(1);
    // The default trust store does not know the self-signed certificate: refused, not served on the idle connection.
    await expect(api.get(s.url)).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/),
    });
    await expect(
      api.get(s.url, {
        httpsAgent: new https.Agent({ ca: s.certificate, rejectUnauthorized: true, servername: 'nobody.example' }),
      }),
    ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    // The same options in another agent object share the connection.
    expect((await api.get(s.url, { httpsAgent: new https.Agent({ ca: s.certificate }) })).status).toBe(200);
    expect(s.stats.connections).toBeLessThanOrEqual(3);
    expect(api.ntlm.connectionCount()).toBe(1);
  });

  test('rejectUnauthorized: false gets its own connections; a request without it is still verified', async () => {
    const s = await server({ https: true });
    const api = client({ credentials: alice });
    expect((await api.get(s.url, { httpsAgent: new https.Agent({ rejectUnauthorized: false }) })).status).toBe(200);
    await expect(api.get(s.url)).rejects.toThrow(/self.signed|certificate/i);
  });

  test('a different checkServerIdentity function is a different connection', async () => {
    const s = await server({ https: true });
    const api = client({ credentials: alice });
    const seen: string[] = [];
    const agent = (name: string) =>
      new https.Agent({ ca: s.certificate, checkServerIdentity: () => void seen.push(name) });
    await api.get(s.url, { httpsAgent: agent('a') });
    await api.get(s.url, { httpsAgent: agent('b') });
    expect(seen).toEqual(['a', 'b']);
    expect(api.ntlm.connectionCount()).toBe(2);
  });
});

test('ALPN offers only http/1.1 (NTLM authenticates connections, which HTTP/2 multiplexes)', async () => {
  const recorder = await startAlpnRecorder();
  after(() => recorder.close());
  const { url } = recorder;
  const api = client({ credentials: alice, origins: [url], httpsAgent: new https.Agent({ ca: recorder.ca }) });
  expect((await api.get(url, { responseType: 'text' })).data).toBe('ok');
  expect(recorder.offered).toEqual([['http/1.1']]);
});
