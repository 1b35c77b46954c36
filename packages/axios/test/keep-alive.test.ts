// Issue 12 §3: real servers' keep-alive habits never break a handshake. NEGOTIATE → CHALLENGE →
// AUTHENTICATE run back to back on the pinned connection whatever the Keep-Alive hint says (Node's agent
// would drop a socket whose hint is 1 s or less) and even when idle connections close after 20 ms.
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
