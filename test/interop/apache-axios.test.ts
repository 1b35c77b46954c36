// @ntlmkit/axios against the real Apache + mod_auth_gssapi + gss-ntlmssp server.
import https from 'node:https';
import { createNtlmAxios, type NtlmAxiosInstance } from '@ntlmkit/axios';
import { APACHE_INSTALL, apacheAvailable, startApache, type RunningPeer } from '../peers/apache';
import { describePeer } from '../peers/availability';

describePeer(
  'Apache + gss-ntlmssp',
  apacheAvailable(),
  APACHE_INSTALL,
)('axios adapter ↔ Apache + gss-ntlmssp', () => {
  let apache: RunningPeer;
  const clients: NtlmAxiosInstance[] = [];
  beforeAll(async () => {
    apache = await startApache();
  }, 90_000);
  afterAll(() => {
    clients.forEach((c) => c.ntlm.destroy());
    apache?.stop();
  });
  function client(password = 'Passw0rd!', username = 'EXAMPLE\\alice', extra: Record<string, unknown> = {}) {
    const c = createNtlmAxios({
      credentials: { username, password },
      httpsAgent: new https.Agent({ rejectUnauthorized: false }),
      connections: 4,
      ...extra,
    });
    clients.push(c);
    return c;
  }

  test.each(['http', 'https'] as const)('%s: POST with a body, then reuse', async (kind) => {
    const api = client();
    const r = await api.post(`${apache[kind]}/echo`, { hello: 'ntlm' });
    expect(r.data).toBe('method=POST\nuser=EXAMPLE\\alice\nbody_length=16\n');
    const again = await api.get(`${apache[kind]}/echo`);
    expect(again.headers['x-remote-user']).toBe('EXAMPLE\\alice');
  });

  test('non-ASCII password over HTTPS, 12 concurrent requests', async () => {
    const api = client('Pässwörd€1', 'EXAMPLE\\bob');
    const results = await Promise.all(Array.from({ length: 12 }, () => api.get(`${apache.https}/echo`)));
    expect(results.every((r) => String(r.data).includes('user=EXAMPLE\\bob'))).toBe(true);
    expect(api.ntlm.connectionCount()).toBeLessThanOrEqual(4);
  });

  // Issue 12 §4: every request succeeds; later rounds open new connections that resume TLS sessions (a
  // resumed session presents no certificate: the channel binding comes from the session's).
  test.each([32, 256])(
    'HTTPS: %i concurrent requests, 4 rounds on new connections',
    async (n) => {
      const api = client('Passw0rd!', 'EXAMPLE\\alice', { connections: 16, freeSocketTimeout: 50 });
      for (let round = 0; round < 4; round++) {
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) => api.get(`${apache.https}/echo?r=${round}&i=${i}`)),
        );
        const failed = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason?.message));
        expect(failed).toEqual([]);
        expect(
          results.every((r) =>
            String((r as PromiseFulfilledResult<{ data: string }>).value.data).includes('user=EXAMPLE\\alice'),
          ),
        ).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    },
    60_000,
  );

  test('a wrong password: the 401', async () => {
    await expect(client('wrong').get(`${apache.http}/`)).rejects.toMatchObject({ response: { status: 401 } });
  });
});
