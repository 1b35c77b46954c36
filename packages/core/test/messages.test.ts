import {
  AvFlags,
  AvId,
  avFlagsValue,
  buildAuthenticateMessage,
  createAuthenticateMessage,
  prepareCredentials,
  createChallengeMessage,
  createNegotiateMessage,
  DEFAULT_NEGOTIATE_FLAGS,
  encodeAvPairs,
  findAvPair,
  NegotiateFlags,
  NtlmError,
  parseAuthenticateMessage,
  parseAvPairs,
  parseChallengeMessage,
  parseNegotiateMessage,
  toHex,
  utf16le,
  decodeUtf16le,
  mic as computeMic,
  dateToFiletime,
  filetimeToMs,
} from '../src/internal';
import { hmacMd5 } from '../src/crypto/hash';
import { ntowfv2 } from '../src/crypto/ntowf';
import { common, eachProvider, hex, vectors } from './vectors';

const v1 = vectors.ntlmv1_4_2_2;
const ess = vectors.ntlmv1_with_client_challenge_ess_4_2_3;
const v2 = vectors.ntlmv2_4_2_4;

const specInputs = {
  username: common.user,
  password: common.password,
  domain: common.domain,
  workstation: common.workstation,
  clientChallenge: hex(common.client_challenge),
  randomSessionKey: hex(common.random_session_key),
  timestamp: hex(common.time),
  version: { major: 5, minor: 1, build: 2600, revision: 15 },
};

describe('NEGOTIATE', () => {
  test("defaults: a Windows client's flags without LM_KEY (0xe2088217), 40 bytes with Version", () => {
    const m = createNegotiateMessage();
    expect(m.length).toBe(40);
    const parsed = parseNegotiateMessage(m);
    expect(parsed.flags).toBe(DEFAULT_NEGOTIATE_FLAGS);
    expect(DEFAULT_NEGOTIATE_FLAGS).toBe(0xe2088217);
    // With KEY_EXCH: the random key counts for every server.
    expect(DEFAULT_NEGOTIATE_FLAGS & NegotiateFlags.SIGN).toBeTruthy();
    expect(toHex(m.subarray(0, 16))).toBe('4e544c4d5353500001000000178208e2');
    expect(parsed.version).toEqual({ major: 10, minor: 0, build: 20348, revision: 15 });
  });

  test('domain and workstation are OEM with the SUPPLIED flags', () => {
    const m = createNegotiateMessage({ domain: 'EXAMPLE', workstation: 'WS01' });
    const p = parseNegotiateMessage(m);
    expect(p.domain).toBe('EXAMPLE');
    expect(p.workstation).toBe('WS01');
    expect(p.flags & NegotiateFlags.OEM_DOMAIN_SUPPLIED).toBeTruthy();
    expect(p.flags & NegotiateFlags.OEM_WORKSTATION_SUPPLIED).toBeTruthy();
    expect(m.length).toBe(40 + 7 + 4);
  });

  test("curl's 32-byte NEGOTIATE (no Version) parses", () => {
    const curl = hex('4e544c4d53535000010000000682080000000000000000000000000000000000');
    const p = parseNegotiateMessage(curl);
    expect(p.version).toBeUndefined();
    expect(p.flags).toBe(0x00088206);
  });
});

