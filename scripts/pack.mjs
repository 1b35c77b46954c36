// node scripts/pack.mjs [DIR]: installable tarballs of every package in packages/, written to DIR
// (default: packs/). pnpm's pack replaces each `workspace:` range with the version it points to;
// `npm pack` would leave it in and the tarball could not be installed. Packs what is built:
// `npx -y pnpm@10 pack:all` builds first. Prints the tarballs' paths, one a line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dest = resolve(process.argv[2] ?? join(root, 'packs'));

// Under `pnpm run` the pnpm that runs us; else the one the README uses.
const execpath = process.env.npm_execpath;
const [command, ...prefix] =
  execpath && /pnpm/.test(execpath)
    ? [process.execPath, execpath]
    : [process.platform === 'win32' ? 'npx.cmd' : 'npx', '-y', 'pnpm@10'];

mkdirSync(dest, { recursive: true });
for (const old of readdirSync(dest).filter((f) => /^ntlmkit-.*\.tgz$/.test(f))) rmSync(join(dest, old));
try {
  execFileSync(command, [...prefix, '-r', '--filter', './packages/*', 'pack', '--pack-destination', dest], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
} catch (error) {
  process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}`);
  console.error('pnpm pack failed');
  process.exit(1);
}

const problems = [];
const tarballs = readdirSync(dest)
  .filter((f) => f.endsWith('.tgz'))
  .sort()
  .map((f) => join(dest, f));
const expected = readdirSync(join(root, 'packages')).length;
if (tarballs.length !== expected) problems.push(`${tarballs.length} tarballs for ${expected} packages`);
for (const tarball of tarballs) {
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  for (const needed of [
    'package/package.json',
    'package/LICENSE',
    'package/README.md',
    'package/dist/esm/index.js',
    'package/dist/cjs/index.js',
  ]) {
    if (!files.includes(needed)) problems.push(`${tarball}: ${needed} is missing (built?)`);
  }
  const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${tarball}: ${field}.${name} is still ${range}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(tarballs.join('\n'));
