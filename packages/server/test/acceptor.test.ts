// The acceptor on its own, driven directly: the spec's vectors, an independent client's vector (Chromium),
// and AUTHENTICATE messages built here by hand from the primitives (never by core's client), so that the
// server cannot share a client bug. Then our client's output for every flag combination a server may
// return, against both readings of the session-key rule.
import {
  AvId,
  NegotiateFlags,
  buildAuthenticateMessage,
  createNegotiateMessage,
  crypto,
  DEFAULT_NEGOTIATE_FLAGS,
  DEFAULT_VERSION,
  dateToFiletime,
  filetimeToMs,
  fromHex,
  hmacMd5,
  NtlmContext,
  ntowfv2,
  parseAuthenticateMessage,
  parseChallengeMessage,
  toHex,
  utf16le,
} from '@ntlmkit/core/internal';
import vectors from '../../core/test/fixtures/msnlmp.json';
import {
  challengeFlags,
  issueChallenge,
  NtlmAcceptor,
  verifyAuthenticate,
  type AcceptorPolicy,
  type ChallengeShape,
  type IssuedChallenge,
} from '../src/acceptor';
import { Users } from '../src/users';

const F = NegotiateFlags;
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };

/** Deterministic bytes: every run issues the same challenges. */
function seeded(seed = 1): (size: number) => Uint8Array {
  let s = seed;
  return (size) => Uint8Array.from({ length: size }, () => (s = (s * 1103515245 + 12345) & 0x7fffffff) & 0xff);
}

function policy(o: Partial<AcceptorPolicy> = {}): AcceptorPolicy {
  return {
    users: new Users({ 'EXAMPLE\\alice': 'Passw0rd!' }),
    lmCompatibilityLevel: 5,
    tokenChecking: 'allow',
    tls: false,
    maxClockSkewMs: 5 * 60_000,
    targetNames: {
      netbiosDomain: 'EXAMPLE',
      netbiosComputer: 'SRV',
      dnsDomain: 'example.test',
      dnsComputer: 'srv.example.test',
    },
    version: DEFAULT_VERSION,
    allowAnonymous: false,
    seenProofs: new Set(),
    now: () => NOW,
    random: seeded(),
    ...o,
  };
}

const strict = (o: Partial<AcceptorPolicy> = {}) => policy(o);
const lenient = (o: Partial<AcceptorPolicy> = {}) => policy({ ...o, lenientSessionKey: true });

// --- AUTHENTICATE messages built by hand (MS-NLMP 2.2.1.3, 3.3.2, 3.1.5.1.2), not by core's client ---

interface Hand {
  /** NegotiateFlags of the AUTHENTICATE. */
  flags: number;
  /** What the EncryptedRandomSessionKey field carries. */
  sent: 'random' | 'kxkey-under-kxkey' | 'none' | Uint8Array;
  /** Which key the MIC is computed with; 'none' sets no MsvAvFlags bit 0x2 and leaves the field zero. */
  micKey: 'random' | 'kxkey' | 'none';
  /** false: a 72-byte header, no room for a MIC, while MsvAvFlags may still announce one. */
  room?: boolean;
  announce?: boolean;
  password?: string;
  /** The DomainName field; default EXAMPLE. */
  domain?: string;
  /** The UserDom the response key is computed with; default the DomainName sent. */
  keyDomain?: string;
  /** AV pairs added after MsvAvFlags (e.g. MsvAvChannelBindings). */
  extraPairs?: { id: number; value: Uint8Array }[];
}

const RANDOM = fromHex('00112233445566778899aabbccddeeff');

function le16(out: Uint8Array, at: number, v: number) {
  out[at] = v & 0xff;
  out[at + 1] = v >>> 8;
}
function le32(out: Uint8Array, at: number, v: number) {
  new DataView(out.buffer, out.byteOffset).setUint32(at, v >>> 0, true);
}

