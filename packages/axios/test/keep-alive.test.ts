// Issue 12 §3: real servers' keep-alive habits never break a handshake. NEGOTIATE → CHALLENGE →
// AUTHENTICATE run back to back on the pinned connection whatever the Keep-Alive hint says (Node's agent
// would drop a socket whose hint is 1 s or less) and even when idle connections close after 20 ms.
import dns from 'node:dns';
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { defaultHandler } from '@ntlmkit/server';
import { READINGS, alice, client, server } from './helpers';

const cases = [
  ['Keep-Alive: timeout=1', { keepAliveHint: 1 }],
  ['Keep-Alive: timeout=0', { keepAliveHint: 0 }],
  ['idle connections closed after 20 ms', { closeIdleAfterMs: 20 }],
] as const;

describe.each(READINGS)('server reading: $name', ({ options: reading }) => {
  describe.each(cases)('%s', (_name, faults) => {
    test('20 sequential requests, each authenticated', async () => {
      const s = await server({ faults, ...reading });
      const api = client({ credentials: alice });
      for (let i = 0; i < 20; i++) {
        const r = await api.get(`${s.url}/seq/${i}`);
        expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice', path: `/seq/${i}` });
      }
      expect(s.stats.executed).toBe(20);
      expect(s.stats.failures).toBe(0);
    });

    test('8 concurrent requests, twice', async () => {
      const s = await server({ faults: { ...faults, delayMs: 5 }, ...reading });
      const api = client({ credentials: alice, connections: 4 });
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => api.post(`${s.url}/c/${i}`, { i })));
        expect(results.map((r) => r.data.user)).toEqual(Array(8).fill('EXAMPLE\\alice'));
        expect(results.map((r) => r.data.bodyLength)).toEqual(results.map((_, i) => JSON.stringify({ i }).length));
      }
      expect(s.stats.executed).toBe(16);
      expect(s.stats.failures).toBe(0);
    });
  });
});

test('a hint of 1 s: later requests do not reuse the connection after the hint runs out', async () => {
  const s = await server({ faults: { keepAliveHint: 1 } });
  const api = client({ credentials: alice });
  await api.get(s.url);
  await api.get(s.url);
  // Reusable until the hint less 1 s: every request gets a new connection and its own handshake.
  expect(s.stats.handshakes).toBe(2);
  expect(s.stats.connections).toBe(2);
});

test('pools of TLS or socket configurations that have no connection left are dropped (a gateway with many)', async () => {
  // Each request brings its own agent with its own `lookup`: a configuration of its own, as a client
  // certificate per user would be. The server closes every connection after its response.
  const s = await server({
    handler: (req, res, context) => {
      res.setHeader('connection', 'close');
      return defaultHandler(req, res, context);
    },
  });
  const api = client({ credentials: alice });
  for (let i = 0; i < 200; i++) {
    const lookup: LookupFunction = (host, options, callback) => dns.lookup(host, options, callback);
    const r = await api.get(`${s.url}/cfg/${i}`, { httpAgent: new http.Agent({ lookup }) });
    expect(r.data).toMatchObject({ user: 'EXAMPLE\\alice' });
  }
  await new Promise((r) => setTimeout(r, 20));
  expect(api.ntlm.connectionCount()).toBe(0);
  // 200 configurations were used; the pools without a connection went at each sweep.
  expect(api.ntlm.poolCount).toBeLessThanOrEqual(64);
  // A configuration used again still works (a new pool), and equal options share one pool.
  const shared = new http.Agent({ keepAlive: true });
  const again = client({ credentials: alice });
  await again.get(`${s.url}/a`, { httpAgent: shared });
  await again.get(`${s.url}/b`, { httpAgent: new http.Agent({ keepAlive: true }) });
  expect(again.ntlm.poolCount).toBe(1);
});
