// The server's command line, as the README documents it (with pnpm's `--` in front of the flags).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import { NtlmDispatcher } from '@ntlmkit/undici';

test('ntlmkit-server starts, authenticates a client and logs the outcome', async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', 'packages/server/bin/ntlmkit-server.mjs'), '--', '--port', '0', '--user', 'EXAMPLE\\alice:Passw0rd!'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(output);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const d = new NtlmDispatcher({ credentials: { username: 'EXAMPLE\\alice', password: 'Passw0rd!' } });
    const r = await request(`${url}/cli`, { dispatcher: d });
    expect(JSON.parse(await r.body.text()).user).toBe('EXAMPLE\\alice');
    await d.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(output).toMatch(/OK {3}conn=1 GET \/cli user=EXAMPLE\\alice dialect=NTLMv2 mic=true/);
  } finally {
    child.kill();
  }
});

test('ntlmkit-server rejects a malformed --user without echoing a password', async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', 'packages/server/bin/ntlmkit-server.mjs'), '--user', 'nopassword'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(err).toMatch(/--user must look like/);
});