function handBuilt(issued: IssuedChallenge, h: Hand): Uint8Array {
  const c = parseChallengeMessage(issued.challenge);
  const announce = h.announce ?? h.micKey !== 'none';
  // AV pairs: the server's, MsvAvFlags, EOL.
  const pairs: number[] = [];
  for (const p of c.targetInfo)
    pairs.push(p.id & 0xff, p.id >> 8, p.value.length & 0xff, p.value.length >> 8, ...p.value);
  pairs.push(AvId.Flags, 0, 4, 0, announce ? 2 : 0, 0, 0, 0);
  for (const p of h.extraPairs ?? [])
    pairs.push(p.id & 0xff, p.id >> 8, p.value.length & 0xff, p.value.length >> 8, ...p.value);
  pairs.push(0, 0, 0, 0); // MsvAvEOL
  const time = issued.timestamp ?? dateToFiletime(NOW);
  const blob = Uint8Array.from([
    1,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    ...time,
    ...new Uint8Array(8).fill(0xcc),
    0,
    0,
    0,
    0,
    ...pairs,
    0,
    0,
    0,
    0,
  ]);
  const domain = h.domain ?? 'EXAMPLE';
  const key = ntowfv2(h.password ?? 'Passw0rd!', 'alice', h.keyDomain ?? domain);
  const proof = hmacMd5(key, issued.serverChallenge, blob);
  const kxkey = hmacMd5(key, proof); // NTLMv2: KeyExchangeKey = SessionBaseKey
  const ersk =
    h.sent === 'random'
      ? crypto.rc4(kxkey, RANDOM)
      : h.sent === 'kxkey-under-kxkey'
        ? crypto.rc4(kxkey, kxkey)
        : h.sent === 'none'
          ? new Uint8Array(0)
          : h.sent;
  const fields = [
    new Uint8Array(24),
    Uint8Array.from([...proof, ...blob]),
    utf16le(domain),
    utf16le('alice'),
    new Uint8Array(0),
    ersk,
  ];
  const header = h.room === false ? 72 : 88;
  const out = new Uint8Array(header + fields.reduce((n, f) => n + f.length, 0));
  out.set([...'NTLMSSP'].map((ch) => ch.charCodeAt(0)));
  le32(out, 8, 3);
  let at = header;
  fields.forEach((f, i) => {
    le16(out, 12 + i * 8, f.length);
    le16(out, 14 + i * 8, f.length);
    le32(out, 16 + i * 8, at);
    out.set(f, at);
    at += f.length;
  });
  le32(out, 60, h.flags);
  out.set([10, 0, 0x4f, 0x4f, 0, 0, 0, 15], 64);
  if (h.micKey !== 'none' && h.room !== false) {
    const micKey = h.micKey === 'random' ? RANDOM : kxkey;
    out.set(hmacMd5(micKey, issued.negotiate, issued.challenge, out), 72); // the MIC field is still zero here
  }
  return out;
}

function negotiateWith(flags: number): Uint8Array {
  return createNegotiateMessage({ flags });
}

describe('the CHALLENGE flags (MS-NLMP 2.2.2.5, 3.2.5.1.1)', () => {
  test('what a Windows-like NEGOTIATE gets back: the asked-for features, UNICODE over OEM, never LM_KEY', () => {
    const flags = challengeFlags(0xe2088297); // Windows' NEGOTIATE, LM_KEY included
    for (const bit of [
      F.UNICODE,
      F.REQUEST_TARGET,
      F.SIGN,
      F.NTLM,
      F.ALWAYS_SIGN,
      F.EXTENDED_SESSIONSECURITY,
      F.TARGET_INFO,
      F.VERSION,
      F.NEGOTIATE_128,
      F.KEY_EXCH,
      F.NEGOTIATE_56,
    ]) {
      expect((flags & bit) >>> 0).toBe(bit);
    }
    for (const bit of [F.OEM, F.LM_KEY, F.SEAL, F.DATAGRAM, F.IDENTIFY, F.REQUEST_NON_NT_SESSION_KEY])
      expect(flags & bit).toBe(0);
  });

  test('56 and 128 are echoed only with SIGN or SEAL; KEY_EXCH is echoed alone (the ambiguous case)', () => {
    const noSign = challengeFlags(0xe2088207); // our old default: KEY_EXCH, 56, 128, no SIGN
    expect(noSign & F.KEY_EXCH).toBeTruthy();
    expect(noSign & (F.NEGOTIATE_56 | F.NEGOTIATE_128)).toBe(0);
    expect((challengeFlags(0xe2088207 | F.SEAL) & (F.NEGOTIATE_56 | F.NEGOTIATE_128)) >>> 0).toBe(
      (F.NEGOTIATE_56 | F.NEGOTIATE_128) >>> 0,
    );
  });

  test("curl's OEM NEGOTIATE gets OEM; one with neither character set is refused", () => {
    expect(challengeFlags(0x00088206) & (F.OEM | F.UNICODE)).toBe(F.OEM);
    expect(() => challengeFlags(F.NTLM)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_TOKEN' }));
    const acceptor = new NtlmAcceptor(strict());
    expect(() => acceptor.challenge(negotiateWith(F.NTLM))).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_TOKEN' }),
    );
  });

  test('a shape withholds flags or the timestamp, for clients tested against other servers', () => {
    const issued = issueChallenge(strict(), createNegotiateMessage(), { withhold: F.SIGN, timestamp: false });
    const c = parseChallengeMessage(issued.challenge);
    expect(c.flags & F.SIGN).toBe(0);
    expect(c.flags & F.KEY_EXCH).toBeTruthy();
    expect(c.timestamp).toBeUndefined();
    expect(issued.timestamp).toBeUndefined();
  });

  test("randomness and time are the policy's: the same policy issues the same CHALLENGE", () => {
    const a = issueChallenge(strict({ random: seeded(7) }), createNegotiateMessage());
    const b = issueChallenge(strict({ random: seeded(7) }), createNegotiateMessage());
    expect(toHex(a.challenge)).toBe(toHex(b.challenge));
    expect(filetimeToMs(parseChallengeMessage(a.challenge).timestamp!)).toBe(NOW);
  });
});

