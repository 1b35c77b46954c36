// The MIC of MS-NLMP 3.1.5.1.2: HMAC_MD5 over the three messages, with the MIC field zeroed.
import { hmacMd5 } from './hmac-md5.js';

/** Offset of the MIC in an AUTHENTICATE message that carries the Version field. */
export const MIC_OFFSET = 72;
const ZERO_MIC = new Uint8Array(16);

export function mic(exportedSessionKey: Uint8Array, negotiate: Uint8Array, challenge: Uint8Array, authenticate: Uint8Array): Uint8Array {
  // The AUTHENTICATE with its MIC field zeroed, hashed in three parts instead of copied.
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticate.subarray(0, MIC_OFFSET), ZERO_MIC, authenticate.subarray(MIC_OFFSET + 16));
}