describe('CHALLENGE', () => {
  test.each([
    ['4.2.2.3', v1.challenge_message_4_2_2_3.hex, 0xe2028233, 0],
    ['4.2.3.3', ess.challenge_message_4_2_3_3.hex, 0x820a8233, 0],
    ['4.2.4.3', v2.challenge_message_4_2_4_3.hex, 0xe28a8233, 2],
  ])('parses the spec message %s', (_name, messageHex, flags, pairs) => {
    const c = parseChallengeMessage(hex(messageHex));
    expect(c.flags).toBe(flags);
    expect(toHex(c.serverChallenge)).toBe(common.server_challenge);
    expect(c.targetName).toBe('Server');
    expect(c.targetInfo).toHaveLength(pairs);
    expect(c.version).toEqual({ major: 6, minor: 0, build: 6000, revision: 15 });
    expect(c.timestamp).toBeUndefined();
  });

  test('createChallengeMessage reproduces the 4.2.4.3 message byte for byte', () => {
    const message = createChallengeMessage({
      flags: 0xe28a8233,
      serverChallenge: hex(common.server_challenge),
      targetName: 'Server',
      targetInfo: parseAvPairs(hex(v2.av_pairs_from_challenge.hex)),
      version: { major: 6, minor: 0, build: 6000, revision: 15 },
    });
    expect(toHex(message)).toBe(v2.challenge_message_4_2_4_3.hex);
  });

  test('AV pairs keep their order, and a timestamp is exposed', () => {
    const ts = dateToFiletime(Date.UTC(2026, 0, 2, 3, 4, 5));
    const m = createChallengeMessage({
      flags: 0xe28a8215,
      serverChallenge: new Uint8Array(8),
      targetName: 'EXAMPLE',
      targetInfo: [
        { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
        { id: AvId.DnsComputerName, value: utf16le('srv.example.com') },
        { id: AvId.Timestamp, value: ts },
      ],
    });
    const c = parseChallengeMessage(m);
    expect(c.targetInfo.map((p) => p.id)).toEqual([AvId.NbDomainName, AvId.DnsComputerName, AvId.Timestamp]);
    expect(c.timestampMs).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(filetimeToMs(ts)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
  });

  test.each([
    [
      'wrong signature',
      (b: Uint8Array) => {
        b[0] = 0x4f;
      },
      'ERR_NTLM_BAD_SIGNATURE',
    ],
    [
      'wrong message type',
      (b: Uint8Array) => {
        b[8] = 3;
      },
      'ERR_NTLM_BAD_MESSAGE_TYPE',
    ],
    [
      'target name out of range',
      (b: Uint8Array) => {
        b[16] = 0xff;
      },
      'ERR_NTLM_FIELD_OUT_OF_RANGE',
    ],
    [
      'target info length past the end',
      (b: Uint8Array) => {
        b[40] = 0xff;
      },
      'ERR_NTLM_FIELD_OUT_OF_RANGE',
    ],
  ])('%s is an NtlmError with a stable code', (_name, corrupt, code) => {
    const b = hex(v2.challenge_message_4_2_4_3.hex);
    corrupt(b);
    expect(() => parseChallengeMessage(b)).toThrow(expect.objectContaining({ name: 'NtlmError', code }));
  });

  test('truncated messages are ERR_NTLM_TRUNCATED', () => {
    const b = hex(v2.challenge_message_4_2_4_3.hex);
    for (const n of [0, 7, 11, 20, 31]) {
      expect(() => parseChallengeMessage(b.subarray(0, n))).toThrow(
        expect.objectContaining({ code: 'ERR_NTLM_TRUNCATED' }),
      );
    }
  });

  test("squid's ntlm_fake_auth CHALLENGE (TargetName offset 0xAAAAAAAE) is refused cleanly", () => {
    const m = new Uint8Array(49);
    m.set(hex('4e544c4d53535000020000000600060' + '0aeaaaaaa'.slice(0, 9)).subarray(0, 16), 0);
    m.set([0x06, 0x00, 0x06, 0x00, 0xae, 0xaa, 0xaa, 0xaa], 12);
    expect(() => parseChallengeMessage(m)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_FIELD_OUT_OF_RANGE' }));
  });

  test('bad AV pairs', () => {
    expect(() => parseAvPairs(hex('0200ff00'))).toThrow(expect.objectContaining({ code: 'ERR_NTLM_BAD_AV_PAIRS' }));
    expect(() => parseAvPairs(hex('070004000000000000000000'))).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_BAD_AV_PAIRS' }),
    );
    expect(() => parseAvPairs(hex('02'))).toThrow(expect.objectContaining({ code: 'ERR_NTLM_BAD_AV_PAIRS' }));
    expect(parseAvPairs(hex('02000200410000000000'))).toHaveLength(1);
    expect(parseAvPairs(hex('020002004100'))).toHaveLength(1); // no EOL but ends on a boundary
  });
});

eachProvider(() => {
  describe('AUTHENTICATE: the spec messages byte for byte', () => {
    test('4.2.2.3 NTLMv1', () => {
      const message = createAuthenticateMessage({
        ...specInputs,
        challenge: hex(v1.challenge_message_4_2_2_3.hex),
        flags: Number(v1.authenticate_message_4_2_2_3.flags_u32),
        lmCompatibilityLevel: 1,
      });
      expect(toHex(message)).toBe(v1.authenticate_message_4_2_2_3.hex);
    });

    test('4.2.3.3 NTLMv1 with extended session security', () => {
      const message = createAuthenticateMessage({
        ...specInputs,
        challenge: hex(ess.challenge_message_4_2_3_3.hex),
        flags: Number(ess.authenticate_message_4_2_3_3.flags_u32),
        lmCompatibilityLevel: 1,
      });
      expect(toHex(message)).toBe(ess.authenticate_message_4_2_3_3.hex);
    });

    test('4.2.4.3 NTLMv2 (no MIC, as in the spec)', () => {
      const result = buildAuthenticateMessage({
        ...specInputs,
        challenge: hex(v2.challenge_message_4_2_4_3.hex),
        flags: Number(v2.authenticate_message_4_2_4_3.flags_u32),
        mic: false,
      });
      expect(toHex(result.message)).toBe(v2.authenticate_message_4_2_4_3.hex);
      expect(result.dialect).toBe('NTLMv2');
      expect(toHex(result.exportedSessionKey)).toBe(common.random_session_key);
      expect(toHex(result.keyExchangeKey)).toBe(v2.key_exchange_key.hex);
    });

    test('4.2.4.3 NTLMv2 from prepared credentials: the same bytes, and the same again on reuse', () => {
      const { username, password, domain, workstation, ...rest } = specInputs;
      const credentials = prepareCredentials({ username, password, domain, workstation });
      for (let i = 0; i < 2; i++) {
        const message = createAuthenticateMessage({
          ...rest,
          credentials,
          challenge: hex(v2.challenge_message_4_2_4_3.hex),
          flags: Number(v2.authenticate_message_4_2_4_3.flags_u32),
          mic: false,
        });
        expect(toHex(message)).toBe(v2.authenticate_message_4_2_4_3.hex);
      }
    });

    test('parseAuthenticateMessage reads the spec NTLMv2 message back', () => {
      const m = parseAuthenticateMessage(hex(v2.authenticate_message_4_2_4_3.hex));
      expect(m).toMatchObject({ user: 'User', domain: 'Domain', workstation: 'COMPUTER', flags: 0xe2888235 });
      expect(m.mic).toBeUndefined();
      expect(toHex(m.ntlmv2!.ntProofStr)).toBe(v2.nt_proof_str_4_2_4_2_2.hex);
      expect(toHex(m.encryptedRandomSessionKey)).toBe(v2.encrypted_random_session_key_4_2_4_2_3.hex);
    });
  });
});

describe('AUTHENTICATE: what real servers need', () => {
  const serverTs = dateToFiletime(Date.UTC(2026, 10, 22, 12, 0, 0));
  const challengeBytes = createChallengeMessage({
    flags: 0xe28a8215,
    serverChallenge: hex('0123456789abcdef'),
    targetName: 'EXAMPLE',
    targetInfo: [
      { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
      { id: AvId.NbComputerName, value: utf16le('SRV') },
      { id: AvId.Timestamp, value: serverTs },
      { id: AvId.Flags, value: new Uint8Array(4) },
      { id: AvId.TargetName, value: utf16le('bogus') },
    ],
    version: { major: 10, minor: 0, build: 17763, revision: 15 },
  });
  const negotiate = createNegotiateMessage();
  const base = {
    negotiate,
    challenge: challengeBytes,
    username: 'EXAMPLE\\alice',
    password: 'Passw0rd!',
    clientChallenge: hex('aaaaaaaaaaaaaaaa'),
    randomSessionKey: hex('55555555555555555555555555555555'),
  };

  test('MIC at offset 72 over the three messages; LM zero with a server timestamp; AV pairs as required', () => {
    const r = buildAuthenticateMessage({ ...base, spn: 'HTTP/srv.example.com' });
    const m = parseAuthenticateMessage(r.message);
    expect(m.lmChallengeResponse).toEqual(new Uint8Array(24));
    expect(m.user).toBe('alice');
    expect(m.domain).toBe('EXAMPLE');
    expect(toHex(m.mic!)).toBe(toHex(r.mic!));
    expect(toHex(r.mic!)).toBe(toHex(computeMic(r.exportedSessionKey, negotiate, challengeBytes, r.message)));
    const pairs = m.ntlmv2!.avPairs;
    expect(pairs.map((p) => p.id)).toEqual([
      AvId.NbDomainName,
      AvId.NbComputerName,
      AvId.Timestamp,
      AvId.Flags,
      AvId.TargetName,
    ]);
    expect(avFlagsValue(findAvPair(pairs, AvId.Flags))).toBe(AvFlags.MIC_PRESENT); // merged, not a second pair
    expect(decodeUtf16le(findAvPair(pairs, AvId.TargetName)!.value)).toBe('HTTP/srv.example.com');
    expect(toHex(m.ntlmv2!.time)).toBe(toHex(serverTs)); // the server's timestamp, not the local clock
    // The NTProofStr verifies with the password as a server would compute it.
    const key = ntowfv2('Passw0rd!', 'alice', 'EXAMPLE');
    expect(toHex(hmacMd5(key, hex('0123456789abcdef'), m.ntlmv2!.blob))).toBe(toHex(m.ntlmv2!.ntProofStr));
  });

  test('key exchange: the session key is RC4-encrypted with the key-exchange key', () => {
    const r = buildAuthenticateMessage(base);
    expect(r.flags & NegotiateFlags.KEY_EXCH).toBeTruthy();
    expect(toHex(r.exportedSessionKey)).toBe('55555555555555555555555555555555');
    expect(parseAuthenticateMessage(r.message).encryptedRandomSessionKey).toHaveLength(16);
  });

  test('channel binding from a certificate; never zero; none without a certificate', () => {
    const cb = vectors.tls_server_end_point_hash_rule_vectors.certificates[2]!;
    const r = buildAuthenticateMessage({ ...base, serverCertificate: Buffer.from(cb.cert_der_b64, 'base64') });
    expect(toHex(r.channelBinding!)).toBe(cb.derived_msv_av_channel_bindings);
    const pairs = parseAuthenticateMessage(r.message).ntlmv2!.avPairs;
    expect(toHex(findAvPair(pairs, AvId.ChannelBindings)!.value)).toBe(cb.derived_msv_av_channel_bindings);
    const none = parseAuthenticateMessage(createAuthenticateMessage(base)).ntlmv2!.avPairs;
    expect(findAvPair(none, AvId.ChannelBindings)).toBeUndefined();
    expect(() => createAuthenticateMessage({ ...base, channelBindings: new Uint8Array(16) })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
  });

  test('the server flags pair never gets 0x4, and 0x2 exactly when a MIC is sent (MS-NLMP 3.1.5.1.2)', () => {
    const flagsOf = (pairs: { id: number; value: Uint8Array }[]) => {
      const c = createChallengeMessage({
        flags: 0xe28a8215,
        serverChallenge: new Uint8Array(8),
        targetName: 'X',
        targetInfo: pairs,
      });
      return avFlagsValue(
        findAvPair(
          parseAuthenticateMessage(createAuthenticateMessage({ ...base, challenge: c, now: () => 0 })).ntlmv2!.avPairs,
          AvId.Flags,
        ),
      );
    };
    // With MsvAvTimestamp: a MIC, bit 0x2 merged into the server's pair, 0x4 cleared, 0x1 kept.
    expect(
      flagsOf([
        { id: AvId.Timestamp, value: serverTs },
        { id: AvId.Flags, value: new Uint8Array([5, 0, 0, 0]) },
      ]),
    ).toBe(AvFlags.MIC_PRESENT | 1);
    // Without it: no MIC; a server pair claiming 0x2 is not echoed with it (we would promise a MIC we do not send).
    expect(flagsOf([{ id: AvId.Flags, value: new Uint8Array([6, 0, 0, 0]) }])).toBe(0);
  });

  test('without a server timestamp: LMv2 and the local clock (injected)', () => {
    const c = createChallengeMessage({
      flags: 0xe28a8215,
      serverChallenge: new Uint8Array(8),
      targetName: 'X',
      targetInfo: [{ id: AvId.NbDomainName, value: utf16le('X') }],
    });
    const now = Date.UTC(2026, 10, 22);
    const m = parseAuthenticateMessage(createAuthenticateMessage({ ...base, challenge: c, now: () => now }));
    expect(m.lmChallengeResponse).toHaveLength(24);
    expect(m.lmChallengeResponse.some((b) => b !== 0)).toBe(true);
    expect(filetimeToMs(m.ntlmv2!.time)).toBe(now);
  });

  test('UPN is sent unsplit with an empty domain; non-ASCII users and passwords', () => {
    const m = parseAuthenticateMessage(createAuthenticateMessage({ ...base, username: 'alice@example.com' }));
    expect(m.user).toBe('alice@example.com');
    expect(m.domain).toBe('');
    const r = buildAuthenticateMessage({ ...base, username: 'EXAMPLE\\bøb', password: 'Pässwörd€1' });
    const p = parseAuthenticateMessage(r.message);
    expect(p.user).toBe('bøb');
    const key = ntowfv2('Pässwörd€1', 'bøb', 'EXAMPLE');
    expect(toHex(hmacMd5(key, hex('0123456789abcdef'), p.ntlmv2!.blob))).toBe(toHex(p.ntlmv2!.ntProofStr));
  });

  test('an NT hash works instead of a password', () => {
    const a = createAuthenticateMessage(base);
    const b = createAuthenticateMessage({ ...base, password: undefined, ntHash: '3c6e7a4a7d5d1fd8f8eb8d5a4f8aa6b3' });
    expect(toHex(a)).not.toBe(toHex(b));
    const { ntowfv1 } = jest.requireActual('../src/crypto/ntowf');
    const c = createAuthenticateMessage({ ...base, password: undefined, ntHash: ntowfv1('Passw0rd!') });
    expect(toHex(c)).toBe(toHex(a));
  });

  test('legacy dialects only on request', () => {
    expect(buildAuthenticateMessage(base).dialect).toBe('NTLMv2');
    expect(buildAuthenticateMessage({ ...base, lmCompatibilityLevel: 2 }).dialect).toBe('NTLMv1-ESS');
    // Level 0 asks for no ESS in its NEGOTIATE; a NEGOTIATE that asked for it (and got it) negotiated it.
    const level0 = {
      ...base,
      lmCompatibilityLevel: 0 as const,
      negotiate: createNegotiateMessage({ flags: 0xe2008217 }),
    };
    expect(buildAuthenticateMessage(level0).dialect).toBe('NTLMv1');
    expect(buildAuthenticateMessage({ ...base, lmCompatibilityLevel: 0 }).dialect).toBe('NTLMv1-ESS');
    const v1msg = parseAuthenticateMessage(createAuthenticateMessage(level0));
    expect(v1msg.ntChallengeResponse).toHaveLength(24);
    expect(() => createAuthenticateMessage({ ...base, lmCompatibilityLevel: 7 as never })).toThrow(NtlmError);
  });

  test('anonymous', () => {
    const r = buildAuthenticateMessage({ ...base, username: '', password: '' });
    const m = parseAuthenticateMessage(r.message);
    expect(r.dialect).toBe('anonymous');
    expect(m.ntChallengeResponse).toHaveLength(0);
    expect(toHex(m.lmChallengeResponse)).toBe('00');
    expect(m.flags & NegotiateFlags.ANONYMOUS).toBeTruthy();
  });

  test('a MIC needs the NEGOTIATE bytes', () => {
    expect(() => createAuthenticateMessage({ ...base, negotiate: undefined })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => createAuthenticateMessage({ ...base, negotiate: undefined, mic: false })).not.toThrow();
  });

  test('OEM when the server does not offer Unicode', () => {
    const c = createChallengeMessage({
      flags: 0x00088202,
      serverChallenge: new Uint8Array(8),
      targetName: 'X',
      targetInfo: [],
    });
    const m = parseAuthenticateMessage(createAuthenticateMessage({ ...base, challenge: c }));
    expect(m.flags & NegotiateFlags.OEM).toBeTruthy();
    expect(m.flags & NegotiateFlags.UNICODE).toBeFalsy();
    expect(m.user).toBe('alice');
  });

  test('randomness and time are injectable: the same hooks give the same bytes, other randomness others', () => {
    const seeded = (seed: number) => (size: number) =>
      Uint8Array.from({ length: size }, (_, i) => (seed * 31 + i * 7) & 0xff);
    const once = (seed: number) =>
      toHex(
        createAuthenticateMessage({
          negotiate,
          challenge: challengeBytes,
          username: 'EXAMPLE\\alice',
          password: 'Passw0rd!',
          random: seeded(seed),
          now: () => 0,
        }),
      );
    expect(once(1)).toBe(once(1));
    expect(once(1)).not.toBe(once(2));
    expect(() =>
      createAuthenticateMessage({ ...base, clientChallenge: undefined, random: () => new Uint8Array(3) }),
    ).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
  });

  test('AV pair list helpers round-trip', () => {
    const pairs = [{ id: AvId.NbComputerName, value: utf16le('A') }];
    expect(parseAvPairs(encodeAvPairs(pairs))).toEqual(pairs);
  });
});