describe('the session key: strict (MS-NLMP 3.2.5.1.2) against lenient (gss-ntlmssp, Samba)', () => {
  const KEY_EXCH_ONLY =
    (F.UNICODE | F.NTLM | F.VERSION | F.EXTENDED_SESSIONSECURITY | F.TARGET_INFO | F.KEY_EXCH | F.ALWAYS_SIGN) >>> 0;
  const issuedFor = (p: AcceptorPolicy, negotiateFlags = 0xe2088207) =>
    issueChallenge(p, negotiateWith(negotiateFlags));

  test('KEY_EXCH without SIGN, a random key sent and the MIC keyed with it (our old client): strict refuses, lenient accepts', () => {
    const s = strict();
    const issued = issuedFor(s);
    const m = handBuilt(issued, { flags: KEY_EXCH_ONLY, sent: 'random', micKey: 'random' });
    expect(verifyAuthenticate(s, issued, m)).toMatchObject({
      ok: false,
      reading: 'strict',
      reason: expect.stringMatching(/bad MIC.*KeyExchangeKey/),
    });
    const l = lenient();
    const issuedL = issuedFor(l);
    expect(
      verifyAuthenticate(l, issuedL, handBuilt(issuedL, { flags: KEY_EXCH_ONLY, sent: 'random', micKey: 'random' })),
    ).toMatchObject({ ok: true, reading: 'lenient', mic: true, micKey: 'random-session-key' });
  });

  test('the mirror: a random key sent but the MIC keyed with the KeyExchangeKey: strict accepts, lenient refuses', () => {
    const s = strict();
    const issued = issuedFor(s);
    expect(
      verifyAuthenticate(s, issued, handBuilt(issued, { flags: KEY_EXCH_ONLY, sent: 'random', micKey: 'kxkey' })),
    ).toMatchObject({ ok: true, mic: true, micKey: 'key-exchange-key' });
    const l = lenient();
    const issuedL = issuedFor(l);
    expect(
      verifyAuthenticate(l, issuedL, handBuilt(issuedL, { flags: KEY_EXCH_ONLY, sent: 'random', micKey: 'kxkey' })),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/bad MIC.*random session key/) });
  });

  test('RC4K(KeyExchangeKey, KeyExchangeKey) with the MIC keyed with the KeyExchangeKey satisfies both', () => {
    for (const p of [strict(), lenient()]) {
      const issued = issuedFor(p);
      expect(
        verifyAuthenticate(
          p,
          issued,
          handBuilt(issued, { flags: KEY_EXCH_ONLY, sent: 'kxkey-under-kxkey', micKey: 'kxkey' }),
        ),
      ).toMatchObject({ ok: true, micKey: p.lenientSessionKey ? 'random-session-key' : 'key-exchange-key' });
    }
  });

  test('KEY_EXCH with SIGN: both take the random key; a MIC keyed with the KeyExchangeKey fails both', () => {
    const flags = (KEY_EXCH_ONLY | F.SIGN) >>> 0;
    for (const p of [strict(), lenient()]) {
      const issued = issuedFor(p, DEFAULT_NEGOTIATE_FLAGS);
      expect(
        verifyAuthenticate(p, issued, handBuilt(issued, { flags, sent: 'random', micKey: 'random' })),
      ).toMatchObject({ ok: true, micKey: 'random-session-key' });
      const again = issuedFor(p, DEFAULT_NEGOTIATE_FLAGS);
      expect(verifyAuthenticate(p, again, handBuilt(again, { flags, sent: 'random', micKey: 'kxkey' }))).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/bad MIC/),
      });
      const short = issuedFor(p, DEFAULT_NEGOTIATE_FLAGS);
      expect(
        verifyAuthenticate(p, short, handBuilt(short, { flags, sent: new Uint8Array(5), micKey: 'random' })),
      ).toMatchObject({ ok: false, reason: expect.stringMatching(/EncryptedRandomSessionKey is 5 bytes/) });
    }
  });

  test('SIGN claimed in the AUTHENTICATE but never offered in the CHALLENGE does not make the random key count (strict)', () => {
    const s = strict();
    const issued = issuedFor(s, 0xe2088207); // no SIGN asked, none offered
    const m = handBuilt(issued, { flags: (KEY_EXCH_ONLY | F.SIGN) >>> 0, sent: 'random', micKey: 'random' });
    expect(verifyAuthenticate(s, issued, m)).toMatchObject({ ok: false, reason: expect.stringMatching(/bad MIC/) });
  });

  test('no KEY_EXCH: the KeyExchangeKey in both readings', () => {
    const flags = (F.UNICODE | F.NTLM | F.VERSION | F.EXTENDED_SESSIONSECURITY | F.SIGN) >>> 0;
    for (const p of [strict(), lenient()]) {
      const issued = issuedFor(p, DEFAULT_NEGOTIATE_FLAGS & ~F.KEY_EXCH);
      expect(verifyAuthenticate(p, issued, handBuilt(issued, { flags, sent: 'none', micKey: 'kxkey' }))).toMatchObject({
        ok: true,
        micKey: 'key-exchange-key',
      });
    }
  });
});

