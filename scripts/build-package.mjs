// Builds the package in the current directory to ESM (dist/esm) and CommonJS (dist/cjs),
// with type declarations beside each, so that both `import` and `require` resolve
// their own types. esbuild transpiles file by file (no bundling); tsc only emits .d.ts.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';

const root = process.cwd();
const src = join(root, 'src');
const dist = join(root, 'dist');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

rmSync(dist, { recursive: true, force: true });
const entryPoints = sources(src);
const common = { entryPoints, outbase: src, platform: 'node', target: 'node20', sourcemap: false, logLevel: 'warning' };
await build({ ...common, outdir: join(dist, 'esm'), format: 'esm' });
await build({ ...common, outdir: join(dist, 'cjs'), format: 'cjs' });
writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', join(dist, 'esm')],
  { stdio: 'inherit' },
);
// The same declarations, read as CommonJS because of dist/cjs/package.json.
cpSync(join(dist, 'esm'), join(dist, 'cjs'), {
  recursive: true,
  filter: (p) => statSync(p).isDirectory() || p.endsWith('.d.ts'),
});
console.log(`built ${relative(join(root, '..', '..'), root)}: ${entryPoints.length} modules`);
