import http from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  AvFlags,
  AvId,
  computeResponseV2,
  createNegotiateMessage,
  dateToFiletime,
  encodeAuthenticateMessage,
  encodeAvPairs,
  mic,
  ntowfv2,
  parseChallengeMessage,
  toBase64,
  u32leCompat,
  DEFAULT_VERSION,
  NegotiateFlags,
} from './imports';
import {
  createNtlmServer,
  createSelfSignedCertificate,
  type NtlmServer,
  type NtlmServerOptions,
  type OutcomeEvent,
} from '../src/index';
import { challengeFrom, newAgent, ntlmHandshake, outcome, send } from './client';

const users = {
  'EXAMPLE\\alice': 'Passw0rd!',
  'EXAMPLE\\bob': 'Pässwörd€1',
  carol: { ntHash: '3c6e7a4a7d5d1fd8f8eb8d5a4f8aa6b3' },
};
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const servers: NtlmServer[] = [];
const agents: http.Agent[] = [];

async function start(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const server = createNtlmServer({ users, ...options });
  servers.push(server);
  await server.start();
  return server;
}
function agent(server: NtlmServer): http.Agent {
  const a = newAgent(server.url);
  agents.push(a);
  return a;
}
afterEach(async () => {
  agents.splice(0).forEach((a) => a.destroy());
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('handshake over HTTP', () => {
  test('401 with both schemes, then NTLMv2 + MIC authenticates the connection', async () => {
    const server = await start();
    const a = agent(server);
    const first = await send(server.url, a);
    expect(first.status).toBe(401);
    expect(first.challenges).toEqual(['Negotiate', 'NTLM']);
    const ok = await ntlmHandshake(server.url, a, alice);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ user: 'EXAMPLE\\alice', method: 'GET', path: '/' });
    expect(outcome(ok)).toMatchObject({ ok: true, dialect: 'NTLMv2', mic: true, channelBinding: 'absent' });
    // Later requests on the same socket need no header.
    const again = await send(server.url, a);
    expect(again.status).toBe(200);
    expect(server.stats).toMatchObject({ handshakes: 1, authenticated: 1, connections: 1 });
    // A new connection is not authenticated.
    expect((await send(server.url, agent(server))).status).toBe(401);
  });

  test('challenge carries a timestamp and realistic AV pairs', async () => {
    const server = await start({ targetNames: { netbiosDomain: 'CORP', dnsDomain: 'corp.example' } });
    const r = await send(server.url, agent(server), { authorization: `NTLM ${toBase64(createNegotiateMessage())}` });
    const c = parseChallengeMessage(challengeFrom(r).token);
    expect(c.targetName).toBe('CORP');
    expect(c.timestampMs).toBeGreaterThan(Date.now() - 60_000);
    expect(c.targetInfo.map((p) => p.id)).toEqual([
      AvId.NbDomainName,
      AvId.NbComputerName,
      AvId.DnsDomainName,
      AvId.DnsComputerName,
      AvId.Timestamp,
    ]);
  });

  test.each([
    ['NTLM', ['NTLM']],
    ['Negotiate', ['Negotiate']],
    ['both-joined', ['Negotiate, NTLM']],
  ] as const)('schemes: %s', async (schemes, expected) => {
    const server = await start({ schemes });
    const r = await send(server.url, agent(server));
    expect(r.challenges).toEqual(expected);
  });

  test('raw NTLM under Negotiate is answered under Negotiate', async () => {
    const server = await start({ schemes: 'Negotiate' });
    const ok = await ntlmHandshake(server.url, agent(server), alice, { scheme: 'Negotiate' });
    expect(ok.status).toBe(200);
  });

  test('perRequest demands a handshake on every request', async () => {
    const server = await start({ perRequest: true });
    const a = agent(server);
    expect((await ntlmHandshake(server.url, a, alice)).status).toBe(200);
    expect((await send(server.url, a)).status).toBe(401);
  });

  test('non-ASCII password, NT hash user, UPN', async () => {
    const server = await start();
    expect(
      (await ntlmHandshake(server.url, agent(server), { username: 'EXAMPLE\\bob', password: 'Pässwörd€1' })).status,
    ).toBe(200);
    const carol = await ntlmHandshake(server.url, agent(server), {
      username: 'carol',
      ntHash: '3c6e7a4a7d5d1fd8f8eb8d5a4f8aa6b3',
    });
    expect(outcome(carol)).toMatchObject({ ok: true, user: 'carol' });
    expect(
      (await ntlmHandshake(server.url, agent(server), { username: 'alice@example.com', password: 'Passw0rd!' })).status,
    ).toBe(200);
  });
});