describe('the MIC (MsvAvFlags bit 0x2)', () => {
  const flags = (F.UNICODE | F.NTLM | F.VERSION | F.EXTENDED_SESSIONSECURITY | F.TARGET_INFO) >>> 0;

  test('announced but no room for it: refused', () => {
    const p = strict();
    const issued = issueChallenge(p, createNegotiateMessage());
    const m = handBuilt(issued, { flags, sent: 'none', micKey: 'kxkey', room: false, announce: true });
    expect(verifyAuthenticate(p, issued, m)).toMatchObject({
      ok: false,
      reason: 'MsvAvFlags announces a MIC but the message has no room for one',
    });
  });

  test('not announced: not checked (curl), unless requireMic', () => {
    for (const requireMic of [false, true]) {
      const p = strict({ requireMic });
      const issued = issueChallenge(p, createNegotiateMessage());
      const r = verifyAuthenticate(p, issued, handBuilt(issued, { flags, sent: 'none', micKey: 'none' }));
      expect(r).toMatchObject(
        requireMic ? { ok: false, reason: expect.stringMatching(/MIC required/) } : { ok: true, mic: false },
      );
      expect(r.micKey).toBeUndefined();
    }
  });

  test('a MIC over other NEGOTIATE bytes than the ones this connection received: refused', () => {
    const p = strict();
    const issued = issueChallenge(p, createNegotiateMessage());
    const m = handBuilt(
      { ...issued, negotiate: createNegotiateMessage({ workstation: 'ELSEWHERE' }) },
      { flags, sent: 'none', micKey: 'kxkey' },
    );
    expect(verifyAuthenticate(p, issued, m)).toMatchObject({ ok: false, reason: expect.stringMatching(/bad MIC/) });
  });

  test('one flipped MIC bit: refused', () => {
    const p = strict();
    const issued = issueChallenge(p, createNegotiateMessage());
    const m = handBuilt(issued, { flags, sent: 'none', micKey: 'kxkey' });
    m[80]! ^= 1;
    expect(verifyAuthenticate(p, issued, m)).toMatchObject({ ok: false, reason: expect.stringMatching(/bad MIC/) });
  });
});

