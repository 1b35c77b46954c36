// The MIC of MS-NLMP 3.1.5.1.2: HMAC_MD5 over the three messages, with the MIC field zeroed.
import { hmacMd5 } from './hmac-md5.js';

/** Offset of the MIC in an AUTHENTICATE message that carries the Version field. */
export const MIC_OFFSET = 72;

export function mic(exportedSessionKey: Uint8Array, negotiate: Uint8Array, challenge: Uint8Array, authenticate: Uint8Array): Uint8Array {
  const zeroed = authenticate.slice();
  zeroed.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
  return hmacMd5(exportedSessionKey, negotiate, challenge, zeroed);
}
