// The benchmark still runs (reduced counts). Benchmarks are not tests: no timing is judged here,
// only that every section is produced and that ntlmkit's own rows have no failures.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('pnpm bench runs end to end (BENCH_QUICK=1)', async () => {
  const bench = join(__dirname, '..', 'bench');
  const { stdout } = await run(process.execPath, ['--expose-gc', join(bench, 'run.mjs')], {
    cwd: bench,
    env: { ...process.env, BENCH_QUICK: '1' },
    timeout: 240_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  for (const section of [
    '## 1. Round trips',
    '## 2. Throughput',
    '## 3. Upload',
    '## 4. AUTHENTICATE messages per second',
    '## 5. Soak',
    '## 6. Against Apache',
    '## 7. Many users',
    '## 8. Handshake-bound workloads',
  ])
    expect(stdout).toContain(section);
  const ours = stdout.split('\n').filter((l) => /^\| ntlmkit /.test(l));
  expect(ours.length).toBeGreaterThan(10);
  for (const line of ours) expect(line).not.toMatch(/failed|fails/);
  expect(stdout).toMatch(/\| ntlmkit undici \| 3 \| 2 \| 1 \|/);
  expect(readFileSync(join(bench, 'results.quick.md'), 'utf8')).toContain('Quick mode');
  rmSync(join(bench, 'results.quick.md'));
}, 300_000);

describe("the README's figures are those of bench/results.md", () => {
  // bench/readme.mjs is plain ESM; jest loads it through a dynamic import.
  const load = () => import('../bench/readme.mjs');
  const root = join(__dirname, '..');

  test('the committed README carries the committed run (`node bench/readme.mjs` renews it)', async () => {
    const { withFigures } = await load();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const results = readFileSync(join(root, 'bench', 'results.md'), 'utf8');
    expect(withFigures(readme, results)).toBe(readme);
    // The paragraph after the block reads the same run: it names the run's date.
    const date = /Command: .* \((\d{4}-\d\d-\d\d)\)/.exec(results)?.[1];
    expect(date).toBeDefined();
    expect(readme).toContain(`What the run of ${date!} says`);
  });

  test('the block is replaced whole, headings one level down, and a README without the block is refused', async () => {
    const { withFigures } = await load();
    const readme = `intro\n<!-- bench:begin (written by bench/readme.mjs from bench/results.md; do not edit) -->\nold\n<!-- bench:end -->\nafter\n`;
    const out = withFigures(
      readme,
      '# ntlmkit benchmarks\n\n## 1. Round trips\n\n| a |\n\nChart: [x](throughput.svg)\n',
    );
    expect(out).toContain('### 1. Round trips\n\n| a |\n<!-- bench:end -->\nafter');
    expect(out).not.toContain('old');
    expect(out).not.toContain('# ntlmkit benchmarks');
    expect(() => withFigures('no block here', '## 1.')).toThrow(/no "<!-- bench:begin/);
  });
});
