// Every public function of the isomorphic root, called from "plain JavaScript" with each argument and
// each option (two levels deep) replaced by values of the wrong type: it succeeds or throws an NtlmError,
// never a TypeError, RangeError or stack overflow. Then the size limits of NTLM's 16-bit fields.
import * as core from '../src/internal';
import {
  AvId,
  buildAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  dateToFiletime,
  decodeToken,
  describeToken,
  isNtlmError,
  parseAuthenticateMessage,
  parseChallengeMessage,
  utf16le,
} from '../src/internal';
import { hex, vectors } from './vectors';

const BAD: unknown[] = [
  undefined,
  null,
  0,
  -1,
  NaN,
  Infinity,
  1.5,
  2 ** 40,
  '',
  'x',
  true,
  {},
  [],
  [1, 2],
  Symbol('s'),
  10n,
  () => 1,
  new Uint8Array(0),
  new Uint8Array(3),
  new Date(0),
  Object.create(null),
  { raw: 5 },
  { id: 'x', value: 'y' },
];

const negotiate = createNegotiateMessage();
const challengeBytes = createChallengeMessage({
  flags: 0xe28a8215,
  serverChallenge: new Uint8Array(8),
  targetName: 'EXAMPLE',
  targetInfo: [
    { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
    { id: AvId.Timestamp, value: dateToFiletime(0) },
  ],
  version: { major: 10, minor: 0, build: 20348, revision: 15 },
});
const challenge = parseChallengeMessage(challengeBytes);
const authenticateBytes = buildAuthenticateMessage({
  negotiate,
  challenge,
  username: 'EXAMPLE\\alice',
  password: 'Passw0rd!',
}).message;
const cert = vectors.tls_server_end_point_hash_rule_vectors.certificates[2]!.cert_der_b64;
const key16 = new Uint8Array(16).fill(1);
const b8 = new Uint8Array(8).fill(2);

/** Valid calls of every public function: [name, function, arguments]. */
const calls: [string, (...args: never[]) => unknown, unknown[]][] = [
  [
    'createNegotiateMessage',
    core.createNegotiateMessage,
    [{ flags: 0xe2088217, domain: 'D', workstation: 'W', version: core.DEFAULT_VERSION }],
  ],
  ['parseNegotiateMessage', core.parseNegotiateMessage, [negotiate]],
  [
    'createChallengeMessage',
    core.createChallengeMessage,
    [
      {
        flags: 0xe28a8215,
        serverChallenge: b8,
        targetName: 'X',
        targetInfo: [{ id: 1, value: utf16le('S') }],
        version: core.DEFAULT_VERSION,
      },
    ],
  ],
  ['parseChallengeMessage', core.parseChallengeMessage, [challengeBytes]],
  ['parseAuthenticateMessage', core.parseAuthenticateMessage, [authenticateBytes]],
  ['parseNtlmV2Response', core.parseNtlmV2Response, [parseAuthenticateMessage(authenticateBytes).ntChallengeResponse]],
  [
    'encodeAuthenticateMessage',
    core.encodeAuthenticateMessage,
    [
      {
        flags: 1,
        lmChallengeResponse: b8,
        ntChallengeResponse: b8,
        domain: 'd',
        user: 'u',
        workstation: 'w',
        encryptedRandomSessionKey: key16,
        version: core.DEFAULT_VERSION,
        withMic: true,
      },
    ],
  ],
  [
    'buildAuthenticateMessage',
    core.buildAuthenticateMessage,
    [
      {
        negotiate,
        challenge,
        username: 'EXAMPLE\\alice',
        password: 'Passw0rd!',
        domain: 'EXAMPLE',
        workstation: 'WS',
        spn: 'HTTP/x',
        channelBindings: key16,
        lmCompatibilityLevel: 3,
        mic: true,
        version: core.DEFAULT_VERSION,
        clientChallenge: b8,
        randomSessionKey: key16,
        timestamp: b8,
        now: () => 0,
        random: (n: number) => new Uint8Array(n),
        onWarning: () => undefined,
      },
    ],
  ],
  [
    'buildAuthenticateMessage (certificate, flags)',
    core.buildAuthenticateMessage,
    [
      {
        negotiate,
        challenge: challengeBytes,
        username: 'a',
        ntHash: key16,
        serverCertificate: cert,
        flags: 0xe2888215,
      },
    ],
  ],
  [
    'buildAuthenticateMessage (prepared)',
    core.buildAuthenticateMessage,
    [{ negotiate, challenge, credentials: core.prepareCredentials({ username: 'a', password: 'p' }) }],
  ],
  [
    'createAuthenticateMessage',
    core.createAuthenticateMessage,
    [{ negotiate, challenge: challengeBytes, username: 'a', password: 'p', lmCompatibilityLevel: 1 }],
  ],
  ['flagNames', core.flagNames, [0xe2088217]],
  ['encodeVersion', core.encodeVersion, [core.DEFAULT_VERSION]],
  ['decodeVersion', core.decodeVersion, [b8]],
  ['formatVersion', core.formatVersion, [core.DEFAULT_VERSION]],
  ['parseVersion', core.parseVersion, ['10.0.20348']],
  ['avIdName', core.avIdName, [2]],
  ['parseAvPairs', core.parseAvPairs, [hex('02000200410000000000')]],
  ['encodeAvPairs', core.encodeAvPairs, [[{ id: 2, value: b8 }]]],
  ['findAvPair', core.findAvPair, [[{ id: 2, value: b8 }], 2]],
  ['avFlagsValue', core.avFlagsValue, [{ id: 6, value: new Uint8Array(4) }]],
  ['describeAvValue', core.describeAvValue, [{ id: 7, value: b8 }]],
  ['dateToFiletime', core.dateToFiletime, [0]],
  ['filetimeToMs', core.filetimeToMs, [b8]],
  ['filetimeToDate', core.filetimeToDate, [b8]],
  ['messageType', core.messageType, [negotiate]],
  ['ByteReader', (bytes: Uint8Array, what: string) => new core.ByteReader(bytes, what).u32(0), [b8, 'x']],
  ['ntowfv1', core.ntowfv1, ['p']],
  ['lmowfv1', core.lmowfv1, ['p']],
  ['ntowfv2', core.ntowfv2, ['p', 'u', 'd']],
  ['lmowfv2', core.lmowfv2, ['p', 'u', 'd']],
  ['ntowfv2FromHash', core.ntowfv2FromHash, [key16, 'u', 'd']],
  [
    'computeResponseV1',
    core.computeResponseV1,
    [
      {
        responseKeyNT: key16,
        responseKeyLM: key16,
        serverChallenge: b8,
        clientChallenge: b8,
        extendedSessionSecurity: true,
        noLmResponse: true,
      },
    ],
  ],
  [
    'computeResponseV2',
    core.computeResponseV2,
    [
      {
        responseKeyNT: key16,
        responseKeyLM: key16,
        serverChallenge: b8,
        clientChallenge: b8,
        time: b8,
        serverName: new Uint8Array(4),
        zeroLmResponse: false,
      },
    ],
  ],
  [
    'kxkey',
    core.kxkey,
    [
      {
        flags: 0x80,
        sessionBaseKey: key16,
        lmChallengeResponse: new Uint8Array(24),
        serverChallenge: b8,
        lmowf: key16,
        ntlmv2: false,
      },
    ],
  ],
  ['mic', core.mic, [key16, negotiate, challengeBytes, authenticateBytes]],
  ['hmacMd5', core.hmacMd5, [key16, b8, b8]],
  ['encryptRandomSessionKey', core.encryptRandomSessionKey, [key16, key16]],
  ['decryptRandomSessionKey', core.decryptRandomSessionKey, [key16, key16]],
  ['crypto.md4', core.crypto.md4, [b8]],
  ['crypto.md5', core.crypto.md5, [b8, b8]],
  ['crypto.macKey', (k: Uint8Array, m: Uint8Array) => core.crypto.macKey(k).mac(m), [key16, b8]],
  ['crypto.rc4', core.crypto.rc4, [key16, b8]],
  ['crypto.desEncryptBlock', core.crypto.desEncryptBlock, [b8, b8]],
  ['crypto.des7', core.crypto.des7, [new Uint8Array(7), b8]],
  ['crypto.desl', core.crypto.desl, [key16, b8]],
  ['crypto.expandDesKey', core.crypto.expandDesKey, [new Uint8Array(7)]],
  ['crypto.ntlmv2ClientBlob', core.crypto.ntlmv2ClientBlob, [b8, b8, new Uint8Array(4)]],
  ['crypto.randomSessionKeyCounts', core.crypto.randomSessionKeyCounts, [0x40000010]],
  ['crypto.signkey', core.crypto.signkey, [0x80000, key16, 'Client']],
  ['crypto.sealkey', core.crypto.sealkey, [0x80000, key16, 'Server', 15]],
  [
    'crypto.useHashProvider',
    (p: core.crypto.HashProvider) => core.crypto.useHashProvider(p ?? core.crypto.nobleHashProvider),
    [core.crypto.nobleHashProvider],
  ],
  ['HmacMd5Key', (k: Uint8Array, m: Uint8Array) => new core.crypto.HmacMd5Key(k).mac(m), [key16, b8]],
  ['channelBindingFromCertificate', core.channelBindingFromCertificate, [cert]],
  [
    'channelBindingHash',
    core.channelBindingHash,
    [{ initiatorAddrType: 2, initiatorAddress: b8, acceptorAddrType: 0, acceptorAddress: b8, applicationData: b8 }],
  ],
  ['packChannelBindings', core.packChannelBindings, [{ applicationData: b8 }]],
  ['tlsServerEndPoint', core.tlsServerEndPoint, [cert]],
  ['tlsServerEndPointHash', core.tlsServerEndPointHash, [cert]],
  ['endPointHashAlgorithm', core.endPointHashAlgorithm, [cert]],
  ['certificateToDer', core.certificateToDer, [cert]],
  ['parseCertificate', core.parseCertificate, [core.certificateToDer(cert)]],
  ['resolveCredentials', core.resolveCredentials, [{ username: 'D\\u', password: 'p', domain: 'D', workstation: 'W' }]],
  ['resolveCredentials (hash)', core.resolveCredentials, [{ username: 'u', ntHash: key16 }]],
  ['prepareCredentials', core.prepareCredentials, [{ username: 'u', password: 'p' }]],
  [
    'PreparedCredentials.matches',
    (c: core.Credentials) => core.prepareCredentials({ username: 'u', password: 'p' }).matches(c),
    [{ username: 'u', password: 'p' }],
  ],
  ['splitUsername', core.splitUsername, ['D\\u', 'D']],
  ['parseNtHash', core.parseNtHash, ['00'.repeat(16)]],
  ['isNtlmError', core.isNtlmError, [new Error('x')]],
  ['toBase64', core.toBase64, [b8]],
  ['fromBase64', core.fromBase64, ['AAAA']],
  ['toHex', core.toHex, [b8]],
  ['fromHex', core.fromHex, ['00ff']],
  ['utf16le', core.utf16le, ['x']],
  ['decodeUtf16le', core.decodeUtf16le, [b8]],
  ['concatBytes', core.concatBytes, [b8, b8]],
  ['bytesEqual', core.bytesEqual, [b8, b8]],
  ['decodeToken', core.decodeToken, [authenticateBytes]],
  ['describeToken', core.describeToken, [`NTLM ${core.toBase64(challengeBytes)}`]],
];

function attempt(name: string, fn: (...args: never[]) => unknown, args: unknown[], what: string): void {
  try {
    fn(...(args as never[]));
  } catch (error) {
    if (!isNtlmError(error)) {
      throw new Error(`${name} with ${what}: ${String((error as Error)?.stack ?? error)}`, { cause: error });
    }
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'symbol' || typeof v === 'bigint') return typeof v;
  if (typeof v === 'function') return 'a function';
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

test.each(calls)('%s: every argument and option of the wrong type gives success or an NtlmError', (name, fn, args) => {
  attempt(name, fn, args, 'valid arguments'); // the table itself is right
  expect(() => fn(...(args as never[]))).not.toThrow();
  for (let i = 0; i < args.length + 1; i++) {
    for (const bad of BAD) {
      const changed = [...args];
      changed[i] = bad;
      attempt(name, fn, changed, `argument ${i} = ${describeValue(bad)}`);
    }
    const arg = args[i];
    if (typeof arg !== 'object' || arg === null || arg instanceof Uint8Array || Array.isArray(arg)) continue;
    for (const key of Object.keys(arg)) {
      for (const bad of BAD) {
        attempt(
          name,
          fn,
          Object.assign([...args], { [i]: { ...arg, [key]: bad } }),
          `option ${key} = ${describeValue(bad)}`,
        );
        const inner = (arg as Record<string, unknown>)[key];
        if (typeof inner !== 'object' || inner === null || inner instanceof Uint8Array || Array.isArray(inner))
          continue;
        for (const innerKey of Object.keys(inner)) {
          attempt(
            name,
            fn,
            Object.assign([...args], { [i]: { ...arg, [key]: { ...inner, [innerKey]: bad } } }),
            `option ${key}.${innerKey} = ${describeValue(bad)}`,
          );
        }
      }
    }
  }
});

describe("NTLM's 16-bit fields: long inputs are refused with a clear NtlmError", () => {
  const long = 'x'.repeat(40_000);
  const base = { negotiate, challenge, username: 'EXAMPLE\\alice', password: 'Passw0rd!' };

  test.each([
    ['username', { username: long }],
    ['domain', { username: long.slice(0, 10), domain: long }],
    ['username', { username: `EXAMPLE\\${long}` }],
    ['workstation', { workstation: long }],
    ['spn', { spn: long }],
  ])('a 40,000-character %s', (field, extra) => {
    expect(() => buildAuthenticateMessage({ ...base, ...extra })).toThrow(
      expect.objectContaining({
        name: 'NtlmError',
        code: 'ERR_NTLM_INVALID_ARGUMENT',
        message: expect.stringContaining(field),
      }),
    );
  });

  test("an SPN that fits alone but not with the server's target info: the NT response would overflow", () => {
    const pairs = Array.from({ length: 4 }, (_, i) => ({
      id: AvId.DnsDomainName + (i % 2),
      value: new Uint8Array(8000),
    }));
    const big = createChallengeMessage({ flags: 0xe28a8215, serverChallenge: b8, targetName: 'X', targetInfo: pairs });
    expect(() => buildAuthenticateMessage({ ...base, challenge: big, spn: 'x'.repeat(20_000) })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_FIELD_OUT_OF_RANGE' }),
    );
  });

  test('a valid CHALLENGE with a 65,500-byte TargetInfo parses and decodes; answering it is an NtlmError', () => {
    const targetInfo = [{ id: AvId.DnsTreeName, value: new Uint8Array(65_500 - 8) }];
    const big = createChallengeMessage({ flags: 0xe28a8215, serverChallenge: b8, targetName: 'X', targetInfo });
    const parsed = parseChallengeMessage(big);
    expect(parsed.targetInfo[0]!.value).toHaveLength(65_492);
    expect(decodeToken(big).name).toBe('CHALLENGE');
    expect(describeToken(core.toBase64(big))).toContain('CHALLENGE');
    expect(() => buildAuthenticateMessage({ ...base, challenge: big, mic: false })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_FIELD_OUT_OF_RANGE' }),
    );
    // 16,370 empty pairs: the NT response just fits (65,532 bytes); our 16-byte MsvAvTargetName would not.
    const many = createChallengeMessage({
      flags: 0xe28a8215,
      serverChallenge: b8,
      targetName: 'X',
      targetInfo: Array.from({ length: 16_370 }, () => ({ id: 1, value: new Uint8Array(0) })),
    });
    expect(decodeToken(many).fields.length).toBeGreaterThan(16_370);
    expect(
      parseAuthenticateMessage(buildAuthenticateMessage({ ...base, challenge: many, now: () => 0 }).message)
        .ntChallengeResponse,
    ).toHaveLength(65_532);
    expect(() => buildAuthenticateMessage({ ...base, challenge: many, now: () => 0, spn: 'HTTP/x' })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_FIELD_OUT_OF_RANGE' }),
    );
  });

  test('long NEGOTIATE fields and CHALLENGE target names; AV pair values over 65,535 bytes', () => {
    expect(() => createNegotiateMessage({ domain: 'd'.repeat(70_000) })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => createChallengeMessage({ flags: 1, serverChallenge: b8, targetName: long, targetInfo: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => core.encodeAvPairs([{ id: 1, value: new Uint8Array(70_000) }])).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => buildAuthenticateMessage({ ...base, password: 'p'.repeat(1_000_000) })).not.toThrow();
  });
});