describe('failures are 401 with a recorded reason', () => {
  test.each([
    ['wrong password', { ...alice, password: 'nope' }, {}, /wrong password/],
    ['unknown user', { username: 'EXAMPLE\\mallory', password: 'x' }, {}, /unknown user/],
    [
      'bad MIC',
      alice,
      {
        tamper: (m: Uint8Array) => {
          const t = m.slice();
          t[72]! ^= 1;
          return t;
        },
      },
      /bad MIC/,
    ],
    ['stale response', alice, { timestamp: dateToFiletime(Date.now() - 3600_000) }, /stale/],
    ['NTLMv1 refused by default', alice, { lmCompatibilityLevel: 2 as const }, /NTLMv1 refused/],
  ])('%s', async (_name, credentials, overrides, reason) => {
    const server = await start();
    const events: OutcomeEvent[] = [];
    server.on('ntlm', (e) => events.push(e));
    const r = await ntlmHandshake(server.url, agent(server), credentials, overrides);
    expect(r.status).toBe(401);
    expect(String(outcome(r).reason)).toMatch(reason);
    expect(events).toHaveLength(1);
    expect(events[0]!.ok).toBe(false);
    expect(server.stats.failures).toBe(1);
  });

  test('a Type 3 on another connection than its Type 1', async () => {
    const server = await start();
    const a = agent(server);
    const negotiate = createNegotiateMessage();
    const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(negotiate)}` });
    const { buildAuthenticateMessage } = await import('@ntlmkit/core');
    const m = buildAuthenticateMessage({ negotiate, challenge: challengeFrom(r1).token, ...alice }).message;
    const r3 = await send(server.url, agent(server), { authorization: `NTLM ${toBase64(m)}` });
    expect(r3.status).toBe(401);
    expect(outcome(r3).reason).toMatch(/without a CHALLENGE on this connection/);
  });

  test('a replayed AUTHENTICATE', async () => {
    // A server whose "random" challenge repeats, so that a captured Type 3 would verify again.
    const server = await start({ random: (n) => new Uint8Array(n).fill(7) });
    const first = await ntlmHandshake(server.url, agent(server), alice);
    expect(first.status).toBe(200);
    const a = agent(server);
    await send(server.url, a, { authorization: `NTLM ${toBase64(createNegotiateMessage())}` });
    const replay = await send(server.url, a, { authorization: `NTLM ${toBase64(first.authenticate)}` });
    expect(replay.status).toBe(401);
    expect(outcome(replay).reason).toMatch(/replayed/);
  });

  test('garbage and SPNEGO tokens', async () => {
    const server = await start();
    const a = agent(server);
    expect(outcome(await send(server.url, a, { authorization: 'NTLM !!!' })).reason).toMatch(/malformed token/);
    expect(outcome(await send(server.url, a, { authorization: 'NTLM TlRMTVNTUAABAAAA' })).reason).toMatch(
      /malformed NEGOTIATE/,
    );
    expect(
      outcome(await send(server.url, a, { authorization: 'Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag' })).reason,
    ).toMatch(/SPNEGO/);
  });

  test('NTLMv1 and ESS accepted when lmCompatibilityLevel allows them', async () => {
    const server = await start({ lmCompatibilityLevel: 4 });
    const ess = await ntlmHandshake(server.url, agent(server), alice, { lmCompatibilityLevel: 2 });
    expect(outcome(ess)).toMatchObject({ ok: true, dialect: 'NTLMv1-ESS' });
    const v1 = await ntlmHandshake(server.url, agent(server), alice, { lmCompatibilityLevel: 0 });
    expect(outcome(v1)).toMatchObject({ ok: true, dialect: 'NTLMv1' });
    const wrong = await ntlmHandshake(
      server.url,
      agent(server),
      { ...alice, password: 'x' },
      { lmCompatibilityLevel: 2 },
    );
    expect(wrong.status).toBe(401);
  });
});

/** An AUTHENTICATE with arbitrary AV pairs (core refuses to build a zero binding, so tests craft it). */
function craft(
  challengeBytes: Uint8Array,
  negotiate: Uint8Array,
  extra: { id: number; value: Uint8Array }[],
): Uint8Array {
  const c = parseChallengeMessage(challengeBytes);
  const pairs = [...c.targetInfo, { id: AvId.Flags, value: u32leCompat(AvFlags.MIC_PRESENT) }, ...extra];
  const key = ntowfv2('Passw0rd!', 'alice', 'EXAMPLE');
  const r = computeResponseV2({
    responseKeyNT: key,
    responseKeyLM: key,
    serverChallenge: c.serverChallenge,
    clientChallenge: new Uint8Array(8).fill(1),
    time: c.timestamp!,
    serverName: encodeAvPairs(pairs),
    zeroLmResponse: true,
  });
  const flags =
    (NegotiateFlags.UNICODE |
      NegotiateFlags.NTLM |
      NegotiateFlags.VERSION |
      NegotiateFlags.EXTENDED_SESSIONSECURITY) >>>
    0;
  const m = encodeAuthenticateMessage({
    flags,
    lmChallengeResponse: r.lmChallengeResponse,
    ntChallengeResponse: r.ntChallengeResponse,
    domain: 'EXAMPLE',
    user: 'alice',
    workstation: '',
    encryptedRandomSessionKey: new Uint8Array(0),
    version: DEFAULT_VERSION,
    withMic: true,
  });
  m.set(mic(r.sessionBaseKey, negotiate, challengeBytes, m), 72);
  return m;
}

async function withBinding(server: NtlmServer, value: Uint8Array | undefined) {
  const a = agent(server);
  const negotiate = createNegotiateMessage();
  const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(negotiate)}` });
  const m = craft(challengeFrom(r1).token, negotiate, value ? [{ id: AvId.ChannelBindings, value }] : []);
  return send(server.url, a, { authorization: `NTLM ${toBase64(m)}` });
}

