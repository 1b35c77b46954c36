// The README's Quick start: each block runs as it is (in examples/, where the packages resolve), with
// only its URL pointed at an embedded @ntlmkit/server and the port of the Airlock block changed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNtlmServer, type NtlmServer } from '@ntlmkit/server';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const quickStart = readme.slice(
  readme.indexOf('## Quick start'),
  readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1),
);
const blocks = [...quickStart.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
const block = (first: RegExp) => {
  const found = blocks.filter((b) => first.test(b.split('\n')[0]!));
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** Runs a block as an ES module (asynchronously: the server answers from this process). */
function run(code: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: join(root, 'examples'),
    env: { ...process.env, NTLM_PASSWORD: 'Passw0rd!' },
    timeout: 20_000,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve) => child.once('close', (status) => resolve({ code: status, out, err })));
}

let server: NtlmServer;
let url: string;
beforeAll(async () => {
  server = createNtlmServer({ users: { 'CORP\\svc': 'Passw0rd!', 'svc@corp.example': 'Passw0rd!' } });
  url = await server.start();
});
afterAll(() => server.stop());

test('the Quick start has one block per client, each with its install line', () => {
  expect(blocks.map((b) => b.split('\n')[0])).toEqual([
    '// axios: npm install @ntlmkit/axios axios',
    '// undici: npm install @ntlmkit/undici undici',
    '// fetch: npm install @ntlmkit/undici undici',
    '// Airlock Gateway: npm install @ntlmkit/airlock',
  ]);
});

test.each([
  ['axios', /^\/\/ axios/, /"user":\s*"CORP\\\\svc"|user: 'CORP\\\\svc'/],
  ['undici', /^\/\/ undici/, /^200 .*"user":"svc@corp\.example"/],
  ['fetch', /^\/\/ fetch/, /^200 .*user: 'CORP\\\\svc'/s],
])('the %s block authenticates as it is', async (_name, first, expected) => {
  const r = await run(block(first).replaceAll('https://intranet.corp.example', url));
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(r.out).toMatch(expected);
});

test('the Airlock block sets the cookie its comment shows', async () => {
  const code = block(/^\/\/ Airlock/);
  const comment = /\/\/ Set-Cookie: (.*)/.exec(code)![1]!;
  const probe = `.listen(0, async function () {
    const r = await fetch('http://127.0.0.1:' + this.address().port + '/login');
    console.log(r.headers.get('set-cookie'));
    this.close();
  });`;
  expect(code).toContain('.listen(8080);');
  const r = await run(code.replace('.listen(8080);', probe));
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(r.out.trim()).toMatch(new RegExp(`^${comment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(;|$)`));
});
