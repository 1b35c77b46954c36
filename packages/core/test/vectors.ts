// The MS-NLMP 4.2 vectors and friends, copied into the project from the shared vector set.
import vectors from './fixtures/msnlmp.json';
import { fromHex } from '../src/bytes';

export { vectors };
export const hex = fromHex;
export const common = vectors.common_4_2_1;

import { nobleHashProvider, useHashProvider, type HashProvider } from '../src/crypto/hash';
import { nodeHashProvider } from '../src/crypto/node-hash';

/** The two MD5/HMAC-MD5 implementations: every vector runs against each (they must give the same bytes). */
export const PROVIDERS: [string, HashProvider][] = [
  ['@noble/hashes', nobleHashProvider],
  ['node:crypto', nodeHashProvider],
];

/** Runs `body` once per implementation, with that implementation installed. */
export function eachProvider(body: (name: string) => void): void {
  describe.each(PROVIDERS)('with %s', (name, provider) => {
    beforeAll(() => useHashProvider(provider));
    afterAll(() => useHashProvider(nobleHashProvider));
    body(name);
  });
}
