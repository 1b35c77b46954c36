// What the gate makes of the credentials header itself: the scheme a handshake started under, credentials
// it cannot read (RFC 9110 15.5.2: refused, never taken for none), canonical base64 only, and a restarted
// handshake's stale AUTHENTICATE named as such.
import http from 'node:http';
import { buildAuthenticateMessage, createNegotiateMessage, toBase64 } from '@ntlmkit/core';
import {
  createNtlmProxy,
  createNtlmServer,
  type NtlmServerOptions,
  type OutcomeEvent,
  type ProxyOutcomeEvent,
} from '../src/index';
import { challengeFrom, newAgent, ntlmHandshake, outcome, send } from './client';
import { alice, stopAfterEach, users } from './wire';

const track = stopAfterEach();

async function start(options: NtlmServerOptions = {}) {
  const server = track.keep(createNtlmServer({ users, ...options }));
  await server.start();
  const events: OutcomeEvent[] = [];
  server.on('ntlm', (e) => events.push(e));
  return { server, events, agent: () => track.agent(newAgent(server.url)) };
}

describe('the scheme a handshake started under (RFC 4559)', () => {
  test('a Type 1 under NTLM then a Type 3 under Negotiate is refused, and the CHALLENGE is spent', async () => {
    const { server, events, agent } = await start();
    const a = agent();
    const negotiate = createNegotiateMessage();
    const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(negotiate)}` });
    expect(r1.status).toBe(401);
    const m = buildAuthenticateMessage({ negotiate, challenge: challengeFrom(r1).token, ...alice }).message;
    const r3 = await send(server.url, a, { authorization: `Negotiate ${toBase64(m)}` });
    expect(r3.status).toBe(401);
    expect(outcome(r3)).toMatchObject({ ok: false });
    expect(String(outcome(r3).reason)).toMatch(/AUTHENTICATE under Negotiate, but the handshake started under NTLM/);
    expect(events.map((e) => e.reason)).toEqual([outcome(r3).reason]);
    expect(server.stats).toMatchObject({ authenticated: 0, failures: 1 });
    // Answered once, even under the wrong scheme.
    const again = await send(server.url, a, { authorization: `NTLM ${toBase64(m)}` });
    expect(outcome(again).reason).toMatch(/without a CHALLENGE/);
  });

  test('the same the other way round; the scheme is case-insensitive', async () => {
    const { server, agent } = await start();
    const a = agent();
    const negotiate = createNegotiateMessage();
    const r1 = await send(server.url, a, { authorization: `Negotiate ${toBase64(negotiate)}` });
    const m = buildAuthenticateMessage({ negotiate, challenge: challengeFrom(r1).token, ...alice }).message;
    const r3 = await send(server.url, a, { authorization: `ntlm ${toBase64(m)}` });
    expect(r3.status).toBe(401);
    expect(outcome(r3).reason).toMatch(/under NTLM, but the handshake started under Negotiate/);
    const ok = await ntlmHandshake(server.url, agent(), alice, { scheme: 'negotiate' });
    expect(ok.status).toBe(200);
  });

  test.each([
    ['NTLM', 'Negotiate'],
    ['Negotiate', 'NTLM'],
  ] as const)('schemes: %s refuses a handshake under %s', async (schemes, other) => {
    const { server, events, agent } = await start({ schemes });
    const r = await send(server.url, agent(), { authorization: `${other} ${toBase64(createNegotiateMessage())}` });
    expect(r.status).toBe(401);
    expect(r.challenges).toEqual([schemes]);
    expect(outcome(r).reason).toMatch(new RegExp(`scheme "${other}" is not offered here`));
    expect(events).toHaveLength(1);
    expect(server.stats).toMatchObject({ handshakes: 0, failures: 1 });
    expect((await ntlmHandshake(server.url, agent(), alice, { scheme: schemes })).status).toBe(200);
  });

  test('both-joined offers both schemes', async () => {
    const { server, agent } = await start({ schemes: 'both-joined' });
    expect((await ntlmHandshake(server.url, agent(), alice, { scheme: 'Negotiate' })).status).toBe(200);
    expect((await ntlmHandshake(server.url, agent(), alice, { scheme: 'NTLM' })).status).toBe(200);
  });

  test('the proxy offers NTLM only: Proxy-Authorization: Negotiate is refused with a reason', async () => {
    const origin = track.keep(createNtlmServer({ authenticate: false }));
    const proxy = track.keep(createNtlmProxy({ users }));
    await origin.start();
    await proxy.start();
    const events: ProxyOutcomeEvent[] = [];
    proxy.on('ntlm', (e) => events.push(e));
    const { hostname, port } = new URL(proxy.url);
    const status = await new Promise<number>((resolve, reject) => {
      const headers = { 'proxy-authorization': `Negotiate ${toBase64(createNegotiateMessage())}` };
      http
        .request({ host: hostname, port, path: `${origin.url}/`, headers, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(407);
    expect(events).toHaveLength(1);
    expect(events[0]!.reason).toMatch(/scheme "Negotiate" is not offered here/);
    expect(proxy.stats).toMatchObject({ handshakes: 0, failures: 1, forwarded: 0 });
  });
});

describe('credentials the server cannot read are refused (RFC 9110 15.5.2), never taken for none', () => {
  const unreadable = [
    ['Basic', 'Basic YWxpY2U6UGFzc3cwcmQh', /scheme "Basic" is not offered here/],
    ['a bare NTLM', 'NTLM', /NTLM credentials without a token/],
    ['a space inside the token', 'NTLM TlRMTVNT UAABAAAA', /not a single base64 token68/],
    ['auth-params', 'NTLM realm="x"', /not a single base64 token68/],
    ['no scheme', '=TlRMTVNTUAABAAAA', /malformed credentials header/],
    ['a Basic header that is not well-formed', 'Basic  YWxpY2U6UGFzc3cwcmQh extra', /not offered here/],
  ] as const;

  test.each(unreadable)(
    '%s, on an authenticated connection: 401, and the connection is no longer authenticated',
    async (_n, header, reason) => {
      const { server, events, agent } = await start();
      const a = agent();
      expect((await ntlmHandshake(server.url, a, alice)).status).toBe(200);
      expect((await send(server.url, a)).status).toBe(200);
      const r = await send(server.url, a, { authorization: header });
      expect(r.status).toBe(401);
      expect(r.challenges).toEqual(['Negotiate', 'NTLM']);
      expect(outcome(r)).toMatchObject({ ok: false });
      expect(String(outcome(r).reason)).toMatch(reason);
      expect(events.map((e) => e.ok)).toEqual([true, false]);
      expect(server.stats).toMatchObject({ authenticated: 1, failures: 1, executed: 2 });
      expect((await send(server.url, a)).status).toBe(401);
    },
  );

  test.each(unreadable)('%s, on a new connection: 401 with a recorded reason', async (_n, header, reason) => {
    const { server, events, agent } = await start();
    const r = await send(server.url, agent(), { authorization: header });
    expect(r.status).toBe(401);
    expect(String(outcome(r).reason)).toMatch(reason);
    expect(events).toHaveLength(1);
    // The reason names what was wrong, never the credentials (a Basic header carries a password).
    const credentials = header.split(' ').slice(1).join(' ');
    if (credentials.length > 4) {
      expect(String(outcome(r).reason)).not.toContain(credentials.slice(0, 8));
      expect(JSON.stringify(events)).not.toContain(credentials.slice(0, 8));
    }
  });

  test('perRequest: the same', async () => {
    const { server, agent } = await start({ perRequest: true });
    const r = await send(server.url, agent(), { authorization: 'Basic YWxpY2U6UGFzc3cwcmQh' });
    expect(r.status).toBe(401);
    expect(outcome(r).reason).toMatch(/Basic/);
  });

  test('no header at all on an authenticated connection still runs as the connection’s user', async () => {
    const { server, events, agent } = await start();
    const a = agent();
    await ntlmHandshake(server.url, a, alice);
    const r = await send(server.url, a);
    expect(r.status).toBe(200);
    expect(r.headers['x-ntlm-outcome']).toBeUndefined();
    expect(events).toHaveLength(1);
  });
});

describe('canonical base64 only (RFC 4648 3.5), whatever core’s decoder tolerates', () => {
  const token = toBase64(createNegotiateMessage());
  test('the NEGOTIATE’s token is padded (the cases below need it)', () => {
    expect(token).toMatch(/[^=]==$/);
  });
  const lastBits = (t: string) => {
    const i = t.length - 3; // the character before '==' carries 4 pad bits
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    return `${t.slice(0, i)}${alphabet[alphabet.indexOf(t[i]!) | 1]}${t.slice(i + 1)}`;
  };
  test.each([
    ['extra padding', `${token}===`],
    ['missing padding', token.replace(/=+$/, '')],
    ['non-zero pad bits', lastBits(token)],
    ['non-zero pad bits, unpadded', lastBits(token).replace(/=+$/, '')],
  ])('%s: refused with a reason, no CHALLENGE issued', async (_n, text) => {
    const { server, events, agent } = await start();
    const r = await send(server.url, agent(), { authorization: `NTLM ${text}` });
    expect(r.status).toBe(401);
    expect(r.challenges).toEqual(['Negotiate', 'NTLM']);
    expect(outcome(r).reason).toMatch(/not canonical base64/);
    expect(events).toHaveLength(1);
    expect(server.stats).toMatchObject({ handshakes: 0, failures: 1 });
  });

  test('the canonical token gets its CHALLENGE', async () => {
    const { server, agent } = await start();
    const r = await send(server.url, agent(), { authorization: `NTLM ${token}` });
    expect(r.status).toBe(401);
    expect(challengeFrom(r).scheme).toBe('NTLM');
  });

  test('a non-canonical AUTHENTICATE is refused too, before it is verified', async () => {
    const { server, agent } = await start();
    const a = agent();
    const negotiate = createNegotiateMessage();
    const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(negotiate)}` });
    const m = buildAuthenticateMessage({ negotiate, challenge: challengeFrom(r1).token, ...alice }).message;
    const r3 = await send(server.url, a, { authorization: `NTLM ${toBase64(m).replace(/=*$/, '====')}` });
    expect(r3.status).toBe(401);
    expect(outcome(r3).reason).toMatch(/not canonical base64/);
    expect(server.stats.authenticated).toBe(0);
  });
});

