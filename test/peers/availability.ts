// Interop tests need third-party peers from Debian packages. CI (NTLMKIT_REQUIRE_PEERS=1) installs
// them and makes these tests mandatory; elsewhere a missing peer skips its tests with a notice, which
// scripts/jest-peer-notice.cjs repeats at the end of jest's default output (jest drops the console
// output of a file whose tests are all skipped). NTLMKIT_HIDE_PEERS=1 reports every peer missing,
// to see (and test) that notice on a machine that has the peers.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const peersRequired = process.env.NTLMKIT_REQUIRE_PEERS === '1';
const peersHidden = process.env.NTLMKIT_HIDE_PEERS === '1';

/** The notice's fixed beginning: scripts/jest-peer-notice.cjs looks for it. */
export const SKIP_NOTICE = 'NOTICE: skipping interop tests with ';

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
  if (available && !peersHidden) return describe;
  if (peersRequired) {
    test(`interop peer "${peer}" is installed`, () => {
      throw new Error(`${peer} is missing but NTLMKIT_REQUIRE_PEERS=1: ${install}`);
    });
  } else {
    const why = available ? 'hidden by NTLMKIT_HIDE_PEERS=1' : 'not installed';
    console.warn(`${SKIP_NOTICE}${peer} (${why}). To run them: ${install}`);
  }
  return describe.skip;
}
