// No secret in any printed object: every object of core that holds credentials or keys, printed every
// way Node prints things (inspect at depth 10 with and without hidden properties, %o, JSON, String),
// before, during and after a handshake. The secrets looked for are the password, its NT and LM hashes,
// the NTLMv2 response key and the three session keys of the handshake (known here because the
// randomness is injected).
import { inspect, format } from 'node:util';
import {
  Ntlm,
  NtlmContext,
  buildAuthenticateMessage,
  createChallengeMessage,
  lmowfv1,
  ntowfv1,
  ntowfv2,
  prepareCredentials,
  toBase64,
  toHex,
  utf16le,
  AvId,
  dateToFiletime,
  NtlmError,
} from '../src/internal';
import { Identity } from '../src/http/identity';

const password = 'Pr1nt-Me-N0t!';
const username = 'EXAMPLE\\alice';
const clientChallenge = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);
const randomSessionKey = new Uint8Array(16).map((_, i) => 0xa0 + i);
const now = () => Date.UTC(2026, 11, 1);
const challenge = createChallengeMessage({
  flags: 0xe28a8215,
  serverChallenge: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  targetName: 'EXAMPLE',
  targetInfo: [
    { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
    { id: AvId.NbComputerName, value: utf16le('SERVER') },
    { id: AvId.Timestamp, value: dateToFiletime(now()) },
  ],
});

const contextOptions = { credentials: { username, password }, clientChallenge, randomSessionKey, now };
// The keys this handshake produces, computed outside the objects under test (the same AUTHENTICATE,
// which the NtlmContext test checks).
const negotiate = new NtlmContext(contextOptions).step();
const keys = buildAuthenticateMessage({
  username,
  password,
  clientChallenge,
  randomSessionKey,
  now,
  negotiate,
  challenge,
});
const secretBytes = [
  ntowfv1(password),
  lmowfv1(password),
  ntowfv2(password, 'alice', 'EXAMPLE'),
  keys.exportedSessionKey,
  keys.sessionBaseKey,
  keys.keyExchangeKey,
];
const secrets = [
  password,
  Buffer.from(password).toString('base64'),
  toHex(utf16le(password)),
  ...secretBytes.flatMap((b) => [toHex(b), toHex(b).toUpperCase(), toBase64(b), Array.from(b).join(',')]),
];

function printed(value: unknown): string {
  return [
    inspect(value, { depth: 10, showHidden: true }),
    inspect(value, { depth: 10, showHidden: true, getters: true }),
    inspect(value, { depth: 10 }),
    format('%o', value),
    format('%O', value),
    JSON.stringify(value) ?? '',
    String(value),
  ].join('\n');
}

// Compared without whitespace: inspect lays arrays out in columns and prints a Buffer as spaced hex.
function expectNoSecret(value: unknown): void {
  const text = printed(value).replace(/\s+/g, '');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

test('the secrets are found when they are there (the check can fail)', () => {
  expect(() => expectNoSecret({ password })).toThrow();
  expect(() => expectNoSecret({ key: keys.exportedSessionKey })).toThrow();
  expect(() => expectNoSecret([Buffer.from(ntowfv1(password))])).toThrow();
  expect(() =>
    expectNoSecret({ a: { b: { c: { d: { e: { f: ntowfv2(password, 'alice', 'EXAMPLE') } } } } } }),
  ).toThrow();
});

test('Ntlm: before, during and after a handshake, and after reset()', () => {
  const n = new Ntlm();
  n.user = username;
  n.password = password;
  expectNoSecret(n);
  n.createNegotiateToken();
  expectNoSecret(n);
  n.challengeToken = toBase64(challenge);
  n.createAuthToken();
  expectNoSecret(n);
  expectNoSecret(n.lastResult);
  expect(printed(n)).toContain('alice');
  n.reset();
  expectNoSecret(n);
});

test('NtlmContext: initial, continue and complete; its result and summary', () => {
  const context = new NtlmContext(contextOptions);
  expectNoSecret(context);
  expect(context.step()).toEqual(negotiate);
  expectNoSecret(context);
  expect(context.step(challenge)).toEqual(keys.message);
  expect(context.state).toBe('complete');
  expectNoSecret(context);
  expectNoSecret(context.result);
  expectNoSecret(context.summary);
});

test('PreparedCredentials and the HTTP Identity, with a password and with an NT hash', () => {
  expectNoSecret(prepareCredentials({ username, password }));
  expectNoSecret(prepareCredentials({ username, ntHash: toHex(ntowfv1(password)) }));
  const identity = new Identity({ username, password });
  identity.prepared();
  expectNoSecret(identity);
  expectNoSecret(new Identity({ username, ntHash: ntowfv1(password) }));
});

test('errors raised while a secret is in hand', () => {
  const failures: unknown[] = [];
  const n = new Ntlm();
  n.user = username;
  n.password = password;
  n.on('error', (e) => failures.push(e));
  n.createNegotiateToken();
  n.challengeToken = 'not base64 at all!';
  expect(() => n.createAuthToken()).toThrow(NtlmError);
  const context = new NtlmContext({ credentials: { username, password } });
  context.step();
  try {
    context.step(challenge.subarray(0, 20));
  } catch (e) {
    failures.push(e);
  }
  try {
    prepareCredentials({ username, password, ntHash: ntowfv1(password) });
  } catch (e) {
    failures.push(e);
  }
  expect(failures.length).toBeGreaterThanOrEqual(3);
  for (const e of failures) {
    expect(e).toBeInstanceOf(NtlmError);
    expectNoSecret(e);
    expectNoSecret((e as Error).stack);
  }
});
