// The built packages load through their exports maps with both `import` and `require`.
// `pnpm test` builds first; running jest alone needs `pnpm build` once.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const packages = readdirSync(join(root, 'packages')).filter((p) =>
  existsSync(join(root, 'packages', p, 'package.json')),
);

describe.each(packages)('@ntlmkit/%s', (dir) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  const entries = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => pkg.name + k.slice(1));
  const cwd = join(root, 'packages', dir);

  test('is built', () => {
    expect(existsSync(join(cwd, 'dist', 'esm', 'index.js'))).toBe(true);
    expect(existsSync(join(cwd, 'dist', 'cjs', 'index.d.ts'))).toBe(true);
  });

  test.each(entries)('%s loads with require and import, with the same names', (entry) => {
    const script = `const c = require(${JSON.stringify(entry)}); import(${JSON.stringify(entry)}).then((e) => {
      const a = Object.keys(c).filter((k) => k !== 'default' && k !== '__esModule').sort().join();
      const b = Object.keys(e).filter((k) => k !== 'default' && k !== 'module.exports').sort().join();
      if (!a || a !== b) { console.error(a, '!=', b); process.exit(1); }
      console.log(a.split(',').length);
    })`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8' });
    expect(Number(out.trim())).toBeGreaterThan(0);
  });
});

test('core computes an AUTHENTICATE message from both builds (js-md4 and @noble/hashes load in ESM and CJS)', () => {
  const cwd = join(root, 'packages', 'core');
  const body = `const n = c.createNegotiateMessage(); const ch = c.createChallengeMessage({ flags: 0xe28a8215, serverChallenge: new Uint8Array(8), targetName: 'X', targetInfo: [{ id: 2, value: c.utf16le('X') }] });
    const m = c.createAuthenticateMessage({ negotiate: n, challenge: ch, username: 'u', password: 'p', clientChallenge: new Uint8Array(8), randomSessionKey: new Uint8Array(16), now: () => 0 });
    console.log(c.toHex(m));`;
  const cjs = execFileSync(process.execPath, ['-e', `const c = require('@ntlmkit/core'); ${body}`], {
    cwd,
    encoding: 'utf8',
  });
  const esm = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `import * as c from '@ntlmkit/core'; ${body}`],
    { cwd, encoding: 'utf8' },
  );
  expect(cjs).toBe(esm);
  expect(cjs.trim().length).toBeGreaterThan(200);
});

test('the decode command prints a token', () => {
  const out = execFileSync(
    process.execPath,
    [join(root, 'packages/core/bin/ntlmkit.mjs'), 'decode', 'TlRMTVNTUAABAAAAB4II4gAAAAAAAAAAAAAAAAAAAAAKAHxPAAAADw=='],
    { encoding: 'utf8' },
  );
  expect(out).toMatch(/NEGOTIATE \(type 1, 40 bytes\)/);
  expect(out).toContain('10.0.20348');
});

test('isNtlmError and instanceof recognise an NtlmError from the other build (ESM ↔ CommonJS)', () => {
  const cwd = join(root, 'packages', 'core');
  const script = `const cjs = require('@ntlmkit/core');
    import('@ntlmkit/core').then((esm) => {
      if (esm.NtlmError === cjs.NtlmError) throw new Error('the two builds must be two classes for this test to mean anything');
      const thrown = (lib) => { try { lib.decodeToken('TlRMTVNTUAAJAAAA'); } catch (e) { return e; } };
      const fromEsm = thrown(esm), fromCjs = thrown(cjs), plain = Object.assign(new Error('x'), { name: 'NtlmError', code: 'ERR_NTLM_TRUNCATED' });
      console.log(JSON.stringify({
        cjsSeesEsm: [cjs.isNtlmError(fromEsm), fromEsm instanceof cjs.NtlmError],
        esmSeesCjs: [esm.isNtlmError(fromCjs), fromCjs instanceof esm.NtlmError],
        own: [cjs.isNtlmError(fromCjs), esm.isNtlmError(fromEsm), fromCjs instanceof cjs.NtlmError, new esm.NtlmError('ERR_NTLM_TRUNCATED', 'm') instanceof cjs.NtlmError],
        lookalike: [cjs.isNtlmError(plain), esm.isNtlmError(plain), plain instanceof cjs.NtlmError, plain instanceof esm.NtlmError, esm.isNtlmError(null), cjs.isNtlmError('x')],
        codes: [fromEsm.code, fromCjs.code],
        errorInstance: [fromEsm instanceof Error, fromCjs instanceof Error],
      }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8' }));
  expect(out).toEqual({
    cjsSeesEsm: [true, true],
    esmSeesCjs: [true, true],
    own: [true, true, true, true],
    lookalike: [false, false, false, false, false, false],
    codes: ['ERR_NTLM_BAD_MESSAGE_TYPE', 'ERR_NTLM_BAD_MESSAGE_TYPE'],
    errorInstance: [true, true],
  });
});
