// The README's test command says which interop tests it skipped, and how to run them, in its default
// output: jest run on the interop tests with every peer reported missing (NTLMKIT_HIDE_PEERS=1).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

test('skipped interop groups are named in the default output, one line each, with the install command', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NTLMKIT_HIDE_PEERS: '1', FORCE_COLOR: '0' };
  delete env.NTLMKIT_REQUIRE_PEERS;
  const jest = require.resolve('jest/bin/jest', { paths: [root] });
  const r = spawnSync(process.execPath, [jest, '--ci', 'test/interop/'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = r.stdout + r.stderr;
  expect(r.status).toBe(0);
  expect(output).toMatch(/Test Suites: \d+ skipped, 0 of \d+ total/);
  const notices = output.split('\n').filter((l) => l.startsWith('NOTICE: skipping interop tests with '));
  expect(notices.sort()).toEqual([
    'NOTICE: skipping interop tests with Apache + gss-ntlmssp (hidden by NTLMKIT_HIDE_PEERS=1). To run them: apt-get install -y --no-install-recommends apache2 libapache2-mod-auth-gssapi gss-ntlmssp openssl curl',
    'NOTICE: skipping interop tests with Squid + ntlm_auth (hidden by NTLMKIT_HIDE_PEERS=1). To run them: apt-get install -y --no-install-recommends squid winbind curl',
    'NOTICE: skipping interop tests with curl (hidden by NTLMKIT_HIDE_PEERS=1). To run them: apt-get install curl',
    'NOTICE: skipping interop tests with python3-ntlm-auth (hidden by NTLMKIT_HIDE_PEERS=1). To run them: apt-get install python3-ntlm-auth python3-pycryptodome',
  ]);
}, 150_000);
