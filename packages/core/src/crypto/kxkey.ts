// KXKEY of MS-NLMP 3.4.5.1: the key that protects the exported session key.
import { checkBytes, checkFlags, checkOptions } from '../arguments.js';
import { concatBytes } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { NegotiateFlags } from '../messages/flags.js';
import { des7 } from './des.js';
import { hmacMd5 } from './hash.js';

/**
 * NTLMv2: the SessionBaseKey. NTLMv1 with ESS: HMAC_MD5(SessionBaseKey, ServerChallenge ||
 * LmChallengeResponse[0..7]). NTLMv1 without ESS: from LMOWF with LM_KEY (the "LM session key") or
 * REQUEST_NON_NT_SESSION_KEY, else the SessionBaseKey.
 */
export function kxkey(options: {
  flags: number;
  sessionBaseKey: Uint8Array;
  lmChallengeResponse: Uint8Array;
  serverChallenge: Uint8Array;
  /** LMOWFv1; only the LM_KEY and REQUEST_NON_NT_SESSION_KEY keys read it. */
  lmowf: Uint8Array;
  ntlmv2: boolean;
}): Uint8Array {
  checkOptions(options, 'kxkey options');
  const flags = checkFlags(options.flags, 'flags');
  const sessionBaseKey = checkBytes(options.sessionBaseKey, 'sessionBaseKey', 16);
  if (options.ntlmv2) return sessionBaseKey;
  const lmChallengeResponse = checkBytes(options.lmChallengeResponse, 'lmChallengeResponse');
  const serverChallenge = checkBytes(options.serverChallenge, 'serverChallenge', 8);
  if (lmChallengeResponse.length < 8)
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an NTLMv1 key needs the 24-byte LM response');
  const lm8 = lmChallengeResponse.subarray(0, 8);
  if (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) return hmacMd5(sessionBaseKey, serverChallenge, lm8);
  if (flags & (NegotiateFlags.LM_KEY | NegotiateFlags.REQUEST_NON_NT_SESSION_KEY)) {
    const lmowf = checkBytes(options.lmowf, 'lmowf', 16);
    if (flags & NegotiateFlags.LM_KEY) {
      return concatBytes(
        des7(lmowf.subarray(0, 7), lm8),
        des7(new Uint8Array([lmowf[7]!, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd]), lm8),
      );
    }
    return concatBytes(lmowf.subarray(0, 8), new Uint8Array(8));
  }
  return sessionBaseKey;
}
