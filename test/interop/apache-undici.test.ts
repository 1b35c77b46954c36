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

  // Rounds of many concurrent HTTPS requests, each round on new connections (the idle ones expire between
  // rounds), which resume the TLS session: the channel binding must come from the certificate of the
  // session's first handshake, since a resumed handshake presents none. Every request must succeed, as
  // its own user, within the connection bound.
  test.each([32, 256])(
    'HTTPS: %i concurrent requests, 4 rounds on new connections',
    async (n) => {
      const d = dispatcher(alice, { connections: 16, keepAliveTimeout: 50 });
      let opened = 0;
      d.on('connect', () => opened++);
      for (let round = 0; round < 4; round++) {
        const results = await Promise.allSettled(
          Array.from({ length: n }, async (_, i) => {
            const r = await request(`${apache.https}/echo?r=${round}&i=${i}`, { dispatcher: d });
            return { status: r.statusCode, text: await r.body.text() };
          }),
        );
        const failed = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
        expect(failed).toEqual([]);
        for (const r of results) {
          expect(r.status === 'fulfilled' && r.value).toMatchObject({
            status: 200,
            text: expect.stringContaining('user=EXAMPLE\\alice'),
          });
        }
        expect(d.connectionCount()).toBeLessThanOrEqual(16);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      // New connections in every round: at least one per round beyond the first.
      expect(opened).toBeGreaterThanOrEqual(4);
    },
    120_000,
  );
});
