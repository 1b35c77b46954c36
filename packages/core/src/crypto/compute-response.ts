// ComputeResponse of MS-NLMP 3.3.1 (NTLMv1, with or without ESS) and 3.3.2 (NTLMv2).
import { concatBytes } from '../bytes.js';
import { desl } from './des.js';
import { hmacMd5, type HmacMd5Key } from './hmac-md5.js';
import { md4 } from './md4.js';
import { md5 } from './md5.js';

export interface ResponseV1 {
  ntChallengeResponse: Uint8Array;
  lmChallengeResponse: Uint8Array;
  sessionBaseKey: Uint8Array;
}

/**
 * NTLMv1. With extended session security (ESS, "NTLM2 session response") the NT response
 * covers MD5(ServerChallenge || ClientChallenge) and the LM field carries the client challenge.
 * Without ESS, `noLmResponse` sends the NT response in the LM field too (LM compatibility level 2).
 */
export function computeResponseV1(options: {
  responseKeyNT: Uint8Array;
  responseKeyLM: Uint8Array;
  serverChallenge: Uint8Array;
  clientChallenge: Uint8Array;
  extendedSessionSecurity: boolean;
  noLmResponse?: boolean;
}): ResponseV1 {
  const { responseKeyNT, responseKeyLM, serverChallenge, clientChallenge } = options;
  const sessionBaseKey = md4(responseKeyNT);
  if (options.extendedSessionSecurity) {
    const challenge = md5(concatBytes(serverChallenge, clientChallenge)).subarray(0, 8);
    return {
      ntChallengeResponse: desl(responseKeyNT, challenge),
      lmChallengeResponse: concatBytes(clientChallenge, new Uint8Array(16)),
      sessionBaseKey,
    };
  }
  const ntChallengeResponse = desl(responseKeyNT, serverChallenge);
  return {
    ntChallengeResponse,
    lmChallengeResponse: options.noLmResponse ? ntChallengeResponse : desl(responseKeyLM, serverChallenge),
    sessionBaseKey,
  };
}

export interface ResponseV2 {
  ntChallengeResponse: Uint8Array;
  lmChallengeResponse: Uint8Array;
  ntProofStr: Uint8Array;
  sessionBaseKey: Uint8Array;
}

/** temp = Responserversion || HiResponserversion || Z(6) || Time || ClientChallenge || Z(4) || ServerName || Z(4) */
export function ntlmv2ClientBlob(time: Uint8Array, clientChallenge: Uint8Array, serverName: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0]), time, clientChallenge, new Uint8Array(4), serverName, new Uint8Array(4));
}

/**
 * NTLMv2. `serverName` is the AV pair list the client sends (the server's, plus MsvAvFlags,
 * channel bindings and target name). `zeroLmResponse` sends Z(24) instead of LMv2, as clients
 * do when the server sent MsvAvTimestamp.
 */
export function computeResponseV2(options: {
  /** NTOWFv2, as bytes or as a prepared HMAC key (the same key serves several HMACs). */
  responseKeyNT: Uint8Array | HmacMd5Key;
  responseKeyLM: Uint8Array | HmacMd5Key;
  serverChallenge: Uint8Array;
  clientChallenge: Uint8Array;
  time: Uint8Array;
  serverName: Uint8Array;
  zeroLmResponse?: boolean;
}): ResponseV2 {
  const { responseKeyNT, responseKeyLM, serverChallenge, clientChallenge } = options;
  const temp = ntlmv2ClientBlob(options.time, clientChallenge, options.serverName);
  const ntProofStr = hmacMd5(responseKeyNT, serverChallenge, temp);
  const lmChallengeResponse = options.zeroLmResponse
    ? new Uint8Array(24)
    : concatBytes(hmacMd5(responseKeyLM, serverChallenge, clientChallenge), clientChallenge);
  return {
    ntChallengeResponse: concatBytes(ntProofStr, temp),
    lmChallengeResponse,
    ntProofStr,
    sessionBaseKey: hmacMd5(responseKeyNT, ntProofStr),
  };
}