describe('vectors from the specification and from an independent client', () => {
  const v = vectors;
  const specUsers = new Users({ 'Domain\\User': 'Password' });
  const atTime = (filetimeHex: string) => () => filetimeToMs(fromHex(filetimeHex));
  const issuedFrom = (challengeHex: string, negotiateHex = ''): IssuedChallenge => {
    const c = parseChallengeMessage(fromHex(challengeHex));
    return {
      negotiate: fromHex(negotiateHex),
      challenge: c.raw,
      serverChallenge: c.serverChallenge,
      flags: c.flags,
      issuedAt: 0,
    };
  };

  test('MS-NLMP 4.2.4.3: the NTLMv2 AUTHENTICATE (no MIC, KEY_EXCH with SIGN and SEAL) is accepted by both readings', () => {
    for (const lenientSessionKey of [false, true]) {
      const p = policy({ users: specUsers, now: atTime('0000000000000000'), lenientSessionKey });
      const r = verifyAuthenticate(
        p,
        issuedFrom(v.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex),
        fromHex(v.ntlmv2_4_2_4.authenticate_message_4_2_4_3.hex),
      );
      expect(r).toMatchObject({ ok: true, dialect: 'NTLMv2', user: 'Domain\\User', mic: false });
    }
  });

  test('MS-NLMP 4.2.2.3 (NTLMv1) and 4.2.3.3 (ESS): accepted at level 4, refused at 5 (the default)', () => {
    const cases = [
      [v.ntlmv1_4_2_2.challenge_message_4_2_2_3.hex, v.ntlmv1_4_2_2.authenticate_message_4_2_2_3.hex, 'NTLMv1'],
      [
        v.ntlmv1_with_client_challenge_ess_4_2_3.challenge_message_4_2_3_3.hex,
        v.ntlmv1_with_client_challenge_ess_4_2_3.authenticate_message_4_2_3_3.hex,
        'NTLMv1-ESS',
      ],
    ] as const;
    for (const [challenge, authenticate, dialect] of cases) {
      expect(
        verifyAuthenticate(
          policy({ users: specUsers, lmCompatibilityLevel: 4 }),
          issuedFrom(challenge),
          fromHex(authenticate),
        ),
      ).toMatchObject({ ok: true, dialect });
      expect(
        verifyAuthenticate(policy({ users: specUsers }), issuedFrom(challenge), fromHex(authenticate)),
      ).toMatchObject({ ok: false, reason: 'NTLMv1 refused (server accepts NTLMv2 only)' });
    }
  });

  test("Chromium's NTLMv2 AUTHENTICATE with MIC, channel binding and SPN: accepted, MIC keyed with the KeyExchangeKey", () => {
    const c = v.chromium_ntlmv2_mic;
    const blob = fromHex(c.authenticate_hex);
    const time = toHex(blob.subarray(0x70 + 16 + 8, 0x70 + 16 + 16));
    for (const lenientSessionKey of [false, true]) {
      const p = () =>
        policy({
          users: specUsers,
          now: atTime(time),
          lenientSessionKey,
          tls: true,
          tokenChecking: 'require',
          expectedChannelBinding: fromHex(c.channel_bindings_hex),
          spns: [c.spn],
          requireMic: true,
        });
      expect(verifyAuthenticate(p(), issuedFrom(c.challenge_hex, c.negotiate_hex), blob)).toMatchObject({
        ok: true,
        mic: true,
        micKey: 'key-exchange-key',
        channelBinding: 'present',
        spn: 'HTTP/Server',
      });
      const tampered = blob.slice();
      tampered[72]! ^= 0x80;
      expect(verifyAuthenticate(p(), issuedFrom(c.challenge_hex, c.negotiate_hex), tampered)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/bad MIC/),
      });
    }
  });
});

