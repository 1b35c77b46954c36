// Seeded fuzzing: at least 100,000 mutated inputs for each public parser, which must parse or fail with
// an NtlmError, never another error type and never hang. The seed makes every failure reproducible;
// the mutations are cheap (a few bytes each) so that the suite stays fast.
import {
  buildAuthenticateMessage,
  createAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  decodeToken,
  parseAuthenticateMessage,
  parseChallengeMessage,
  parseNegotiateMessage,
  AvId,
  utf16le,
  dateToFiletime,
  NtlmError,
  toBase64,
} from '../src/internal';
import { findNtlmTokens } from '../src/decode';
import { parseAuthenticateHeaders, selectNtlmOffer } from '../src/http/authenticate-header';
import { hex, vectors } from './vectors';
import { seededRandom } from '../../../test/support/random';

const N = 100_000;

const targetInfo = [
  { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
  { id: AvId.DnsComputerName, value: utf16le('srv.example.com') },
  { id: AvId.Timestamp, value: dateToFiletime(0) },
  { id: AvId.Flags, value: new Uint8Array(4) },
];
const challenges: Uint8Array[] = [
  hex(vectors.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex),
  hex(vectors.ntlmv1_4_2_2.challenge_message_4_2_2_3.hex),
  createChallengeMessage({
    flags: 0xe28a8215,
    serverChallenge: new Uint8Array(8),
    targetName: 'EXAMPLE',
    targetInfo,
    version: { major: 10, minor: 0, build: 20348, revision: 15 },
  }),
];
const negotiate = createNegotiateMessage();
const negotiates = [
  negotiate,
  createNegotiateMessage({ domain: 'D', workstation: 'W' }),
  hex('4e544c4d53535000010000000682080000000000000000000000000000000000'),
];
const authenticates = [
  hex(vectors.ntlmv2_4_2_4.authenticate_message_4_2_4_3.hex),
  hex(vectors.ntlmv1_4_2_2.authenticate_message_4_2_2_3.hex),
  hex(vectors.chromium_ntlmv2_mic.authenticate_hex),
  buildAuthenticateMessage({
    negotiate,
    challenge: challenges[2]!,
    username: 'EXAMPLE\\alice',
    password: 'Passw0rd!',
    spn: 'HTTP/x',
    channelBindings: new Uint8Array(16).fill(1),
  }).message,
];

/** A few cheap edits: random bytes, the length/offset fields parsers trust, truncation, extension. */
function mutate(input: Uint8Array, random: () => number, fields: readonly number[]): Uint8Array {
  let b = input.slice();
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const op = random();
    if (op < 0.4) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
    else if (op < 0.55) b = b.slice(0, Math.floor(random() * b.length));
    else if (op < 0.75) {
      const at = fields[Math.floor(random() * fields.length)]! + Math.floor(random() * 8);
      if (at < b.length) b[at] = [0, 0xff, 0x7f, 0x80, 1, 2][Math.floor(random() * 6)]!;
    } else if (op < 0.9) {
      const extra = new Uint8Array(Math.floor(random() * 16)).map(() => Math.floor(random() * 256));
      const merged = new Uint8Array(b.length + extra.length);
      merged.set(b);
      merged.set(extra, b.length);
      b = merged;
    } else if (b.length > 56) {
      // Somewhere in the payload: AV pair headers and lengths.
      b[56 + Math.floor(random() * (b.length - 56))] = Math.floor(random() * 256);
    }
  }
  return b;
}

