// A stable identity for a credential set, so that an authenticated connection serves only the
// credentials that authenticated it. Derived from the NT hash through SHA-256: no secret in clear.
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf16le } from '../bytes.js';
import { resolveCredentials, type Credentials } from '../credentials.js';

export function credentialKey(credentials: Credentials): string {
  const c = resolveCredentials(credentials);
  const who = utf16le(`${c.domain.toLowerCase()}\\${c.user.toLowerCase()}\u0000`);
  const input = new Uint8Array(who.length + c.ntHash.length);
  input.set(who);
  input.set(c.ntHash, who.length);
  return toHex(sha256(input)).slice(0, 32);
}