describe('our client against both readings, for every flag combination a server may return', () => {
  const negotiates: [string, number][] = [
    ['default (SIGN | KEY_EXCH)', DEFAULT_NEGOTIATE_FLAGS],
    ['KEY_EXCH without SIGN (the old default 0xe2088207)', 0xe2088207],
    ['KEY_EXCH | SEAL without SIGN', (0xe2088207 | F.SEAL) >>> 0],
    ['no KEY_EXCH (as Chromium)', (0x00088207 | F.VERSION) >>> 0],
    ['SIGN without KEY_EXCH', (DEFAULT_NEGOTIATE_FLAGS & ~F.KEY_EXCH) >>> 0],
  ];
  const shapes: [string, ChallengeShape][] = [
    ['as asked', {}],
    ['SIGN withheld', { withhold: F.SIGN }],
    ['KEY_EXCH withheld', { withhold: F.KEY_EXCH }],
    ['no timestamp', { timestamp: false }],
  ];
  const cases = negotiates.flatMap(([n, flags]) =>
    shapes.flatMap(([s, shape]) => [false, true].map((l) => [n, s, flags, shape, l] as const)),
  );

  test.each(cases)('NEGOTIATE %s, CHALLENGE %s, lenient: %s', (_n, _s, flags, shape, lenientSessionKey) => {
    const p = policy({ lenientSessionKey });
    const acceptor = new NtlmAcceptor(p);
    const negotiate = createNegotiateMessage({ flags });
    const challenge = parseChallengeMessage(acceptor.challenge(negotiate, shape));
    const result = buildAuthenticateMessage({ ...alice, negotiate, challenge, random: seeded(3), now: () => NOW });
    const outcome = acceptor.authenticate(result.message);
    expect(outcome).toMatchObject({ ok: true, dialect: 'NTLMv2', reading: lenientSessionKey ? 'lenient' : 'strict' });
    const hasTimestamp = shape.timestamp !== false;
    expect(outcome.mic).toBe(hasTimestamp);
    if (!hasTimestamp) {
      expect(outcome.micKey).toBeUndefined();
      return;
    }
    // Only KEY_EXCH with SIGN or SEAL (in what was offered and kept) makes a random key; otherwise the
    // client keys the MIC with the KeyExchangeKey and, under KEY_EXCH, sends RC4K(KXKEY, KXKEY).
    const random = (challenge.flags & F.KEY_EXCH) !== 0 && (challenge.flags & (F.SIGN | F.SEAL)) !== 0;
    expect(result.sessionKeySource).toBe(random ? 'random-session-key' : 'key-exchange-key');
    const lenientDecrypts = lenientSessionKey && (challenge.flags & F.KEY_EXCH) !== 0;
    expect(outcome.micKey).toBe(random || lenientDecrypts ? 'random-session-key' : 'key-exchange-key');
  });

  test('with requireMic, a CHALLENGE without timestamp gets no MIC from the client and is refused', () => {
    const acceptor = new NtlmAcceptor(policy({ requireMic: true }));
    const negotiate = createNegotiateMessage();
    const challenge = acceptor.challenge(negotiate, { timestamp: false });
    expect(
      acceptor.authenticate(buildAuthenticateMessage({ ...alice, negotiate, challenge, now: () => NOW }).message),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/MIC required/) });
  });
});

