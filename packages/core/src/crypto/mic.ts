// The MIC of MS-NLMP 3.1.5.1.2: HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE),
// with the AUTHENTICATE's MIC field zeroed.
import { checkBytes } from '../arguments.js';
import { NtlmError } from '../errors.js';
import { AUTHENTICATE, MIC_LENGTH } from '../messages/layout.js';
import { hmacMd5 } from './hash.js';

/** Offset of the MIC in an AUTHENTICATE message that carries the Version field. */
export const MIC_OFFSET = AUTHENTICATE.mic;
const ZERO_MIC = new Uint8Array(MIC_LENGTH);

/**
 * The MIC: HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE), the AUTHENTICATE's MIC
 * field (16 bytes at MIC_OFFSET) read as zeros; the AUTHENTICATE must have that field.
 */
export function mic(
  exportedSessionKey: Uint8Array,
  negotiate: Uint8Array,
  challenge: Uint8Array,
  authenticate: Uint8Array,
): Uint8Array {
  checkBytes(exportedSessionKey, 'exportedSessionKey', 16);
  checkBytes(negotiate, 'negotiate');
  checkBytes(challenge, 'challenge');
  checkBytes(authenticate, 'authenticate');
  if (authenticate.length < AUTHENTICATE.length) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'the AUTHENTICATE message has no MIC field (it needs at least 88 bytes)',
    );
  }
  // The AUTHENTICATE with its MIC field zeroed, hashed in three parts instead of copied.
  const end = MIC_OFFSET + MIC_LENGTH;
  const before = authenticate.subarray(0, MIC_OFFSET);
  return hmacMd5(exportedSessionKey, negotiate, challenge, before, ZERO_MIC, authenticate.subarray(end));
}