function fuzz<T>(
  seed: number,
  seeds: T[],
  mutateOne: (input: T, random: () => number) => T,
  run: (input: T) => unknown,
  show: (input: T) => string,
) {
  const random = seededRandom(seed);
  const counts = { ok: 0, rejected: 0 };
  for (let i = 0; i < N; i++) {
    const input = mutateOne(seeds[i % seeds.length]!, random);
    try {
      run(input);
      counts.ok++;
    } catch (error) {
      if (!(error instanceof NtlmError)) {
        throw new Error(`iteration ${i}: ${String(error)} for ${show(input)}`, { cause: error });
      }
      counts.rejected++;
    }
  }
  return counts;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const CHALLENGE_FIELDS = [12, 20, 24, 40, 48];
const NEGOTIATE_FIELDS = [8, 12, 16, 24, 32];
const AUTHENTICATE_FIELDS = [12, 20, 28, 36, 44, 52, 60, 64, 72];

test('100,000 mutated CHALLENGE messages, every eighth parsed one answered', () => {
  let answered = 0;
  const counts = fuzz(
    0x5eed,
    challenges,
    (b, r) => mutate(b, r, CHALLENGE_FIELDS),
    (input) => {
      const challenge = parseChallengeMessage(input);
      if ((answered++ & 7) === 0)
        createAuthenticateMessage({
          negotiate,
          challenge,
          username: 'EXAMPLE\\alice',
          password: 'Passw0rd!',
          now: () => 0,
        });
    },
    hexOf,
  );
  expect(counts.ok).toBeGreaterThan(10_000);
  expect(counts.rejected).toBeGreaterThan(10_000);
});

test('100,000 mutated NEGOTIATE messages', () => {
  const counts = fuzz(0xbeef, negotiates, (b, r) => mutate(b, r, NEGOTIATE_FIELDS), parseNegotiateMessage, hexOf);
  expect(counts.ok).toBeGreaterThan(10_000);
  expect(counts.rejected).toBeGreaterThan(10_000);
});

test('100,000 mutated AUTHENTICATE messages', () => {
  const counts = fuzz(
    0xa17e,
    authenticates,
    (b, r) => mutate(b, r, AUTHENTICATE_FIELDS),
    parseAuthenticateMessage,
    hexOf,
  );
  expect(counts.ok).toBeGreaterThan(10_000);
  expect(counts.rejected).toBeGreaterThan(10_000);
});

test('100,000 mutated tokens through decodeToken: bytes, base64 and header lines of all three types', () => {
  const all = [...negotiates, ...challenges, ...authenticates];
  const prefixes = ['', 'NTLM ', 'Negotiate ', 'WWW-Authenticate: NTLM ', 'authorization: negotiate '];
  const counts = fuzz(
    0xdec0,
    all,
    (b, r) => mutate(b, r, [...CHALLENGE_FIELDS, ...AUTHENTICATE_FIELDS]),
    (input) => {
      if (input.length % 3 === 0) return decodeToken(input);
      // As text: base64 with a header prefix, sometimes with a broken character.
      let text = prefixes[input.length % prefixes.length] + toBase64(input);
      if (input.length % 7 === 1) text = text.slice(0, -2) + '*';
      return decodeToken(text);
    },
    hexOf,
  );
  expect(counts.ok).toBeGreaterThan(10_000);
  expect(counts.rejected).toBeGreaterThan(10_000);
});

test('100,000 mutated WWW-Authenticate / Proxy-Authenticate values through parseAuthenticateHeaders', () => {
  const token = toBase64(challenges[2]!);
  const seeds: (string | string[])[] = [
    `NTLM ${token}`,
    ['Negotiate', 'NTLM'],
    'Negotiate, NTLM',
    `Basic realm="a, \\"b\\"", NTLM ${token}`,
    'Digest realm="x", qop="auth,auth-int", nonce="abc", NTLM',
    `Negotiate ${token}, Nego2`,
    ['Bearer error="invalid_token"', `NTLM ${token}`],
  ];
  const ALPHABET = ' ,="\\\t=/+NTLMnegotiateBasicrealm\u00e9\u20ac\u0000\r\n';
  const mutateText = (text: string, random: () => number): string => {
    let s = text;
    for (let e = 0, edits = 1 + Math.floor(random() * 4); e < edits; e++) {
      const at = Math.floor(random() * (s.length + 1));
      const op = random();
      if (op < 0.4) s = s.slice(0, at) + ALPHABET[Math.floor(random() * ALPHABET.length)] + s.slice(at + 1);
      else if (op < 0.6) s = s.slice(0, at);
      else if (op < 0.8) s = s.slice(0, at) + ALPHABET[Math.floor(random() * ALPHABET.length)] + s.slice(at);
      else s = s.slice(0, at) + s.slice(at).replace(/[A-Za-z0-9+/]/, '=');
    }
    return s;
  };
  const counts = fuzz(
    0x4ea0,
    seeds,
    (v, r) => (Array.isArray(v) ? v.map((x) => mutateText(x, r)) : mutateText(v, r)),
    (values) => {
      const challengesParsed = parseAuthenticateHeaders(values);
      selectNtlmOffer(challengesParsed);
    },
    (v) => JSON.stringify(v),
  );
  expect(counts.ok).toBeGreaterThan(50_000);
});

test('100,000 mutated logs through findNtlmTokens: tokens found where they are, each decoded or refused', () => {
  const [n, c, a] = [toBase64(negotiates[0]!), toBase64(challenges[2]!), toBase64(authenticates[3]!)];
  const seeds = [
    `> GET / HTTP/1.1\r\n> Authorization: NTLM ${n}\r\n< HTTP/1.1 401\r\n< WWW-Authenticate: NTLM ${c}\r\n`,
    `Proxy-Authorization: Negotiate ${a}\nproxy-authenticate: negotiate ${c}`,
    `{"name":"Authorization","value":"NTLM ${n}"},{"value":"${a}"}`,
    `2026-12-01T10:00:00Z token=${c} user=alice\n\tNTLM\t${a}`,
    `NTLM ${'A'.repeat(19)} Negotiate ${'QUJD'.repeat(40)} ${n}${n}`,
  ];
  const ALPHABET = ' \t\r\n:<>"=/+,NTLMnegotiaTlRMTVNTUA\u00e9\u0000';
  const mutateText = (text: string, random: () => number): string => {
    let s = text;
    for (let e = 0, edits = 1 + Math.floor(random() * 4); e < edits; e++) {
      const at = Math.floor(random() * (s.length + 1));
      const op = random();
      const ch = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
      if (op < 0.4) s = s.slice(0, at) + ch + s.slice(at + 1);
      else if (op < 0.55) s = s.slice(0, at);
      else if (op < 0.8) s = s.slice(0, at) + ch + s.slice(at);
      else if (op < 0.9) s = s.slice(0, at) + s.slice(at).replace(/[A-Za-z0-9+/]/, '=');
      else s = s.slice(0, at) + s.slice(at, at + 200) + s.slice(at);
    }
    return s;
  };
  let found = 0;
  let decoded = 0;
  const counts = fuzz(
    0xf1d0,
    seeds,
    mutateText,
    (text) => {
      const lines = text.split(/\r?\n/);
      for (const t of findNtlmTokens(text)) {
        found++;
        if (!lines[t.line - 1]?.includes(t.token)) throw new Error(`token not on line ${t.line}`);
        if (t.ntlm !== t.token.startsWith('TlRMTVNTUA')) throw new Error('ntlm flag wrong');
        if (!/^[A-Za-z0-9+/]{20,}={0,2}$/.test(t.token)) throw new Error('not a base64 token');
        try {
          decodeToken(t.token);
          decoded++;
        } catch (error) {
          if (!(error instanceof NtlmError)) throw error;
        }
      }
    },
    (text) => JSON.stringify(text),
  );
  expect(counts.rejected).toBe(0);
  expect(found).toBeGreaterThan(N);
  expect(decoded).toBeGreaterThan(N / 2);
});
