// The built packages load through their exports maps with both `import` and `require`.
// `pnpm test` builds first; running jest alone needs `pnpm build` once.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json')));

describe.each(packages)('@ntlmkit/%s', (dir) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => pkg.name + k.slice(1));
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
  const cjs = execFileSync(process.execPath, ['-e', `const c = require('@ntlmkit/core'); ${body}`], { cwd, encoding: 'utf8' });
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as c from '@ntlmkit/core'; ${body}`], { cwd, encoding: 'utf8' });
  expect(cjs).toBe(esm);
  expect(cjs.trim().length).toBeGreaterThan(200);
});

test('the decode command prints a token', () => {
  const out = execFileSync(process.execPath, [join(root, 'packages/core/bin/ntlmkit.mjs'), 'decode', 'TlRMTVNTUAABAAAAB4II4gAAAAAAAAAAAAAAAAAAAAAKAHxPAAAADw=='], { encoding: 'utf8' });
  expect(out).toMatch(/NEGOTIATE \(type 1, 40 bytes\)/);
  expect(out).toContain('10.0.20348');
});
