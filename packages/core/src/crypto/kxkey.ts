// KXKEY of MS-NLMP 3.4.5.1: the key that protects the exported session key.
import { concatBytes } from '../bytes.js';
import { des7 } from './des.js';
import { hmacMd5 } from './hmac-md5.js';
import { NegotiateFlags } from '../messages/flags.js';

export function kxkey(options: {
  flags: number;
  sessionBaseKey: Uint8Array;
  lmChallengeResponse: Uint8Array;
  serverChallenge: Uint8Array;
  lmowf: Uint8Array;
  ntlmv2: boolean;
}): Uint8Array {
  const { flags, sessionBaseKey, lmChallengeResponse, serverChallenge, lmowf } = options;
  if (options.ntlmv2) return sessionBaseKey;
  if (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) {
    return hmacMd5(sessionBaseKey, serverChallenge, lmChallengeResponse.subarray(0, 8));
  }
  if (flags & NegotiateFlags.LM_KEY) {
    const lm8 = lmChallengeResponse.subarray(0, 8);
    return concatBytes(
      des7(lmowf.subarray(0, 7), lm8),
      des7(new Uint8Array([lmowf[7]!, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd]), lm8),
    );
  }
  if (flags & NegotiateFlags.REQUEST_NON_NT_SESSION_KEY) return concatBytes(lmowf.subarray(0, 8), new Uint8Array(8));
  return sessionBaseKey;
}
