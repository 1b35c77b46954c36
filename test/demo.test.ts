// The README's first command: the demo authenticates through axios, undici and fetch, over HTTP and
// HTTPS with channel binding required, and exits 0.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

test('examples/demo.mjs succeeds and shows every step', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', 'examples', 'demo.mjs')], {
    timeout: 60_000,
  });
  expect(stdout).toContain('All 6 authenticated');
  expect(stdout).toMatch(/Authorization: NTLM NEGOTIATE \(40 bytes\)/);
  expect(stdout).toMatch(/WWW-Authenticate: NTLM CHALLENGE/);
  expect(stdout).toMatch(/channel binding=present SPN=HTTP\/localhost/);
  expect(stdout.match(/✔/g)).toHaveLength(6);
});
