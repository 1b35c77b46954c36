// Core stays pure (no node: imports, no Buffer) and never puts a secret in an error.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, NtlmError, toHex, resolveCredentials } from '../src/index';
import { ntowfv1 } from '../src/crypto/ntowf';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

test('no node: imports and no Buffer outside the Node entry point', () => {
  const offenders = files(join(__dirname, '..', 'src'))
    .filter((f) => !f.endsWith('node.ts') && !f.includes('/node/'))
    .filter((f) => /from ['"]node:|require\(['"]node:|\bBuffer\b/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});

test('errors never contain the password or its hashes', () => {
  const password = 'S3cr3t-Pässwörd!';
  const secrets = [password, toHex(ntowfv1(password)), Buffer.from(password, 'utf16le').toString('base64')];
  const bad = [
    () => createAuthenticateMessage({ challenge: new Uint8Array(5), username: 'u', password }),
    () => createAuthenticateMessage({ challenge: createChallengeMessage({ flags: 1, serverChallenge: new Uint8Array(8), targetName: '', targetInfo: [] }), username: 'u', password, lmCompatibilityLevel: 9 as never }),
    () => createAuthenticateMessage({ challenge: createChallengeMessage({ flags: 1, serverChallenge: new Uint8Array(8), targetName: '', targetInfo: [{ id: 1, value: new Uint8Array(2) }] }), username: 'u', password }),
    () => resolveCredentials({ username: 'A\\u', domain: 'B', password }),
    () => resolveCredentials({ username: 'u', password, ntHash: 'zz' }),
    () => createAuthenticateMessage({ negotiate: createNegotiateMessage(), challenge: new Uint8Array(64), username: 'u', ntHash: password }),
  ];
  for (const fn of bad) {
    let caught: unknown;
    try { fn(); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(NtlmError);
    const text = `${(caught as Error).message} ${(caught as Error).stack} ${JSON.stringify(caught)}`;
    for (const s of secrets) expect(text).not.toContain(s);
  }
});
