// The `challenge` option: every CHALLENGE of the server (or proxy) shaped like another server's, and the
// AUTHENTICATE checked against what was sent. KEY_EXCH without SIGN or SEAL is where the strict and the
// lenient reading of the session key differ; a CHALLENGE without a timestamp means no MIC.
import { NegotiateFlags, NtlmError, parseChallengeMessage, fromBase64 } from '@ntlmkit/core';
import { createNtlmProxy, createNtlmServer, type OutcomeEvent } from '../src/index';
import { alice, handshake, PinnedAgent, stopAfterEach, users } from './wire';

const F = NegotiateFlags;
const track = stopAfterEach();

function challengeOf(line: unknown) {
  return parseChallengeMessage(fromBase64(String(line).split(' ')[1]!));
}

describe.each([false, true])('lenientSessionKey %s', (lenientSessionKey) => {
  test('withhold SIGN and SEAL: KEY_EXCH granted alone, the client still accepted', async () => {
    const server = track.keep(createNtlmServer({ users, lenientSessionKey, challenge: { withhold: F.SIGN | F.SEAL } }));
    await server.start();
    const outcomes: OutcomeEvent[] = [];
    server.on('ntlm', (e: OutcomeEvent) => outcomes.push(e));
    const r = await handshake(server.url, track.agent(new PinnedAgent()), alice);
    const c = challengeOf(r.challenge.headers['www-authenticate']);
    expect(c.flags & F.KEY_EXCH).toBe(F.KEY_EXCH);
    expect(c.flags & (F.SIGN | F.SEAL)).toBe(0);
    expect(r.final.status).toBe(200);
    expect(outcomes.at(-1)).toMatchObject({
      ok: true,
      mic: true,
      micKey: lenientSessionKey ? 'random-session-key' : 'key-exchange-key',
    });
  });
});

test('timestamp false: no MsvAvTimestamp in the CHALLENGE; the client sends no MIC and is accepted', async () => {
  const server = track.keep(createNtlmServer({ users, challenge: { timestamp: false } }));
  await server.start();
  const r = await handshake(server.url, track.agent(new PinnedAgent()), alice);
  expect(challengeOf(r.challenge.headers['www-authenticate']).timestamp).toBeUndefined();
  expect(r.final.status).toBe(200);
  expect(JSON.parse(String(r.final.headers['x-ntlm-outcome']))).toMatchObject({ ok: true, mic: false });
});

test('the proxy shapes its CHALLENGE the same way', async () => {
  const origin = track.keep(createNtlmServer({ authenticate: false }));
  const proxy = track.keep(createNtlmProxy({ users, challenge: { withhold: F.SIGN | F.SEAL, timestamp: false } }));
  await origin.start();
  await proxy.start();
  const agent = track.agent(new PinnedAgent());
  const r = await handshake(proxy.url, agent, alice, { path: `${origin.url}/x` }, 'proxy-authorization');
  const c = challengeOf(r.challenge.headers['proxy-authenticate']);
  expect(c.flags & (F.SIGN | F.SEAL)).toBe(0);
  expect(c.timestamp).toBeUndefined();
  expect(r.final.status).toBe(200);
});

test.each([
  ['a string', 'x'],
  ['an array', []],
  ['an unknown key', { timestamps: false }],
  ['a non-boolean timestamp', { timestamp: 0 }],
  ['a negative mask', { withhold: -1 }],
  ['a fractional mask', { withhold: 1.5 }],
  ['a mask over 32 bits', { withhold: 2 ** 32 }],
])('a bad `challenge` option (%s) is an NtlmError', (_what, challenge) => {
  for (const create of [createNtlmServer, createNtlmProxy]) {
    let error: unknown;
    try {
      create({ users, challenge: challenge as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NtlmError);
    expect((error as NtlmError).code).toBe('ERR_NTLM_INVALID_ARGUMENT');
  }
});