describe('channel bindings over HTTPS (EPA)', () => {
  test('tokenChecking require: the right binding passes; absent, zero and wrong fail', async () => {
    const server = await start({ https: true, tokenChecking: 'require' });
    const ok = await ntlmHandshake(server.url, agent(server), alice);
    expect(outcome(ok)).toMatchObject({ ok: true, channelBinding: 'present' });
    const absent = await ntlmHandshake(server.url, agent(server), alice, { withCertificate: false });
    expect(outcome(absent)).toMatchObject({ ok: false, channelBinding: 'absent' });
    expect(outcome(await withBinding(server, new Uint8Array(16)))).toMatchObject({
      ok: false,
      channelBinding: 'zero',
      reason: 'channel binding required (tokenChecking: require), but the client sent an all-zero one (none)',
    });
    expect(outcome(await withBinding(server, new Uint8Array(16).fill(9)))).toMatchObject({
      ok: false,
      channelBinding: 'wrong',
    });
    expect(outcome(await withBinding(server, undefined))).toMatchObject({ ok: false, channelBinding: 'absent' });
  });

  test('a binding computed from another certificate is wrong', async () => {
    const server = await start({ https: true, tokenChecking: 'allow' });
    const other = createSelfSignedCertificate();
    const r = await ntlmHandshake(server.url, agent(server), alice, {
      withCertificate: false,
      serverCertificate: other.cert,
    });
    expect(outcome(r)).toMatchObject({ ok: false, channelBinding: 'wrong' });
  });

  test('tokenChecking allow: absent and all-zero (MS-NLMP 2.2.2.1: none) pass; none: anything passes', async () => {
    const allow = await start({ https: true, tokenChecking: 'allow' });
    expect((await ntlmHandshake(allow.url, agent(allow), alice, { withCertificate: false })).status).toBe(200);
    const zero = await withBinding(allow, new Uint8Array(16));
    expect(zero.status).toBe(200);
    expect(outcome(zero)).toMatchObject({ ok: true, channelBinding: 'zero' });
    const none = await start({ https: true, tokenChecking: 'none' });
    expect((await withBinding(none, new Uint8Array(16).fill(9))).status).toBe(200);
  });

  test('over plain HTTP a zero binding is not a failure', async () => {
    const server = await start({ tokenChecking: 'require' });
    expect(outcome(await withBinding(server, new Uint8Array(16)))).toMatchObject({ ok: true, channelBinding: 'zero' });
  });

  test.each([
    'rsa-sha256',
    'rsa-sha384',
    'rsa-sha512',
    'rsa-pss-sha256',
    'rsa-pss-sha384',
    'ecdsa-sha256',
    'ecdsa-sha384',
  ] as const)('certificate signed with %s: the client derives the binding the server expects', async (algorithm) => {
    const server = await start({ https: createSelfSignedCertificate({ algorithm }), tokenChecking: 'require' });
    const a = agent(server);
    const r = await ntlmHandshake(server.url, a, alice);
    expect(outcome(r)).toMatchObject({ ok: true, channelBinding: 'present' });
    expect((r.socket as TLSSocket).alpnProtocol === false || (r.socket as TLSSocket).alpnProtocol === 'http/1.1').toBe(
      true,
    );
  });

  test('Ed25519: no binding exists; require refuses, allow accepts', async () => {
    const cert = createSelfSignedCertificate({ algorithm: 'ed25519' });
    const warnings: string[] = [];
    const require_ = await start({ https: cert, tokenChecking: 'require' });
    const r = await ntlmHandshake(require_.url, agent(require_), alice, { onWarning: (w) => warnings.push(w) });
    expect(outcome(r)).toMatchObject({ ok: false, channelBinding: 'absent' });
    expect(warnings.join()).toMatch(/Ed25519/);
    const allow = await start({ https: cert, tokenChecking: 'allow' });
    expect((await ntlmHandshake(allow.url, agent(allow), alice)).status).toBe(200);
  });
});