describe('the connection, time, replay, bindings and SPN', () => {
  const round = (
    p: AcceptorPolicy,
    o: Parameters<typeof buildAuthenticateMessage>[0] extends infer T ? Partial<T> : never = {},
  ) => {
    const acceptor = new NtlmAcceptor(p);
    const negotiate = createNegotiateMessage();
    const challenge = acceptor.challenge(negotiate);
    const message = buildAuthenticateMessage({ ...alice, negotiate, challenge, now: () => NOW, ...o }).message;
    return { acceptor, negotiate, challenge, message };
  };

  test('a Type 3 only on the acceptor that issued its CHALLENGE, and only once', () => {
    const p = strict();
    const { acceptor, message } = round(p);
    const other = new NtlmAcceptor(p);
    expect(other.authenticate(message)).toMatchObject({
      ok: false,
      reason: 'AUTHENTICATE without a CHALLENGE on this connection',
      reading: 'strict',
    });
    expect(acceptor.authenticate(message).ok).toBe(true);
    expect(acceptor.authenticate(message)).toMatchObject({
      ok: false,
      reason: 'AUTHENTICATE without a CHALLENGE on this connection',
    });
  });

  test('a restart (a second NEGOTIATE) is allowed; an answer to the CHALLENGE it replaced is named (NTLMv2 and NTLMv1)', () => {
    for (const level of [5, 4] as const) {
      const p = strict({ lmCompatibilityLevel: level });
      const acceptor = new NtlmAcceptor(p);
      const clientLevel = level === 5 ? 3 : 2;
      const negotiate = createNegotiateMessage();
      const first = acceptor.challenge(negotiate);
      const second = acceptor.challenge(negotiate);
      const answer = (challenge: Uint8Array, password = alice.password) =>
        buildAuthenticateMessage({
          ...alice,
          password,
          negotiate,
          challenge,
          now: () => NOW,
          lmCompatibilityLevel: clientLevel,
        }).message;
      expect(acceptor.authenticate(answer(first))).toMatchObject({
        ok: false,
        reason: 'AUTHENTICATE answers a superseded CHALLENGE (a later NEGOTIATE replaced it)',
      });
      // The stale answer ended the handshake, as any AUTHENTICATE does.
      expect(acceptor.authenticate(answer(second)).reason).toMatch(/without a CHALLENGE/);
      acceptor.challenge(negotiate);
      const current = acceptor.challenge(negotiate);
      expect(acceptor.authenticate(answer(current)).ok).toBe(true);
      const third = acceptor.challenge(negotiate);
      acceptor.challenge(negotiate);
      expect(acceptor.authenticate(answer(third, 'wrong')).reason).toMatch(/^wrong password/);
    }
  });

  test('a CHALLENGE answered long after it was issued is stale, even with its own timestamp echoed', () => {
    let now = NOW;
    const p = strict({ now: () => now });
    const { acceptor, message } = round(p);
    now += 6 * 60_000;
    expect(acceptor.authenticate(message)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/stale CHALLENGE/),
    });
  });

  test('a replayed NTProofStr is refused, even where a server issued the same CHALLENGE twice', () => {
    const seenProofs = new Set<string>();
    // Two connections whose (predictable) randomness gives the same server challenge.
    const first = round(strict({ seenProofs, random: seeded(9) }));
    expect(first.acceptor.authenticate(first.message).ok).toBe(true);
    const second = new NtlmAcceptor(strict({ seenProofs, random: seeded(9) }));
    expect(toHex(second.challenge(first.negotiate))).toBe(toHex(first.challenge));
    expect(second.authenticate(first.message)).toMatchObject({ ok: false, reason: 'replayed AUTHENTICATE' });
  });

  test('channel bindings compared when configured; SPN checked when configured', () => {
    const binding = new Uint8Array(16).fill(7);
    const tls = strict({ tls: true, tokenChecking: 'require', expectedChannelBinding: binding });
    const ok = round(tls, { channelBindings: binding });
    expect(ok.acceptor.authenticate(ok.message)).toMatchObject({ ok: true, channelBinding: 'present' });
    const wrong = round(tls, { channelBindings: new Uint8Array(16).fill(8) });
    expect(wrong.acceptor.authenticate(wrong.message)).toMatchObject({ ok: false, channelBinding: 'wrong' });
    const spn = strict({ spns: ['HTTP/srv.example.test'] });
    const good = round(spn, { spn: 'http/SRV.example.test' });
    expect(good.acceptor.authenticate(good.message)).toMatchObject({ ok: true, spn: 'http/SRV.example.test' });
    const bad = round(spn, { spn: 'HTTP/elsewhere' });
    expect(bad.acceptor.authenticate(bad.message)).toMatchObject({
      ok: false,
      reason: 'SPN HTTP/elsewhere is not accepted here',
    });
  });

  test('NTLMv2 only by default; anonymous only when allowed; a wrong password is named', () => {
    const v1 = round(strict(), { lmCompatibilityLevel: 2 });
    expect(v1.acceptor.authenticate(v1.message)).toMatchObject({ ok: false, dialect: 'NTLMv1-ESS' });
    for (const allowAnonymous of [false, true]) {
      const anon = round(strict({ allowAnonymous }), { username: '', password: '' });
      expect(anon.acceptor.authenticate(anon.message)).toMatchObject({ ok: allowAnonymous, dialect: 'anonymous' });
    }
    const wrong = round(strict(), { password: 'nope' });
    expect(wrong.acceptor.authenticate(wrong.message)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/wrong password/),
    });
  });

  test('garbage is refused with a reason, never thrown', () => {
    const p = strict();
    const acceptor = new NtlmAcceptor(p);
    acceptor.challenge(createNegotiateMessage());
    expect(acceptor.authenticate(new Uint8Array(70))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/malformed AUTHENTICATE/),
    });
  });
});

