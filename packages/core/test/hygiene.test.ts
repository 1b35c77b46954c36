// Core stays pure (no node: imports, no Buffer) and never puts a secret in an error.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  createAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  NtlmError,
  toHex,
  resolveCredentials,
} from '../src/internal';
import { ntowfv1 } from '../src/crypto/ntowf';

const SRC = join(__dirname, '..', 'src');
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every source file the entry point reaches through relative imports, with the bare specifiers each names. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const bare: string[] = [];
    seen.set(file, bare);
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
      if (!spec.startsWith('.')) {
        bare.push(spec);
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      visit(existsSync(target) ? target : `${target}.ts`);
    }
  };
  visit(join(SRC, entry));
  return seen;
}

test.each(['index.ts', 'http/index.ts'])(
  'no node: import and no Buffer reachable from the isomorphic entry %s',
  (entry) => {
    const files = reachable(entry);
    expect(files.size).toBeGreaterThan(entry === 'index.ts' ? 30 : 10);
    const offenders: string[] = [];
    for (const [file, bare] of files) {
      const builtin = bare.filter(
        (s) => s.startsWith('node:') || ['crypto', 'buffer', 'fs', 'net', 'tls', 'http', 'https'].includes(s),
      );
      if (builtin.length || /\bBuffer\b/.test(readFileSync(file, 'utf8')))
        offenders.push(`${file.slice(SRC.length + 1)}: ${builtin.join(', ') || 'Buffer'}`);
    }
    expect(offenders).toEqual([]);
  },
);

test('the Node entry point does reach node:crypto (the check above can see it)', () => {
  const bare = [...reachable('node.ts').values()].flat();
  expect(bare).toContain('node:crypto');
});

test('errors never contain the password or its hashes', () => {
  const password = 'S3cr3t-Pässwörd!';
  const secrets = [password, toHex(ntowfv1(password)), Buffer.from(password, 'utf16le').toString('base64')];
  const bad = [
    () => createAuthenticateMessage({ challenge: new Uint8Array(5), username: 'u', password }),
    () =>
      createAuthenticateMessage({
        challenge: createChallengeMessage({
          flags: 1,
          serverChallenge: new Uint8Array(8),
          targetName: '',
          targetInfo: [],
        }),
        username: 'u',
        password,
        lmCompatibilityLevel: 9 as never,
      }),
    // A server timestamp asks for a MIC, which needs the NEGOTIATE.
    () =>
      createAuthenticateMessage({
        challenge: createChallengeMessage({
          flags: 1,
          serverChallenge: new Uint8Array(8),
          targetName: '',
          targetInfo: [{ id: 7, value: new Uint8Array(8) }],
        }),
        username: 'u',
        password,
      }),
    () => resolveCredentials({ username: 'A\\u', domain: 'B', password }),
    () => resolveCredentials({ username: 'u', password, ntHash: 'zz' }),
    () =>
      createAuthenticateMessage({
        negotiate: createNegotiateMessage(),
        challenge: new Uint8Array(64),
        username: 'u',
        ntHash: password,
      }),
  ];
  for (const fn of bad) {
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NtlmError);
    const text = `${(caught as Error).message} ${(caught as Error).stack} ${JSON.stringify(caught)}`;
    for (const s of secrets) expect(text).not.toContain(s);
  }
});