describe('SPN check', () => {
  test('accepted, wrong, missing', async () => {
    const server = await start({ spns: ['HTTP/localhost', 'HTTP/127.0.0.1'] });
    expect(outcome(await ntlmHandshake(server.url, agent(server), alice, { spn: 'http/LOCALHOST' }))).toMatchObject({
      ok: true,
      spn: 'http/LOCALHOST',
    });
    expect(outcome(await ntlmHandshake(server.url, agent(server), alice, { spn: 'HTTP/evil.example' })).reason).toMatch(
      /not accepted/,
    );
    expect(outcome(await ntlmHandshake(server.url, agent(server), alice)).reason).toMatch(/SPN required/);
  });
});

describe('faults and realism', () => {
  test('Connection: close on the first 401 only', async () => {
    const server = await start({ faults: { closeOnFirst401: true } });
    const a = agent(server);
    const r = await send(server.url, a);
    expect(r.headers.connection).toBe('close');
    expect((await ntlmHandshake(server.url, a, alice)).status).toBe(200);
  });

  test('the socket closes after the CHALLENGE', async () => {
    const server = await start({ faults: { closeAfterChallenge: true } });
    const a = agent(server);
    const r1 = await send(server.url, a, { authorization: `NTLM ${toBase64(createNegotiateMessage())}` });
    await new Promise((resolve) => (r1.socket.destroyed ? resolve(null) : r1.socket.once('close', resolve)));
    expect(r1.socket.destroyed).toBe(true);
  });

  test('a delay per response', async () => {
    const server = await start({ faults: { delayMs: 60 } });
    const t = Date.now();
    await send(server.url, agent(server));
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
  });

  test('alwaysRefuse: a 401 loop', async () => {
    const server = await start({ faults: { alwaysRefuse: true } });
    const r = await ntlmHandshake(server.url, agent(server), alice);
    expect(r.status).toBe(401);
    expect(outcome(r).reason).toMatch(/alwaysRefuse/);
  });

  test('keep-alive timeout closes idle connections', async () => {
    const server = await start({ keepAliveTimeoutMs: 100 });
    const r = await send(server.url, agent(server));
    await new Promise((resolve) => r.socket.once('close', resolve));
    expect(r.socket.destroyed).toBe(true);
  });
});

describe('observability, handler, body counting', () => {
  test('counts requests, connections, handshakes and body bytes', async () => {
    const server = await start();
    const a = agent(server);
    await ntlmHandshake(server.url, a, alice);
    const post = await send(server.url, a, { 'content-type': 'text/plain' }, 'POST', 'x'.repeat(1000));
    expect(JSON.parse(post.body)).toMatchObject({ method: 'POST', bodyLength: 1000 });
    expect(server.stats).toEqual({
      requests: 3,
      connections: 1,
      handshakes: 1,
      authenticated: 1,
      failures: 0,
      executed: 2,
      bodyBytes: 1000,
    });
    server.resetStats();
    expect(server.stats).toEqual({
      requests: 0,
      connections: 0,
      handshakes: 0,
      authenticated: 0,
      failures: 0,
      executed: 0,
      bodyBytes: 0,
    });
  });

  test('a custom handler gets the user and the body', async () => {
    const server = await start({
      handler: (_req, res, ctx) => {
        res.end(`${ctx.user}:${ctx.body.length}`);
      },
    });
    const a = agent(server);
    await ntlmHandshake(server.url, a, alice);
    expect((await send(server.url, a, {}, 'PUT', 'abc')).body).toBe('EXAMPLE\\alice:3');
  });

  test('authenticate: false is a plain keep-alive server', async () => {
    const server = await start({ authenticate: false });
    const r = await send(server.url, agent(server));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).user).toBeNull();
  });

  test('outcome headers are valid for non-ASCII users', async () => {
    const server = await start({ users: { 'EXAMPLE\\jürgen': 'pw' } });
    const r = await ntlmHandshake(server.url, agent(server), { username: 'EXAMPLE\\jürgen', password: 'pw' });
    expect(outcome(r)).toMatchObject({ ok: true, user: 'EXAMPLE\\jürgen' });
  });
});

describe('createSelfSignedCertificate', () => {
  test('serials with leading zero bytes still encode as minimal DER (200 certificates parse)', async () => {
    const { X509Certificate } = await import('node:crypto');
    for (let i = 0; i < 200; i++) {
      const c = createSelfSignedCertificate({ algorithm: 'ecdsa-sha256' });
      expect(new X509Certificate(c.der).subject).toBe('CN=localhost');
    }
  });
});
