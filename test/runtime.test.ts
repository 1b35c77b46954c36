// .ci/run runs the suite on several Node versions and peer-dependency versions. This file fails a run
// that does not use what it says it uses (NTLMKIT_EXPECT_NODE, NTLMKIT_EXPECT_UNDICI, NTLMKIT_EXPECT_AXIOS:
// a major, or major.minor), and checks that the Node under test is one `engines` allows.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The version of the copy of `name` that tests and sources load (jest's resolver, moduleNameMapper included). */
function loadedVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return pkg.version;
    } catch {
      // not the package root yet
    }
    if (dirname(dir) === dir) throw new Error(`no package.json for ${name}`);
    dir = dirname(dir);
  }
}

const matches = (actual: string, expected: string) => actual === expected || actual.startsWith(`${expected}.`);

test('Node satisfies engines (>= 20.19)', () => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
  const engines = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).engines.node;
  expect(engines).toBe('>=20.19');
});

test.each([
  ['Node', 'NTLMKIT_EXPECT_NODE', () => process.versions.node],
  ['undici', 'NTLMKIT_EXPECT_UNDICI', () => loadedVersion('undici')],
  ['axios', 'NTLMKIT_EXPECT_AXIOS', () => loadedVersion('axios')],
])('%s is the version this run is for', (_name, variable, actual) => {
  const expected = process.env[variable];
  const version = actual();
  expect(version).toMatch(/^\d+\.\d+\.\d+/);
  if (expected) expect({ version, matches: matches(version, expected) }).toEqual({ version, matches: true });
});
