// Issue 16 for axios: per-request credentials (`ntlm: { credentials }`), connections that serve only the
// credentials that authenticated them, and a bounded budget of connections (`maxConnections` in all,
// `connections` per origin) that closes idle connections of other identities, least recently used first.
import type { Socket } from 'node:net';
import type { AxiosError } from 'axios';
import { READINGS, alice, bob, client, server, sleep } from './helpers';

const many = Array.from({ length: 20 }, (_, i) => ({ username: `EXAMPLE\\user${i}`, password: `Secret-${i}!` }));
const manyUsers = Object.fromEntries(many.map((u) => [u.username, u.password]));

/** The most connections a server had open at once. */
function watchSockets(s: import('node:http').Server): { open: Set<Socket>; max: () => number } {
  const open = new Set<Socket>();
  let max = 0;
  s.on('connection', (socket: Socket) => {
    open.add(socket);
    max = Math.max(max, open.size);
    socket.once('close', () => open.delete(socket));
  });
  return { open, max: () => max };
}

describe.each(READINGS)('server reading: $name', ({ options: reading }) => {
  test('a request with its own credentials is served as them; the instance keeps its own', async () => {
    const s = await server({ ...reading });
    const api = client({ credentials: alice, connections: 1 });
    expect((await api.get(s.url)).data.user).toBe('EXAMPLE\\alice');
    expect((await api.get(s.url, { ntlm: { credentials: bob } })).data.user).toBe('EXAMPLE\\bob');
    expect((await api.get(s.url)).data.user).toBe('EXAMPLE\\alice');
    // One connection per origin: each change of identity is a new connection and a new handshake.
    expect(s.stats.handshakes).toBe(3);
  });

  test('equal credentials in different objects share connections; different secrets never do', async () => {
    const s = await server({ ...reading, users: { ...manyUsers, 'EXAMPLE\\bob': bob.password } });
    const api = client({ connections: 4 });
    for (let i = 0; i < 3; i++)
      expect((await api.get(s.url, { ntlm: { credentials: { ...bob } } })).data.user).toBe('EXAMPLE\\bob');
    expect(s.stats.handshakes).toBe(1);
    const wrong = await api.get(s.url, {
      ntlm: { credentials: { ...bob, password: 'not-it' } },
      validateStatus: () => true,
    });
    expect(wrong.status).toBe(401);
    expect(s.stats.handshakes).toBe(2);
  });

  test('an instance without credentials: requests bring their own; one without any is not authenticated', async () => {
    const s = await server({ ...reading });
    const api = client({});
    expect((await api.get(s.url, { ntlm: { credentials: alice } })).data.user).toBe('EXAMPLE\\alice');
    await expect(api.get(s.url)).rejects.toMatchObject({ response: { status: 401 } });
  });

  test('20 users interleaved through 6 connections: nobody is served as somebody else', async () => {
    const s = await server({ ...reading, users: manyUsers, faults: { delayMs: 2 } });
    const sockets = watchSockets(s);
    const api = client({ maxConnections: 6 });
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, api.ntlm.connectionCount())), 1);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const who = many[(i * 7) % many.length]!;
        return api.get(`${s.url}/${i}`, { ntlm: { credentials: who } }).then((r) => [who.username, r.data.user]);
      }),
    );
    clearInterval(sample);
    const wrong = results.filter(([asked, served]) => asked !== served);
    expect(wrong).toEqual([]);
    expect(most).toBeLessThanOrEqual(6);
    expect(most).toBeGreaterThan(1);
    // The server may see a new connection before the FIN of the one closed to make room for it.
    expect(sockets.max()).toBeLessThanOrEqual(8);
  });
});

test('maxConnections: an idle connection of another identity is closed, least recently used first', async () => {
  const s = await server({ users: manyUsers });
  const sockets = watchSockets(s);
  const api = client({ maxConnections: 2 });
  const as = (i: number) => api.get(s.url, { ntlm: { credentials: many[i]! } }).then((r) => r.data.user);
  expect(await as(0)).toBe('EXAMPLE\\user0');
  expect(await as(1)).toBe('EXAMPLE\\user1');
  expect(await as(0)).toBe('EXAMPLE\\user0'); // user0 is now the most recently used
  expect(s.stats.handshakes).toBe(2);
  expect(await as(2)).toBe('EXAMPLE\\user2'); // closes user1's idle connection
  await sleep(20);
  expect(sockets.open.size).toBe(2);
  expect(await as(0)).toBe('EXAMPLE\\user0'); // still authenticated
  expect(s.stats.handshakes).toBe(3);
  expect(sockets.max()).toBeLessThanOrEqual(3); // the evicted one closes as the new one opens
});

test('maxConnections across origins: eviction while requests are in flight, never of a busy connection', async () => {
  const slow = await server({ users: manyUsers, faults: { delayMs: 300 } });
  const fast = await server({ users: manyUsers });
  const api = client({ maxConnections: 3 });
  const busy = [0, 1].map((i) => api.get(slow.url, { ntlm: { credentials: many[i]! } }));
  await sleep(50);
  // One place left: fast requests of several users take turns on it, evicting each other's idle connection.
  for (let i = 2; i < 6; i++)
    expect((await api.get(fast.url, { ntlm: { credentials: many[i]! } })).data.user).toBe(`EXAMPLE\\user${i}`);
  expect((await Promise.all(busy)).map((r) => r.data.user)).toEqual(['EXAMPLE\\user0', 'EXAMPLE\\user1']);
  expect(api.ntlm.connectionCount()).toBeLessThanOrEqual(3);
});

test('a request waiting for the budget rejects at once on abort, and nothing is sent for it', async () => {
  const slow = await server({ users: manyUsers, faults: { delayMs: 500 } });
  const other = await server({ users: manyUsers });
  const seen: string[] = [];
  other.on('request', (req: import('node:http').IncomingMessage) => seen.push(req.url ?? ''));
  const api = client({ maxConnections: 1, credentials: alice });
  const first = api.get(slow.url, { ntlm: { credentials: many[0]! } });
  await sleep(50);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const start = Date.now();
  const error = await api
    .get(`${other.url}/waiting`, { signal: controller.signal, ntlm: { credentials: many[1]! } })
    .catch((e: AxiosError) => e);
  expect((error as AxiosError).code).toBe('ERR_CANCELED');
  expect(Date.now() - start).toBeLessThan(400);
  await first;
  await sleep(50);
  expect(seen).toEqual([]);
  // The place is free again.
  expect((await api.get(other.url, { ntlm: { credentials: many[1]! } })).data.user).toBe('EXAMPLE\\user1');
});
