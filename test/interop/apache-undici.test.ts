// @ntlmkit/undici against a real third-party NTLM server: Apache + mod_auth_gssapi + gss-ntlmssp.
import { request } from 'undici';
import { NtlmDispatcher, createNtlmFetch } from '@ntlmkit/undici';
import { APACHE_INSTALL, apacheAvailable, startApache, type RunningPeer } from '../peers/apache';
import { describePeer } from '../peers/availability';

const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const bob = { username: 'EXAMPLE\\bob', password: 'Pässwörd€1' };

describePeer(
  'Apache + gss-ntlmssp',
  apacheAvailable(),
  APACHE_INSTALL,
)('undici adapter ↔ Apache + gss-ntlmssp', () => {
  let apache: RunningPeer;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    apache = await startApache();
  }, 90_000);
  afterAll(async () => {
    for (const c of closers) await c();
    apache?.stop();
  });

  function dispatcher(credentials = alice, extra = {}) {
    const d = new NtlmDispatcher({ credentials, connect: { rejectUnauthorized: false }, ...extra });
    closers.push(() => d.close());
    return d;
  }

  test.each(['http', 'https'] as const)(
    '%s: NtlmDispatcher POST, then reuse of the authenticated connection',
    async (kind) => {
      const d = dispatcher();
      const url = `${apache[kind]}/echo`;
      const r = await request(url, { dispatcher: d, method: 'POST', body: 'hello ntlm' });
      expect(r.statusCode).toBe(200);
      expect(await r.body.text()).toBe('method=POST\nuser=EXAMPLE\\alice\nbody_length=10\n');
      const again = await request(url, { dispatcher: d });
      expect(again.statusCode).toBe(200);
      expect(again.headers['x-remote-user']).toBe('EXAMPLE\\alice');
      await again.body.dump();
      expect(d.connectionCount()).toBe(1);
    },
  );

  test.each(['http', 'https'] as const)('%s: fetch wrapper, non-ASCII password', async (kind) => {
    const f = createNtlmFetch({ credentials: bob, connect: { rejectUnauthorized: false } });
    closers.push(() => f.close());
    const r = await f(`${apache[kind]}/echo`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('user=EXAMPLE\\bob');
  });

  test('a wrong password gets the 401 once', async () => {
    const r = await request(`${apache.http}/`, { dispatcher: dispatcher({ ...alice, password: 'wrong' }) });
    expect(r.statusCode).toBe(401);
    await r.body.dump();
  });

  test('16 concurrent requests over HTTPS, at most 4 connections', async () => {
    const d = dispatcher(alice, { connections: 4 });
    const statuses = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const r = await request(`${apache.https}/echo`, { dispatcher: d });
        await r.body.dump();
        return r.statusCode;
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(d.connectionCount()).toBeLessThanOrEqual(4);
  });
});
