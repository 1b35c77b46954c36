// Seeded fuzzing: mutated and truncated CHALLENGE messages must parse or fail with NtlmError,
// never another error type and never hang. The seed makes every failure reproducible.
import {
  createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, decodeToken, parseAuthenticateMessage, parseChallengeMessage,
  parseNegotiateMessage, AvId, utf16le, dateToFiletime, NtlmError,
} from '../src/index';
import { hex, vectors } from './vectors';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds: Uint8Array[] = [
  hex(vectors.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex),
  hex(vectors.ntlmv1_4_2_2.challenge_message_4_2_2_3.hex),
  createChallengeMessage({
    flags: 0xe28a8215, serverChallenge: new Uint8Array(8), targetName: 'EXAMPLE',
    targetInfo: [
      { id: AvId.NbDomainName, value: utf16le('EXAMPLE') }, { id: AvId.DnsComputerName, value: utf16le('srv.example.com') },
      { id: AvId.Timestamp, value: dateToFiletime(0) }, { id: AvId.Flags, value: new Uint8Array(4) },
    ],
    version: { major: 10, minor: 0, build: 20348, revision: 15 },
  }),
];

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  let b = input.slice();
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const op = random();
    if (op < 0.45) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
    else if (op < 0.6) b = b.slice(0, Math.floor(random() * b.length));
    else if (op < 0.75) {
      // Aim at the length and offset fields, where parsers break.
      const at = [12, 14, 16, 40, 42, 44][Math.floor(random() * 6)]!;
      if (at < b.length) b[at] = [0, 0xff, 0x7f, 0x80, 1][Math.floor(random() * 5)]!;
    } else if (op < 0.9) {
      const extra = new Uint8Array(Math.floor(random() * 16)).map(() => Math.floor(random() * 256));
      const merged = new Uint8Array(b.length + extra.length);
      merged.set(b);
      merged.set(extra, b.length);
      b = merged;
    } else if (b.length > 56) {
      // Corrupt an AV pair length inside the target info.
      b[56 + Math.floor(random() * (b.length - 56))] = Math.floor(random() * 256);
    }
  }
  return b;
}

test('100,000 mutated CHALLENGE messages: success or NtlmError, nothing else', () => {
  const random = rng(0x5eed);
  const negotiate = createNegotiateMessage();
  const counts = { parsed: 0, rejected: 0, authenticated: 0 };
  for (let i = 0; i < 100_000; i++) {
    const input = mutate(seeds[i % seeds.length]!, random);
    try {
      const challenge = parseChallengeMessage(input);
      counts.parsed++;
      if (i % 10 === 0) {
        createAuthenticateMessage({ negotiate, challenge, username: 'EXAMPLE\\alice', password: 'Passw0rd!', now: () => 0 });
        counts.authenticated++;
      }
    } catch (error) {
      if (!(error instanceof NtlmError)) throw new Error(`iteration ${i}: ${String(error)} for ${Buffer.from(input).toString('hex')}`);
      counts.rejected++;
    }
  }
  expect(counts.parsed).toBeGreaterThan(10_000);
  expect(counts.rejected).toBeGreaterThan(10_000);
  expect(counts.authenticated).toBeGreaterThan(1_000);
});

test('mutated NEGOTIATE and AUTHENTICATE messages and tokens: success or NtlmError', () => {
  const random = rng(0xbeef);
  const auth = hex(vectors.ntlmv2_4_2_4.authenticate_message_4_2_4_3.hex);
  const neg = createNegotiateMessage({ domain: 'D', workstation: 'W' });
  for (let i = 0; i < 20_000; i++) {
    for (const [input, parse] of [[auth, parseAuthenticateMessage], [neg, parseNegotiateMessage], [auth, decodeToken]] as const) {
      const m = mutate(input, random);
      try {
        (parse as (b: Uint8Array) => unknown)(m);
      } catch (error) {
        if (!(error instanceof NtlmError)) throw new Error(`iteration ${i}: ${String(error)} for ${Buffer.from(m).toString('hex')}`);
      }
    }
  }
});
