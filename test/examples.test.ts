// The examples run as they are (against their embedded server) and exit 0.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = join(__dirname, '..', 'examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'target.mjs' && f !== 'demo.mjs');

test.each(examples)('examples/%s runs', async (file) => {
  const env = { ...process.env };
  delete env.NTLM_URL;
  const { stdout } = await run(process.execPath, [join(dir, file)], { cwd: dir, env, timeout: 60_000 });
  expect(stdout).toMatch(/200/);
});
