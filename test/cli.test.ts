// The server's command line, as the README documents it (with pnpm's `--` in front of the flags).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { NtlmDispatcher } from '@ntlmkit/undici';

const BIN = join(__dirname, '..', 'packages/server/bin/ntlmkit-server.mjs');
const children: ChildProcess[] = [];
let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'ntlmkit-cli-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => void children.splice(0).forEach((c) => c.kill()));

/** Starts the server; resolves with its URL and the output so far once it listens. */
async function serve(args: string[]): Promise<{ url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (https?:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { url, output: () => output };
}

/** Runs the command to its end. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('ntlmkit-server starts, authenticates a client and logs the outcome', async () => {
  const { url, output } = await serve(['--', '--port', '0', '--user', 'EXAMPLE\\alice:Passw0rd!']);
  const d = new NtlmDispatcher({ credentials: { username: 'EXAMPLE\\alice', password: 'Passw0rd!' } });
  const r = await request(`${url}/cli`, { dispatcher: d });
  expect(JSON.parse(await r.body.text()).user).toBe('EXAMPLE\\alice');
  await d.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(output()).toMatch(/OK {3}conn=1 GET \/cli user=EXAMPLE\\alice dialect=NTLMv2 mic=true/);
  expect(output()).toMatch(/users: EXAMPLE\\alice; session key: strict, MIC: checked when sent/);
  expect(output()).not.toMatch(/Passw0rd!/);
});

describe('every argument is checked: one line, the usage, exit status 2', () => {
  test.each([
    [['--port', '99999'], /^ntlmkit-server: --port must be a whole number from 0 to 65535, got "99999"$/],
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port=-1'], /--port must be a whole number from 0 to 65535, got "-1"/],
    [['--port', '80.5'], /--port must be a whole number/],
    [['--port'], /--port needs a value$/],
    [['--port', '--https'], /--port needs a value \(got another option/],
    [['--port', '1', '--port', '2'], /--port is given twice/],
    [['--schemes', 'Basic'], /--schemes must be NTLM, Negotiate, both or both-joined, got "Basic"/],
    [['--token-checking', 'maybe'], /--token-checking must be none, allow or require/],
    [['--lm-compatibility', '6'], /--lm-compatibility must be a whole number from 0 to 5/],
    [['--delay', '-5'], /--delay needs a value/],
    [['--delay=-5'], /--delay must be a whole number/],
    [['--keep-alive-hint', 'x'], /--keep-alive-hint must be a whole number/],
    [['--close-idle-after', '0'], /--close-idle-after must be a whole number from 1/],
    [['--spn', 'localhost'], /--spn must look like SERVICE\/host/],
    [['--cert-file', 'x.pem'], /--cert-file needs --https/],
    [['--https=yes'], /--https takes no value/],
    [['--require-mic=false'], /--require-mic takes no value/],
    [['--frobnicate'], /unknown option --frobnicate/],
    [['-x'], /unknown option -x/],
    [['--port', '0', '--', 'x'], /unexpected '--'/],
    [['--user', '\\alice:pw'], /--user needs a user name before ':'.*got "\\alice"/],
    [['--user', 'EXAMPLE\\:pw'], /--user needs a user name/],
    [['--user', 'a@b@c:pw'], /--user needs a user name/],
    [['--host', ''], /--host needs a value/],
  ])('%j', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    const [first, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(/^ntlmkit-server: /);
    expect(first).toMatch(message);
    expect(rest[0]).toBe('usage: ntlmkit-server [options]');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(r.stdout).toBe('');
  });

  test.each([
    ['a password where a --user value was expected', ['--user', 'S3cret-Pw!']],
    ['a password given as its own argument', ['--user', 'EXAMPLE\\alice', 'S3cret-Pw!']],
    ['a malformed user name', ['--user', '\\alice:S3cret-Pw!']],
    ['an empty user name', ['--user', ':S3cret-Pw!']],
    ['a user given twice', ['--user', 'EXAMPLE\\alice:S3cret-Pw!', '--user', 'example\\ALICE:S3cret-Pw!']],
    ['an unknown option with a value', ['--password=S3cret-Pw!']],
    ['a bad value after a user', ['--user', 'EXAMPLE\\alice:S3cret-Pw!', '--port', '70000']],
  ])('never a password in the message: %s', async (_name, args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ntlmkit-server: /);
    expect(r.stderr + r.stdout).not.toMatch(/S3cret/);
  });

  test('--user with an empty password is refused by name', async () => {
    const r = await run(['--user', 'EXAMPLE\\alice:']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--user "EXAMPLE\\alice" has an empty password/);
  });

  test('--help (and -h) lists every flag, exit status 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run(['--', flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const flags = [...r.stdout.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]);
      expect(flags).toEqual([
        '--port',
        '--host',
        '--user',
        '--https',
        '--cert-file',
        '--token-checking',
        '--schemes',
        '--spn',
        '--lm-compatibility',
        '--lenient-session-key',
        '--require-mic',
        '--per-request',
        '--delay',
        '--keep-alive-hint',
        '--close-idle-after',
        '--quiet',
        '--help',
      ]);
      for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    }
  });
});

describe('failures that are not about the arguments: one line, exit status 1', () => {
  test('the port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as net.AddressInfo).port);
    try {
      const r = await run(['--port', port]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`ntlmkit-server: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      taken.close();
    }
  });

  test('the certificate cannot be written', async () => {
    const r = await run(['--https', '--cert-file', join(dir, 'missing', 'cert.pem'), '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^ntlmkit-server: cannot write the certificate to .*cert\.pem: ENOENT$/);
  });
});

test('--https --cert-file: curl --cacert trusts the server, by IP and by name, and authenticates with NTLM', async () => {
  const cert = join(dir, 'server.pem');
  const { url, output } = await serve([
    '--https',
    '--cert-file',
    cert,
    '--port',
    '0',
    '--user',
    'EXAMPLE\\alice:Passw0rd!',
  ]);
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(output()).toContain(`certificate written to ${cert}`);
  expect(readFileSync(cert, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n[^]+\n-----END CERTIFICATE-----\n?$/);
  const port = new URL(url).port;
  for (const base of [url, `https://localhost:${port}`]) {
    const ok = await curl(['--ntlm', '-u', 'EXAMPLE\\alice:Passw0rd!', '--cacert', cert, `${base}/curl`]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ user: 'EXAMPLE\\alice', path: '/curl' });
  }
  // The certificate is what makes curl trust it: without it, curl refuses (60: peer certificate not trusted).
  const untrusted = await curl(['--ntlm', '-u', 'EXAMPLE\\alice:Passw0rd!', `${url}/curl`]);
  expect(untrusted.code).toBe(60);
});

test('the flags reach the server: schemes, keep-alive hint, delay, strictness', async () => {
  const { url, output } = await serve([
    '--port',
    '0',
    '--schemes',
    'ntlm',
    '--keep-alive-hint',
    '1',
    '--delay',
    '50',
    '--lenient-session-key',
    '--require-mic',
    '--quiet',
  ]);
  expect(output()).toMatch(/session key: lenient, MIC: required/);
  const started = Date.now();
  const reply = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(url, (res) => resolve(res.resume())).on('error', reject);
  });
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  expect(reply.statusCode).toBe(401);
  expect(reply.headers['www-authenticate']).toBe('NTLM');
  expect(reply.headers['keep-alive']).toBe('timeout=1');
});
