// Interop tests need third-party peers from Debian packages. CI (NTLMKIT_REQUIRE_PEERS=1) installs
// them and makes these tests mandatory; elsewhere a missing peer skips its tests with a visible notice.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const peersRequired = process.env.NTLMKIT_REQUIRE_PEERS === '1';

export function commandWorks(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Returns `describe` when the peer is there. When it is missing: a failing test under CI,
 * a skipped block with a notice elsewhere.
 */
export function describePeer(peer: string, available: boolean, install: string): jest.Describe {
  if (available) return describe;
  if (peersRequired) {
    test(`interop peer "${peer}" is installed`, () => {
      throw new Error(`${peer} is missing but NTLMKIT_REQUIRE_PEERS=1: ${install}`);
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`NOTICE: skipping interop tests with ${peer} (not installed). To run them: ${install}`);
  }
  return describe.skip;
}
