// The repository's habits as tests, so that `pnpm test` and CI count them: Prettier's formatting
// (`pnpm format:check`), ESLint (`pnpm lint`) and the type-check of the tests (`pnpm typecheck:tests`).
// Each runs the tool as its script does, under the Node running jest, and shows the tool's report when it
// fails. Each also checks that the tool looked at the files it is for, so that a configuration that
// checks nothing cannot pass.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..');
const TIMEOUT = 240_000;

interface Run {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `bin` of the installed package `pkg` with `args` in the repository root; never rejects. */
function tool(pkg: string, bin: string, args: string[]): Promise<Run> {
  const manifestPath = require.resolve(`${pkg}/package.json`, { paths: [root] });
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const file = join(dirname(manifestPath), typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin]!);
  const command = [bin, ...args].join(' ');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: root, encoding: 'utf8', timeout: TIMEOUT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ command, code, stdout, stderr: error && code === null ? `${stderr}\n${error.message}` : stderr });
      },
    );
  });
}

/** Fails with the tool's own report unless it exited with 0. */
function expectClean(run: Run): void {
  if (run.code !== 0) {
    throw new Error(`\`${run.command}\` exited with ${run.code ?? 'a signal'}:\n${run.stdout}${run.stderr}`);
  }
}

test(
  'Prettier: every file it formats is formatted (fix: pnpm format)',
  async () => {
    const run = await tool('prettier', 'prettier', ['--check', '.']);
    expectClean(run);
    expect(run.stdout).toContain('All matched files use Prettier code style!');
    const listed = await tool('prettier', 'prettier', ['--file-info', 'packages/core/src/index.ts']);
    expect(JSON.parse(listed.stdout)).toEqual({ ignored: false, inferredParser: 'typescript' });
  },
  TIMEOUT + 10_000,
);

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; column: number; message: string }[];
}

test(
  'ESLint: no problem in the sources, tests, scripts, examples and benchmarks (pnpm lint)',
  async () => {
    const run = await tool('eslint', 'eslint', ['.', '--max-warnings', '0', '--format', 'json']);
    let results: LintResult[];
    try {
      results = JSON.parse(run.stdout) as LintResult[];
    } catch {
      throw new Error(`\`${run.command}\` printed no report (exit ${run.code ?? 'a signal'}):\n${run.stderr}`);
    }
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${relative(root, r.filePath)}:${m.line}:${m.column} ${m.message} (${m.ruleId ?? '-'})`),
    );
    expect(problems).toEqual([]);
    expectClean(run);
    const linted = new Set(results.map((r) => relative(root, r.filePath)));
    for (const file of ['packages/core/src/index.ts', 'test/habits.test.ts', 'bench/run.mjs', 'jest.config.cjs']) {
      expect(linted).toContain(file);
    }
  },
  TIMEOUT + 10_000,
);

test(
  'TypeScript: the tests type-check (pnpm typecheck:tests)',
  async () => {
    expectClean(await tool('typescript', 'tsc', ['-p', 'tsconfig.test.json', '--pretty', 'false']));
    const listed = await tool('typescript', 'tsc', ['-p', 'tsconfig.test.json', '--listFilesOnly']);
    expectClean(listed);
    const checked = new Set(listed.stdout.split('\n').map((line) => relative(root, line.trim())));
    for (const file of ['test/habits.test.ts', 'packages/core/test/messages.test.ts', 'packages/undici/src/index.ts']) {
      expect(checked).toContain(file);
    }
  },
  TIMEOUT + 10_000,
);
