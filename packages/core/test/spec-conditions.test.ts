// Every place where MS-NLMP has a condition the client could collapse, one block each: the section, what
// we do, and a test that fails if the condition is dropped. The same list is in packages/core/README.md.
import {
  AvFlags,
  AvId,
  avFlagsValue,
  buildAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  crypto,
  dateToFiletime,
  DEFAULT_NEGOTIATE_FLAGS,
  findAvPair,
  NegotiateFlags,
  Ntlm,
  NtlmContext,
  parseAuthenticateMessage,
  parseChallengeMessage,
  parseNegotiateMessage,
  toHex,
  utf16le,
  type AvPair,
} from '../src/internal';
import { authenticateFlags, negotiateFlagsForLevel } from '../src/client';
import { common, eachProvider, hex, vectors } from './vectors';

const F = NegotiateFlags;
const v1 = vectors.ntlmv1_4_2_2;
const ess = vectors.ntlmv1_with_client_challenge_ess_4_2_3;
const v2 = vectors.ntlmv2_4_2_4;
const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const serverTs = dateToFiletime(Date.UTC(2026, 0, 1));
const info = [
  { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
  { id: AvId.NbComputerName, value: utf16le('SRV') },
];

function challengeWith(flags: number, pairs: AvPair[] = [...info, { id: AvId.Timestamp, value: serverTs }]) {
  return createChallengeMessage({
    flags,
    serverChallenge: hex('0123456789abcdef'),
    targetName: 'EXAMPLE',
    targetInfo: pairs,
    version: { major: 10, minor: 0, build: 20348, revision: 15 },
  });
}

function build(challenge: Uint8Array, extra: Record<string, unknown> = {}) {
  const negotiate = createNegotiateMessage();
  return {
    negotiate,
    ...buildAuthenticateMessage({
      ...alice,
      negotiate,
      challenge,
      randomSessionKey: hex(common.random_session_key),
      ...extra,
    }),
  };
}

eachProvider(() => {
  describe('3.1.5.1.2 / 3.2.5.1.2: ExportedSessionKey and the key of the MIC', () => {
    test('KEY_EXCH with SIGN: the random key, RC4K-encrypted with the KeyExchangeKey, keys the MIC', () => {
      const r = build(challengeWith(0xe28a8215));
      const m = parseAuthenticateMessage(r.message);
      expect(r.sessionKeySource).toBe('random-session-key');
      expect(toHex(r.exportedSessionKey)).toBe(common.random_session_key);
      expect(toHex(crypto.rc4(r.keyExchangeKey, m.encryptedRandomSessionKey))).toBe(common.random_session_key);
      expect(toHex(r.mic!)).toBe(
        toHex(crypto.mic(r.exportedSessionKey, r.negotiate, challengeWith(0xe28a8215), r.message)),
      );
    });

    test('KEY_EXCH without SIGN or SEAL: ExportedSessionKey = KeyExchangeKey, sent as RC4K(KXKEY, KXKEY) for lenient readers', () => {
      const c = challengeWith(0xe28a8205);
      const r = build(c);
      const m = parseAuthenticateMessage(r.message);
      expect(r.sessionKeySource).toBe('key-exchange-key');
      expect(toHex(r.exportedSessionKey)).toBe(toHex(r.keyExchangeKey));
      expect(m.flags & F.KEY_EXCH).toBeTruthy();
      // A strict reader ignores the field; a lenient one decrypts it: both arrive at the KeyExchangeKey.
      expect(toHex(crypto.rc4(r.keyExchangeKey, m.encryptedRandomSessionKey))).toBe(toHex(r.keyExchangeKey));
      expect(toHex(r.mic!)).toBe(toHex(crypto.mic(r.keyExchangeKey, r.negotiate, c, r.message)));
    });

    test('no KEY_EXCH: the KeyExchangeKey, and an empty EncryptedRandomSessionKey field', () => {
      const r = build(challengeWith(0xa28a8215));
      expect(r.sessionKeySource).toBe('key-exchange-key');
      expect(parseAuthenticateMessage(r.message).encryptedRandomSessionKey).toHaveLength(0);
      expect(toHex(r.exportedSessionKey)).toBe(toHex(r.keyExchangeKey));
    });

    test('the spec vectors keep their keys: 4.2.4 and 4.2.2 negotiate KEY_EXCH with SIGN and SEAL (the random key)', () => {
      const spec = {
        username: common.user,
        password: common.password,
        domain: common.domain,
        workstation: common.workstation,
        clientChallenge: hex(common.client_challenge),
        randomSessionKey: hex(common.random_session_key),
        timestamp: hex(common.time),
      };
      const r2 = buildAuthenticateMessage({
        ...spec,
        challenge: hex(v2.challenge_message_4_2_4_3.hex),
        flags: Number(v2.authenticate_message_4_2_4_3.flags_u32),
        mic: false,
      });
      expect(toHex(parseAuthenticateMessage(r2.message).encryptedRandomSessionKey)).toBe(
        v2.encrypted_random_session_key_4_2_4_2_3.hex,
      );
      const r1 = buildAuthenticateMessage({
        ...spec,
        challenge: hex(v1.challenge_message_4_2_2_3.hex),
        flags: Number(v1.authenticate_message_4_2_2_3.flags_u32),
        lmCompatibilityLevel: 1,
      });
      expect(toHex(parseAuthenticateMessage(r1.message).encryptedRandomSessionKey)).toBe(
        v1.encrypted_random_session_key_4_2_2_2_3.hex,
      );
    });
  });

  describe('3.1.5.1.2: a MIC only when the CHALLENGE has MsvAvTimestamp', () => {
    test('with the timestamp: MIC and MsvAvFlags 0x2; without (target info present): neither; `mic` overrides', () => {
      const with_ = parseAuthenticateMessage(build(challengeWith(0xe28a8215)).message);
      expect(with_.mic).toBeDefined();
      expect(avFlagsValue(findAvPair(with_.ntlmv2!.avPairs, AvId.Flags)) & AvFlags.MIC_PRESENT).toBeTruthy();
      const without = build(challengeWith(0xe28a8215, info), { now: () => 0 });
      expect(without.mic).toBeUndefined();
      expect(findAvPair(parseAuthenticateMessage(without.message).ntlmv2!.avPairs, AvId.Flags)).toBeUndefined();
      expect(without.message.length).toBeGreaterThan(0);
      expect(build(challengeWith(0xe28a8215, info), { now: () => 0, mic: true }).mic).toBeDefined();
      expect(build(challengeWith(0xe28a8215), { mic: false }).mic).toBeUndefined();
    });

    test('the header has room for the MIC exactly when one is sent (payload at 88, not 72)', () => {
      expect(parseAuthenticateMessage(build(challengeWith(0xe28a8215)).message).mic).toBeDefined();
      const noMic = parseAuthenticateMessage(build(challengeWith(0xe28a8215, info), { now: () => 0 }).message);
      expect(noMic.mic).toBeUndefined();
      expect(noMic.version).toBeDefined();
    });
  });

  describe('2.2.2.1 / 3.1.5.1.2: MsvAvFlags', () => {
    test('merged into the server pair (one pair), bit 0x4 never, 0x1 kept, 0x2 only with a MIC', () => {
      const pairs = (p: { id: number; value: Uint8Array }[], o = {}) =>
        parseAuthenticateMessage(build(challengeWith(0xe28a8215, p), { now: () => 0, ...o }).message).ntlmv2!.avPairs;
      const merged = pairs([
        ...info,
        { id: AvId.Timestamp, value: serverTs },
        { id: AvId.Flags, value: new Uint8Array([5, 0, 0, 0]) },
      ]);
      expect(merged.filter((p) => p.id === AvId.Flags)).toHaveLength(1);
      expect(avFlagsValue(findAvPair(merged, AvId.Flags))).toBe(AvFlags.MIC_PRESENT | 1);
      const twice = pairs([
        ...info,
        { id: AvId.Flags, value: new Uint8Array(4) },
        { id: AvId.Flags, value: new Uint8Array([2, 0, 0, 0]) },
      ]);
      expect(twice.filter((p) => p.id === AvId.Flags)).toHaveLength(1);
      expect(avFlagsValue(findAvPair(twice, AvId.Flags))).toBe(0);
      expect(
        avFlagsValue(
          findAvPair(
            pairs([...info, { id: AvId.Flags, value: new Uint8Array([6, 0, 0, 0]) }], { mic: false }),
            AvId.Flags,
          ),
        ),
      ).toBe(0);
    });
  });

  describe('3.1.5.1.2 / 3.3: the LM response', () => {
    test('NTLMv2: Z(24) with MsvAvTimestamp, LMv2 without it', () => {
      expect(parseAuthenticateMessage(build(challengeWith(0xe28a8215)).message).lmChallengeResponse).toEqual(
        new Uint8Array(24),
      );
      const lmv2 = parseAuthenticateMessage(
        build(challengeWith(0xe28a8215, info), { now: () => 0 }).message,
      ).lmChallengeResponse;
      expect(lmv2).toHaveLength(24);
      expect(lmv2.some((b) => b !== 0)).toBe(true);
    });

    test('NTLMv1: LMv1 at levels 0 and 1, the NT response at level 2 (NoLMResponseNTLMv1), ClientChallenge || Z(16) with ESS', () => {
      const c = challengeWith(0xe2028215, []); // no ESS offered
      const at = (level: number, challenge = c) =>
        parseAuthenticateMessage(
          build(challenge, { lmCompatibilityLevel: level, clientChallenge: hex(common.client_challenge) }).message,
        );
      expect(toHex(at(0).lmChallengeResponse)).not.toBe(toHex(at(0).ntChallengeResponse));
      expect(toHex(at(2).lmChallengeResponse)).toBe(toHex(at(2).ntChallengeResponse));
      const withEss = at(2, challengeWith(0xe28a8215, []));
      expect(toHex(withEss.lmChallengeResponse)).toBe(`${common.client_challenge}${'00'.repeat(16)}`);
    });
  });

  describe('3.3.1 / 3.4.5.1: NTLMv1 and ESS keys through the client', () => {
    const spec = {
      username: common.user,
      password: common.password,
      domain: common.domain,
      workstation: common.workstation,
      clientChallenge: hex(common.client_challenge),
      randomSessionKey: hex(common.random_session_key),
      lmCompatibilityLevel: 1 as const,
    };
    test.each([
      ['SessionBaseKey', 0xe2028233 & ~0, v1.key_exchange_key_4_2_2_1_3.hex],
      ['LM_KEY', (0xe2028233 | F.LM_KEY) >>> 0, v1.key_exchange_key_lm_key_4_2_2_1_3.hex],
      [
        'NON_NT_SESSION_KEY',
        (0xe2028233 | F.REQUEST_NON_NT_SESSION_KEY) >>> 0,
        v1.key_exchange_key_non_nt_session_key_4_2_2_1_3.hex,
      ],
      ['ESS (the NTLM2 session key)', 0x82088235, ess.key_exchange_key_4_2_3_1_3.hex],
    ])('%s', (_name, flags, expected) => {
      const challenge =
        flags & F.EXTENDED_SESSIONSECURITY ? ess.challenge_message_4_2_3_3.hex : v1.challenge_message_4_2_2_3.hex;
      expect(toHex(buildAuthenticateMessage({ ...spec, challenge: hex(challenge), flags }).keyExchangeKey)).toBe(
        expected,
      );
    });

    test('LM_KEY and NON_NT_SESSION_KEY need LMOWF: with only the NT hash, a clear error instead of a zero key', () => {
      const ntHash = toHex(crypto.ntowfv1(common.password));
      expect(() =>
        buildAuthenticateMessage({
          username: 'u',
          ntHash,
          challenge: hex(v1.challenge_message_4_2_2_3.hex),
          flags: (0xe2028233 | F.LM_KEY) >>> 0,
          lmCompatibilityLevel: 2,
        }),
      ).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
    });
  });

  describe('3.4.5.2 SIGNKEY and 3.4.5.3 SEALKEY: the 40/56/128-bit weakening', () => {
    const plaintext = hex(common.plaintext_for_gss_wrapex);
    test('4.2.4.4: ESS with 128 bits, both directions; the sealed data decrypts with the seal key', () => {
      const w = v2.gss_wrapex_4_2_4_4;
      const key = hex(common.random_session_key);
      const flags = 0xe28a8233;
      expect(toHex(crypto.sealkey(flags, key, 'Client'))).toBe(w.seal_key_client.hex);
      expect(toHex(crypto.signkey(flags, key, 'Client')!)).toBe(w.sign_key_client.hex);
      expect(toHex(crypto.sealkey(flags, key, 'Server'))).toBe(w.seal_key_server.hex);
      expect(toHex(crypto.signkey(flags, key, 'Server')!)).toBe(w.sign_key_server.hex);
      expect(toHex(crypto.rc4(crypto.sealkey(flags, key, 'Client'), plaintext))).toBe(w.sealed_data.hex);
    });

    test('4.2.3.4: ESS with 56 bits only: the first 7 bytes of the key (no KEY_EXCH: ExportedSessionKey = KeyExchangeKey)', () => {
      const w = ess.gss_wrapex_4_2_3_4;
      const key = hex(ess.key_exchange_key_4_2_3_1_3.hex);
      expect(toHex(crypto.sealkey(0x820a8233, key, 'Client'))).toBe(w.seal_key.hex);
      expect(toHex(crypto.signkey(0x820a8233, key, 'Client')!)).toBe(w.sign_key.hex);
      expect(toHex(crypto.rc4(crypto.sealkey(0x820a8233, key, 'Client'), plaintext))).toBe(w.sealed_data.hex);
      // 40 bits: the first 5 bytes, a different key.
      expect(toHex(crypto.sealkey(0x820a8233 & ~F.NEGOTIATE_56, key, 'Client'))).not.toBe(w.seal_key.hex);
    });

    test('4.2.2.4: NTLMv1 without ESS or LM_KEY seals with the whole key; no signing key without ESS', () => {
      const key = hex(common.random_session_key);
      expect(toHex(crypto.sealkey(0xe2028233, key, 'Client'))).toBe(v1.gss_wrapex_4_2_2_4.seal_key.hex);
      expect(toHex(crypto.rc4(crypto.sealkey(0xe2028233, key, 'Client'), plaintext))).toBe(
        v1.gss_wrapex_4_2_2_4.sealed_data.hex,
      );
      expect(crypto.signkey(0xe2028233, key, 'Client')).toBeUndefined();
    });

    test('LM_KEY (or DATAGRAM from revision W2K3): 56 bits + 0xA0, or 40 bits + E5 38 B0, in 64', () => {
      const key = hex('0102030405060708090a0b0c0d0e0f10');
      expect(toHex(crypto.sealkey((F.LM_KEY | F.NEGOTIATE_56) >>> 0, key, 'Client'))).toBe('01020304050607a0');
      expect(toHex(crypto.sealkey(F.LM_KEY, key, 'Server'))).toBe('0102030405e538b0');
      expect(toHex(crypto.sealkey(F.DATAGRAM, key, 'Client'))).toBe('0102030405e538b0');
      expect(toHex(crypto.sealkey(F.DATAGRAM, key, 'Client', 10))).toBe(toHex(key));
    });
  });

  describe("2.2.2.5 / 2.2.1.3: what the client keeps of the server's flags", () => {
    test('only what it asked for, plus the character set the server chose, NTLM, VERSION and TARGET_INFO', () => {
      const server =
        (0xe28a8215 |
          F.SEAL |
          F.LM_KEY |
          F.TARGET_TYPE_SERVER |
          F.REQUEST_NON_NT_SESSION_KEY |
          F.OEM_DOMAIN_SUPPLIED) >>>
        0;
      const flags = authenticateFlags(server, DEFAULT_NEGOTIATE_FLAGS, 3, false);
      expect(flags & F.SEAL).toBe(0); // not asked for
      expect(flags & F.LM_KEY).toBe(0); // ESS wins
      expect(
        flags & (F.TARGET_TYPE_SERVER | F.TARGET_TYPE_DOMAIN | F.REQUEST_NON_NT_SESSION_KEY | F.OEM_DOMAIN_SUPPLIED),
      ).toBe(0);
      expect(flags & F.UNICODE).toBeTruthy();
      expect(flags & F.OEM).toBe(0);
      for (const bit of [
        F.SIGN,
        F.KEY_EXCH,
        F.NEGOTIATE_128,
        F.NEGOTIATE_56,
        F.EXTENDED_SESSIONSECURITY,
        F.TARGET_INFO,
        F.VERSION,
        F.NTLM,
      ])
        expect(flags & bit).toBeTruthy();
    });

    test('OEM when the server chose it; neither character set is SEC_E_INVALID_TOKEN; ESS only when negotiated', () => {
      expect(authenticateFlags(0x00088202, DEFAULT_NEGOTIATE_FLAGS, 3, false) & (F.OEM | F.UNICODE)).toBe(F.OEM);
      expect(() => authenticateFlags(0x00088200, DEFAULT_NEGOTIATE_FLAGS, 3, false)).toThrow(
        expect.objectContaining({ code: 'ERR_NTLM_INVALID_TOKEN' }),
      );
      expect(() => parseChallengeMessage(challengeWith(0x00088200)) && build(challengeWith(0x00088200))).toThrow(
        expect.objectContaining({ code: 'ERR_NTLM_INVALID_TOKEN' }),
      );
      // Level 0 asks for no ESS (negotiateFlagsForLevel): a server that grants it anyway does not negotiate it.
      expect(authenticateFlags(0xe28a8215, negotiateFlagsForLevel(0), 0, false) & F.EXTENDED_SESSIONSECURITY).toBe(0);
      expect(authenticateFlags(0xe28a8215, DEFAULT_NEGOTIATE_FLAGS, 0, false) & F.EXTENDED_SESSIONSECURITY).toBe(
        F.EXTENDED_SESSIONSECURITY,
      );
      expect(authenticateFlags(0xe28a8215, DEFAULT_NEGOTIATE_FLAGS, 3, true) & F.ANONYMOUS).toBeTruthy();
    });
  });
});

test('negotiateFlagsForLevel: the NEGOTIATE flags of a level (ESS left out at 0 only), bad input a typed error', () => {
  const ESS = F.EXTENDED_SESSIONSECURITY;
  expect(negotiateFlagsForLevel(0)).toBe((DEFAULT_NEGOTIATE_FLAGS & ~ESS) >>> 0);
  for (const level of [1, 2, 3, 4, 5] as const) expect(negotiateFlagsForLevel(level)).toBe(DEFAULT_NEGOTIATE_FLAGS);
  expect(negotiateFlagsForLevel(0, F.UNICODE | ESS)).toBe(F.UNICODE);
  expect(negotiateFlagsForLevel(3, F.UNICODE)).toBe(F.UNICODE);
  for (const [level, flags] of [
    [6, undefined],
    [-1, undefined],
    ['0', undefined],
    [0, 2 ** 32],
    [0, 'x'],
  ] as const) {
    expect(() => negotiateFlagsForLevel(level as never, flags as never)).toThrow(
      expect.objectContaining({ name: 'NtlmError', code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
  }
});

describe('2.2.1.3 at every LmCompatibilityLevel: the AUTHENTICATE keeps what the NEGOTIATE asked for and the server granted', () => {
  const ESS = F.EXTENDED_SESSIONSECURITY;
  const clientChallenge = hex(common.client_challenge);
  /** A server that echoes what it may of the NEGOTIATE (as @ntlmkit/server does); `plus` grants flags unasked. */
  const serverFlags = (requested: number, plus = 0) =>
    ((requested &
      (F.UNICODE | F.REQUEST_TARGET | F.SIGN | F.ALWAYS_SIGN | F.KEY_EXCH | ESS | F.NEGOTIATE_56 | F.NEGOTIATE_128)) |
      F.UNICODE |
      F.NTLM |
      F.TARGET_INFO |
      F.VERSION |
      F.TARGET_TYPE_DOMAIN |
      plus) >>>
    0;
  const levels = [
    [0, false, 'NTLMv1'],
    [1, true, 'NTLMv1-ESS'],
    [2, true, 'NTLMv1-ESS'],
    [3, true, 'NTLMv2'],
    [undefined, true, 'NTLMv2'],
  ] as const;

  function handshake(level: 0 | 1 | 2 | 3 | undefined, plus = 0) {
    const context = new NtlmContext({
      credentials: alice,
      ...(level === undefined ? {} : { lmCompatibilityLevel: level }),
      clientChallenge,
      now: () => Date.UTC(2026, 0, 1),
    });
    const requested = parseNegotiateMessage(context.step()).flags;
    const granted = serverFlags(requested, plus);
    const message = parseAuthenticateMessage(context.step(challengeWith(granted)));
    return { requested, granted, message, dialect: context.result!.dialect };
  }

  test.each(levels)(
    'level %s: ESS asked for: %s; the AUTHENTICATE is %s with the negotiated flags',
    (level, asks, dialect) => {
      const { requested, granted, message, dialect: sent } = handshake(level);
      expect((requested & ESS) !== 0).toBe(asks);
      expect(sent).toBe(dialect);
      // Every flag of the AUTHENTICATE was asked for and granted, but TARGET_INFO (the CHALLENGE's own).
      expect((message.flags & ~(requested & granted) & ~F.TARGET_INFO) >>> 0).toBe(0);
      expect(message.flags & ESS).toBe(requested & granted & ESS);
      for (const bit of [F.UNICODE, F.NTLM, F.VERSION, F.SIGN, F.KEY_EXCH, F.NEGOTIATE_128, F.NEGOTIATE_56]) {
        expect((message.flags & bit) >>> 0).toBe(bit);
      }
      if (dialect === 'NTLMv1-ESS') {
        expect(toHex(message.lmChallengeResponse)).toBe(`${common.client_challenge}${'00'.repeat(16)}`);
      }
    },
  );

  test('level 0: a server that grants ESS unasked does not get it (it was not negotiated): NTLMv1, LM response', () => {
    const { requested, granted, message, dialect } = handshake(0, ESS);
    expect(requested & ESS).toBe(0);
    expect(granted & ESS).toBe(ESS);
    expect(message.flags & ESS).toBe(0);
    expect(dialect).toBe('NTLMv1');
    expect(toHex(message.lmChallengeResponse)).not.toBe(`${common.client_challenge}${'00'.repeat(16)}`);
    expect(toHex(message.lmChallengeResponse)).not.toBe(toHex(message.ntChallengeResponse));
  });

  test("level 0 with a caller's own NEGOTIATE that asked for ESS, granted: negotiated, so carried and used", () => {
    const negotiate = createNegotiateMessage(); // DEFAULT_NEGOTIATE_FLAGS, ESS included
    const r = buildAuthenticateMessage({
      ...alice,
      negotiate,
      challenge: challengeWith(serverFlags(DEFAULT_NEGOTIATE_FLAGS)),
      lmCompatibilityLevel: 0,
      clientChallenge,
    });
    expect(r.flags & ESS).toBe(ESS);
    expect(r.dialect).toBe('NTLMv1-ESS');
    // Without a NEGOTIATE, the flags are those level 0 would have asked for: no ESS.
    const bare = buildAuthenticateMessage({
      ...alice,
      challenge: challengeWith(serverFlags(DEFAULT_NEGOTIATE_FLAGS)),
      lmCompatibilityLevel: 0,
      mic: false,
    });
    expect(bare.flags & ESS).toBe(0);
    expect(bare.dialect).toBe('NTLMv1');
  });

  test('the NEGOTIATE at level 0 keeps explicit flags but ESS; the Ntlm class reads LmCompatibilityLevel and ntlmVersion', () => {
    const context = new NtlmContext({ credentials: alice, lmCompatibilityLevel: 0, negotiate: { flags: 0xe2088297 } });
    expect(parseNegotiateMessage(context.step()).flags).toBe((0xe2088297 & ~ESS) >>> 0);
    const asked = (configure: (n: Ntlm) => void) => {
      const n = new Ntlm();
      n.user = alice.username;
      n.password = alice.password;
      n.config('EncodeToken=false');
      configure(n);
      const requested = parseNegotiateMessage(n.createNegotiateToken() as Uint8Array).flags;
      n.challengeToken = challengeWith(serverFlags(requested, ESS));
      const message = parseAuthenticateMessage(n.createAuthToken() as Uint8Array);
      return { requested: requested & ESS, sent: message.flags & ESS, dialect: n.lastResult!.dialect };
    };
    expect(asked((n) => n.config('LmCompatibilityLevel=0'))).toEqual({ requested: 0, sent: 0, dialect: 'NTLMv1' });
    expect(asked((n) => n.config('LmCompatibilityLevel=1'))).toEqual({
      requested: ESS,
      sent: ESS,
      dialect: 'NTLMv1-ESS',
    });
    expect(asked((n) => (n.ntlmVersion = 1))).toEqual({ requested: ESS, sent: ESS, dialect: 'NTLMv1-ESS' });
    expect(asked(() => {})).toEqual({ requested: ESS, sent: ESS, dialect: 'NTLMv2' });
  });
});
