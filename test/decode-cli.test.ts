// `ntlmkit decode` (packages/core/bin/ntlmkit.mjs, on the built package) with input as users have it:
// tokens, header lines, `curl -v` output, files and standard input. `pnpm test` builds first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  parseAuthenticateMessage,
  toBase64,
  toHex,
  utf16le,
} from '@ntlmkit/core';

const bin = join(__dirname, '..', 'packages/core/bin/ntlmkit.mjs');
const curlTranscript = join(__dirname, 'fixtures/curl-verbose-ntlm.txt');

function decode(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input: input ?? '', encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const negotiate = createNegotiateMessage();
const challenge = createChallengeMessage({
  flags: 0xe28a8215,
  serverChallenge: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  targetName: 'EXAMPLE',
  targetInfo: [
    { id: 2, value: utf16le('EXAMPLE') },
    { id: 7, value: new Uint8Array([0, 0x90, 0xd3, 0x36, 0xb7, 0x34, 0xc3, 1]) },
  ],
});
const auth = buildAuthenticateMessage({
  negotiate,
  challenge,
  username: 'EXAMPLE\\alice',
  password: 'Passw0rd!',
  spn: 'HTTP/host',
});
const ntProofStr = toHex(parseAuthenticateMessage(auth.message).ntlmv2!.ntProofStr);
const [t1, t2, t3] = [toBase64(negotiate), toBase64(challenge), toBase64(auth.message)] as const;
const names = (out: string) => [...out.matchAll(/^(NEGOTIATE|CHALLENGE|AUTHENTICATE) \(type/gm)].map((m) => m[1]);

test('curl -v output on standard input: the three tokens in order, the AUTHENTICATE redacted', () => {
  const r = decode(['decode'], readFileSync(curlTranscript, 'utf8'));
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(names(r.out)).toEqual(['NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE']);
  expect(r.out).toContain('#1 > Authorization: NTLM (line 7)');
  expect(r.out).toMatch(/#2 < www-authenticate: NTLM \(line 12\)/);
  expect(r.out).toMatch(/user\s+alice/);
  expect(r.out).toMatch(/NTProofStr\s+16 bytes, redacted/);
  expect(r.out).toMatch(/LM response\s+24 bytes, redacted/); // curl sends LMv2: crackable too
  expect(r.out).toContain('--full shows them');
  // the NTProofStr of the transcript's AUTHENTICATE (see --full below) appears nowhere
  expect(r.out).not.toContain('b66d08c4d6ed452f0c9e2a2c0575c60f');
});

test('--full shows the responses; the same transcript as a file argument', () => {
  const r = decode(['decode', '--full', curlTranscript]);
  expect(r.code).toBe(0);
  expect(names(r.out)).toEqual(['NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE']);
  expect(r.out).toMatch(/NTProofStr\s+b66d08c4d6ed452f0c9e2a2c0575c60f/);
  expect(r.out).not.toContain('redacted');
});

test('header lines as arguments, quoted or not, and several tokens in one argument', () => {
  const quoted = decode([
    'decode',
    `Authorization: NTLM ${t1}`,
    `WWW-Authenticate: NTLM ${t2}`,
    `Authorization: NTLM ${t3}`,
  ]);
  expect(quoted.code).toBe(0);
  expect(names(quoted.out)).toEqual(['NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE']);
  expect(quoted.out).not.toContain(ntProofStr);
  expect(quoted.out).toMatch(/target name \(SPN\)\s+HTTP\/host/);

  const unquoted = decode(['decode', 'WWW-Authenticate:', 'NTLM', t2]);
  expect(unquoted.code).toBe(0);
  expect(unquoted.out).toMatch(/^#1 WWW-Authenticate: NTLM \(line 1\)\nCHALLENGE/);

  const several = decode(['decode', `${t1} ${t2}`]);
  expect(names(several.out)).toEqual(['NEGOTIATE', 'CHALLENGE']);
});

test('proxy headers, a bare token, and standard input given as "-"', () => {
  const input = `Proxy-Authorization: NTLM ${t1}\nProxy-Authenticate: NTLM ${t2}\n`;
  const r = decode(['decode', '-'], input);
  expect(r.code).toBe(0);
  expect(r.out).toContain('#1 Proxy-Authorization: NTLM (line 1)');
  expect(r.out).toContain('#2 Proxy-Authenticate: NTLM (line 2)');

  const bare = decode(['decode', t1]);
  expect(bare.code).toBe(0);
  expect(bare.out).toMatch(/^NEGOTIATE \(type 1, \d+ bytes\)/); // one bare token: no heading
});

test('--full on an AUTHENTICATE given as a header line', () => {
  const r = decode(['decode', '--full', `Authorization: NTLM ${t3}`]);
  expect(r.out).toContain(ntProofStr);
});

test('a file with several tokens among other lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntlmkit-decode-'));
  try {
    const file = join(dir, 'trace.log');
    writeFileSync(
      file,
      `12:00:01 sent Authorization: NTLM ${t1}\n12:00:01 got 401\n12:00:01 WWW-Authenticate: NTLM ${t2}\n`,
    );
    const r = decode(['decode', file]);
    expect(r.code).toBe(0);
    expect(names(r.out)).toEqual(['NEGOTIATE', 'CHALLENGE']);
    expect(r.out).toContain('(line 3)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('input without an NTLM token, a broken token, a Kerberos token and bad options fail clearly', () => {
  const none = decode(['decode', 'hello world']);
  expect(none.code).toBe(1);
  expect(none.err).toMatch(/no NTLM token found/);

  const broken = decode(['decode', 'TlRMTVNTUAAJAAAAAAAAAAAAAAAAAAAAAAA=']);
  expect(broken.code).toBe(1);
  expect(broken.err).toMatch(/cannot decode token #1 \(line 1\): .*ERR_NTLM_BAD_MESSAGE_TYPE/);

  const kerberos = decode(['decode', 'WWW-Authenticate: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAuBgkqhkiC9xIBAgIG']);
  expect(kerberos.code).toBe(1);
  expect(kerberos.err).toMatch(/only SPNEGO or Kerberos tokens/);

  const mixed = decode(
    ['decode'],
    `WWW-Authenticate: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAuBgkqhkiC9xIBAgIG\nAuthorization: NTLM ${t1}`,
  );
  expect(mixed.code).toBe(0);
  expect(mixed.out).toMatch(/#1 WWW-Authenticate: Negotiate \(line 1\)\n {2}not raw NTLM/);
  expect(names(mixed.out)).toEqual(['NEGOTIATE']);

  expect(decode(['decode', '--nope', t1]).code).toBe(2);
  expect(decode(['decode']).code).toBe(2); // empty standard input
  expect(decode(['frobnicate']).code).toBe(2);
  const help = decode(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('npx -p @ntlmkit/core ntlmkit decode');
});