describe('a restarted handshake (a second Type 1 before the Type 3)', () => {
  test('the AUTHENTICATE for the superseded CHALLENGE is named as such, not as a wrong password', async () => {
    const { server, events, agent } = await start();
    const a = agent();
    const first = createNegotiateMessage();
    const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(first)}` });
    const second = createNegotiateMessage();
    const r2 = await send(server.url, a, { authorization: `NTLM ${toBase64(second)}` });
    expect(r2.status).toBe(401);
    const stale = buildAuthenticateMessage({ negotiate: first, challenge: challengeFrom(r1).token, ...alice }).message;
    const r3 = await send(server.url, a, { authorization: `NTLM ${toBase64(stale)}` });
    expect(r3.status).toBe(401);
    expect(outcome(r3).reason).toBe('AUTHENTICATE answers a superseded CHALLENGE (a later NEGOTIATE replaced it)');
    expect(events.map((e) => e.reason)).toEqual([outcome(r3).reason]);
  });

  test('the restart itself is allowed: the AUTHENTICATE for the current CHALLENGE authenticates', async () => {
    const { server, agent } = await start();
    const a = agent();
    await send(server.url, a, { authorization: `NTLM ${toBase64(createNegotiateMessage())}` });
    expect((await ntlmHandshake(server.url, a, alice)).status).toBe(200);
    expect(server.stats).toMatchObject({ handshakes: 2, authenticated: 1, failures: 0 });
  });

  test('a wrong password after a restart is still a wrong password', async () => {
    const { server, agent } = await start();
    const a = agent();
    const first = createNegotiateMessage();
    const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(first)}` });
    await send(server.url, a, { authorization: `NTLM ${toBase64(createNegotiateMessage())}` });
    const token = challengeFrom(r1).token;
    const wrong = buildAuthenticateMessage({ negotiate: first, challenge: token, ...alice, password: 'x' }).message;
    const r3 = await send(server.url, a, { authorization: `NTLM ${toBase64(wrong)}` });
    expect(outcome(r3).reason).toMatch(/^wrong password/);
  });
});