describe('what MS-NLMP asks servers to tolerate', () => {
  const flags = (F.UNICODE | F.NTLM | F.VERSION | F.EXTENDED_SESSIONSECURITY | F.TARGET_INFO) >>> 0;
  const signed = (flags | F.SIGN | F.KEY_EXCH | F.NEGOTIATE_128) >>> 0;
  const dom = (o: Partial<AcceptorPolicy> = {}) => strict({ users: new Users({ 'DOM\\alice': 'Passw0rd!' }), ...o });

  test("3.2.5.1.2: a client that computed its key with a NIL UserDom (DomainName 'DOM') is accepted, MIC and all", () => {
    const p = dom();
    const issued = issueChallenge(p, createNegotiateMessage());
    const m = handBuilt(issued, { flags, sent: 'none', micKey: 'kxkey', domain: 'DOM', keyDomain: '' });
    expect(verifyAuthenticate(p, issued, m)).toMatchObject({
      ok: true,
      user: 'DOM\\alice',
      domain: 'DOM',
      dialect: 'NTLMv2',
      mic: true,
      micKey: 'key-exchange-key',
    });
  });

  test('3.2.5.1.2: with KEY_EXCH and SIGN the random session key is decrypted with the key that matched', () => {
    const p = dom();
    const issued = issueChallenge(p, createNegotiateMessage());
    const m = handBuilt(issued, { flags: signed, sent: 'random', micKey: 'random', domain: 'DOM', keyDomain: '' });
    expect(verifyAuthenticate(p, issued, m)).toMatchObject({ ok: true, mic: true, micKey: 'random-session-key' });
  });

  test('3.2.5.1.2: the domain sent is tried first; a key from another domain is still a wrong password', () => {
    const p = dom();
    const issued = issueChallenge(p, createNegotiateMessage());
    const same = handBuilt(issued, { flags, sent: 'none', micKey: 'kxkey', domain: 'DOM' });
    expect(verifyAuthenticate(p, issued, same)).toMatchObject({ ok: true, mic: true });
    const p2 = dom();
    const issued2 = issueChallenge(p2, createNegotiateMessage());
    const other = handBuilt(issued2, { flags, sent: 'none', micKey: 'kxkey', domain: 'DOM', keyDomain: 'OTHER' });
    expect(verifyAuthenticate(p2, issued2, other)).toMatchObject({
      ok: false,
      reason: 'wrong password (NTProofStr does not match)',
    });
  });

  test('2.2.2.1: an all-zero MsvAvChannelBindings over TLS is none: allow accepts it, require refuses it', () => {
    const expectedChannelBinding = new Uint8Array(16).fill(7);
    const zero = [{ id: AvId.ChannelBindings, value: new Uint8Array(16) }];
    const run = (tokenChecking: AcceptorPolicy['tokenChecking'], extraPairs?: typeof zero) => {
      const p = strict({ tls: true, tokenChecking, expectedChannelBinding });
      const issued = issueChallenge(p, createNegotiateMessage());
      return verifyAuthenticate(p, issued, handBuilt(issued, { flags, sent: 'none', micKey: 'kxkey', extraPairs }));
    };
    expect(run('allow', zero)).toMatchObject({ ok: true, channelBinding: 'zero', mic: true });
    expect(run('allow')).toMatchObject({ ok: true, channelBinding: 'absent' });
    expect(run('require', zero)).toMatchObject({
      ok: false,
      channelBinding: 'zero',
      reason: 'channel binding required (tokenChecking: require), but the client sent an all-zero one (none)',
    });
    expect(run('require')).toMatchObject({
      ok: false,
      channelBinding: 'absent',
      reason: 'channel binding required (tokenChecking: require)',
    });
    expect(run('none', zero)).toMatchObject({ ok: true, channelBinding: 'zero' });
    const wrong = [{ id: AvId.ChannelBindings, value: new Uint8Array(16).fill(9) }];
    expect(run('allow', wrong)).toMatchObject({ ok: false, channelBinding: 'wrong', reason: 'wrong channel binding' });
    const right = [{ id: AvId.ChannelBindings, value: expectedChannelBinding }];
    expect(run('require', right)).toMatchObject({ ok: true, channelBinding: 'present' });
  });
});

describe("core's NtlmContext against the acceptor", () => {
  const run = (p: AcceptorPolicy, options: Omit<ConstructorParameters<typeof NtlmContext>[0], 'now'>) => {
    const acceptor = new NtlmAcceptor(p);
    const context = new NtlmContext({ ...options, now: () => NOW });
    const message = context.step(acceptor.challenge(context.step()));
    return { outcome: acceptor.authenticate(message), message: parseAuthenticateMessage(message) };
  };

  test.each([
    [0, 'NTLMv1'],
    [1, 'NTLMv1-ESS'],
    [2, 'NTLMv1-ESS'],
    [3, 'NTLMv2'],
  ] as const)(
    'level %s: accepted as %s (flags as negotiated, ESS exactly when both sides have it)',
    (level, dialect) => {
      const { outcome, message } = run(strict({ lmCompatibilityLevel: 4 }), {
        credentials: alice,
        lmCompatibilityLevel: level,
      });
      expect(outcome).toMatchObject({ ok: true, dialect });
      expect((message.flags & F.EXTENDED_SESSIONSECURITY) !== 0).toBe(level !== 0);
    },
  );

  test('anonymous (3.1.5.1.2: empty user and password) whatever the domain; the domain is sent and reported', () => {
    for (const credentials of [
      { username: '', password: '', domain: 'DOM' },
      { username: 'DOM\\', password: '' },
      { username: '', password: '' },
    ]) {
      const { outcome, message } = run(strict({ allowAnonymous: true }), { credentials });
      const domain = credentials.username ? 'DOM' : (credentials.domain ?? '');
      expect(outcome).toMatchObject({ ok: true, dialect: 'anonymous', user: '', domain });
      expect(message.flags & F.ANONYMOUS).toBe(F.ANONYMOUS);
      expect(run(strict(), { credentials }).outcome).toMatchObject({ ok: false, dialect: 'anonymous' });
    }
  });
});
