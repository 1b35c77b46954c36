// @ntlmkit/axios against the real Apache + mod_auth_gssapi + gss-ntlmssp server.
import https from 'node:https';
import { createNtlmAxios, type NtlmAxiosInstance } from '@ntlmkit/axios';
import { APACHE_INSTALL, apacheAvailable, startApache, type RunningPeer } from '../peers/apache';
import { describePeer } from '../peers/availability';

describePeer('Apache + gss-ntlmssp', apacheAvailable(), APACHE_INSTALL)('axios adapter ↔ Apache + gss-ntlmssp', () => {
  let apache: RunningPeer;
  const clients: NtlmAxiosInstance[] = [];
  beforeAll(async () => {
    apache = await startApache();
  }, 90_000);
  afterAll(() => {
    clients.forEach((c) => c.ntlm.destroy());
    apache?.stop();
  });
  function client(password = 'Passw0rd!', username = 'EXAMPLE\\alice') {
    const c = createNtlmAxios({ credentials: { username, password }, httpsAgent: new https.Agent({ rejectUnauthorized: false }), connections: 4 });
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

  test('a wrong password: the 401', async () => {
    await expect(client('wrong').get(`${apache.http}/`)).rejects.toMatchObject({ response: { status: 401 } });
  });
});
