// The packages as users install them: the tarballs of `pnpm pack:all` (scripts/pack.mjs, on what
// `pnpm test` built) installed with npm into a fresh project outside the workspace, then used by an
// ESM, a CommonJS and a TypeScript consumer (test/consumers/), each authenticating against an
// embedded @ntlmkit/server through undici, fetch and axios. Nothing is kept between runs; the
// third-party dependencies come from the npm registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
/**
 * The oldest TypeScript our declarations compile with, undici's and axios's included (README: "TypeScript 5.0
 * or later"); 5.0 is also the first with `moduleResolution: bundler`.
 */
const TYPESCRIPT_MINIMUM = '5.0';
const version = (pkg: string, field: string, name: string) =>
  JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'))[field][name];

// The consumer must find only what the tarballs declare: no NODE_PATH into the workspace (pnpm sets
// one), no npm settings inherited from the pnpm run.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'NODE_PATH' && !/^npm_/i.test(k) && !/^pnpm_/i.test(k)),
);

let project: string;
let tarballs: string[];

function run(file: string, args: string[], timeout = 120_000) {
  const r = spawnSync(file, args, { cwd: project, env, encoding: 'utf8', timeout });
  if (r.status !== 0)
    throw new Error(`${[file, ...args].join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'ntlmkit-consumers-'));
  tarballs = execFileSync(process.execPath, [join(root, 'scripts/pack.mjs'), join(project, 'tarballs')], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  for (const f of readdirSync(join(root, 'test/consumers')))
    copyFileSync(join(root, 'test/consumers', f), join(project, f));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run(
    npm,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--loglevel=error',
      ...tarballs,
      `undici@${version('packages/undici', 'devDependencies', 'undici')}`,
      `axios@${version('packages/axios', 'devDependencies', 'axios')}`,
      `@types/node@${version('.', 'devDependencies', '@types/node')}`,
      `typescript-minimum@npm:typescript@~${TYPESCRIPT_MINIMUM}.0`,
    ],
    300_000,
  );
}, 360_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function expectAuthenticated(out: { results: unknown[]; outcomes: unknown[]; tokenError: unknown; cookie: string }) {
  const alice = 'EXAMPLE\\alice';
  const expected = ['http', 'https'].flatMap((scheme) =>
    ['undici', 'fetch', 'axios'].map((client) => ({ client, scheme, status: 200, user: alice })),
  );
  expect(out.results).toEqual(expected);
  const verified = (channelBinding: string) => ({
    ok: true,
    user: alice,
    dialect: 'NTLMv2',
    mic: true,
    channelBinding,
  });
  expect(out.outcomes).toEqual([...Array(3).fill(verified('absent')), ...Array(3).fill(verified('present'))]);
  expect(out.tokenError).toMatchObject({ isNtlmError: true, code: 'ERR_NTLM_BAD_MESSAGE_TYPE' });
  expect(out.cookie).toBe('AL_CONTROL=HTTP_NTLM%3DCORP%255Calice%253Ap%253Aw%40exchange');
}

test('the tarballs carry no workspace: range and install with npm', () => {
  expect(tarballs.map((t) => t.split('/').pop())).toEqual(
    ['airlock', 'axios', 'core', 'server', 'undici'].map((p) => `ntlmkit-${p}-0.1.0.tgz`),
  );
  const installed = JSON.parse(readFileSync(join(project, 'node_modules/@ntlmkit/undici/package.json'), 'utf8'));
  expect(installed.dependencies['@ntlmkit/core']).toBe('^0.1.0');
});

test('an ES module consumer loads the ESM build and authenticates with undici, fetch and axios', () => {
  const out = JSON.parse(run(process.execPath, ['esm.mjs']));
  expectAuthenticated(out);
  for (const url of out.resolved) expect(url).toMatch(/\/node_modules\/@ntlmkit\/[a-z]+\/dist\/esm\/index\.js$/);
  expect(out.subpath).toBe('function');
});

test('a CommonJS consumer loads the CJS build and authenticates with undici, fetch and axios', () => {
  const out = JSON.parse(run(process.execPath, ['cjs.cjs']));
  expectAuthenticated(out);
  for (const path of out.resolved) expect(path).toMatch(/\/node_modules\/@ntlmkit\/[a-z]+\/dist\/cjs\/index\.js$/);
  expect(out.subpath).toBe('function');
});

describe.each([
  ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
  ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
])('a TypeScript consumer (moduleResolution %s)', (mode, resolution) => {
  const config = (outDir: string) => ({
    compilerOptions: { ...resolution, target: 'es2022', strict: true, types: ['node'], skipLibCheck: false, outDir },
    files: ['typescript.ts'],
  });

  test('compiles against the declarations (no skipLibCheck) and authenticates when run', () => {
    writeFileSync(join(project, `tsconfig.${mode}.json`), JSON.stringify(config(`out-${mode}`)));
    run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', `tsconfig.${mode}.json`]);
    expectAuthenticated(JSON.parse(run(process.execPath, [`out-${mode}/typescript.js`])));
  });

  test(`compiles with TypeScript ${TYPESCRIPT_MINIMUM}, the minimum the README states`, () => {
    writeFileSync(
      join(project, `tsconfig.${mode}.min.json`),
      JSON.stringify({
        ...config(`out-${mode}-min`),
        compilerOptions: { ...config('').compilerOptions, outDir: undefined, noEmit: true },
      }),
    );
    const tsc = join(project, 'node_modules/typescript-minimum/bin/tsc');
    expect(run(process.execPath, [tsc, '--version'])).toContain(`Version ${TYPESCRIPT_MINIMUM}.`);
    run(process.execPath, [tsc, '-p', `tsconfig.${mode}.min.json`]);
  });
});

test('the ntlmkit bin of the installed @ntlmkit/core decodes a header line', () => {
  const out = run(join(project, 'node_modules/.bin/ntlmkit'), [
    'decode',
    'Authorization: NTLM TlRMTVNTUAABAAAAB4II4gAAAAAAAAAAAAAAAAAAAAAKAHxPAAAADw==',
  ]);
  expect(out).toMatch(/NEGOTIATE \(type 1, 40 bytes\)/);
});
