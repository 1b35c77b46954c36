// The core's adapter contract is enough to write an adapter: a small one over node:http
// (test/adapters/node-http-adapter.ts) authenticates, reuses connections, keeps users apart, sends a body
// once and survives real servers' keep-alive habits, against @ntlmkit/server.
import { createNtlmServer, type NtlmServer, type NtlmServerOptions } from '@ntlmkit/server';
import { createClient } from './adapters/node-http-adapter';

const users = { 'EXAMPLE\\alice': 'Passw0rd!', 'EXAMPLE\\bob': 'B0b-Passw0rd' };
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const bob = { username: 'EXAMPLE\\bob', password: 'B0b-Passw0rd' };
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
async function server(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users, ...options });
  await s.start();
  cleanup.push(() => s.stop());
  return s;
}
function client(credentials = alice, connections = 4) {
  const c = createClient({ credentials, connections });
  cleanup.push(() => c.close());
  return c;
}

test('authenticates (3 exchanges), then 1 on the authenticated connection', async () => {
  const s = await server();
  const c = client();
  expect(JSON.parse((await c.request(`${s.url}/a`)).body)).toMatchObject({ user: 'EXAMPLE\\alice', path: '/a' });
  expect(s.stats.requests).toBe(3);
  await c.request(`${s.url}/b`);
  expect(s.stats).toMatchObject({ requests: 4, handshakes: 1, connections: 1 });
});

test('two clients, two users, interleaved: each request as its own user', async () => {
  const s = await server();
  const a = client(alice);
  const b = client(bob);
  const results = await Promise.all(
    Array.from({ length: 16 }, (_, i) => (i % 2 ? b : a).request(s.url).then((r) => [i % 2, JSON.parse(r.body).user])),
  );
  for (const [who, user] of results) expect(user).toBe(who ? 'EXAMPLE\\bob' : 'EXAMPLE\\alice');
});

test('a POST body goes once on a known origin, with the AUTHENTICATE', async () => {
  const s = await server();
  const c = client();
  await c.request(s.url);
  s.closeAllConnections();
  await new Promise((r) => setTimeout(r, 30));
  s.resetStats();
  const r = await c.request(s.url, { method: 'POST', body: 'x'.repeat(1000) });
  expect(JSON.parse(r.body)).toMatchObject({ bodyLength: 1000 });
  expect(s.stats).toMatchObject({ bodyBytes: 1000, requests: 2 });
});

test.each([
  ['Keep-Alive: timeout=1', { keepAliveHint: 1 }],
  ['Keep-Alive: timeout=0', { keepAliveHint: 0 }],
  ['idle connections closed after 20 ms', { closeIdleAfterMs: 20 }],
])('%s: the handshake legs run back to back, 10 sequential and 4 concurrent requests', async (_name, faults) => {
  const s = await server({ faults });
  const c = client();
  for (let i = 0; i < 10; i++) expect(JSON.parse((await c.request(`${s.url}/${i}`)).body).user).toBe('EXAMPLE\\alice');
  const all = await Promise.all(Array.from({ length: 4 }, () => c.request(s.url)));
  expect(all.every((r) => r.status === 200)).toBe(true);
  expect(s.stats.failures).toBe(0);
});

test('closed after every CHALLENGE: one fresh attempt, then ERR_NTLM_CONNECTION_CLOSED', async () => {
  const s = await server({ faults: { closeAfterChallenge: true } });
  const c = client();
  await expect(c.request(s.url)).rejects.toMatchObject({ code: 'ERR_NTLM_CONNECTION_CLOSED' });
});
