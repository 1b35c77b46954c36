// ComputeResponse of MS-NLMP 3.3.1 (NTLMv1, with or without ESS) and 3.3.2 (NTLMv2).
import { checkBytes, checkOptions } from '../arguments.js';
import { concatBytes } from '../bytes.js';
import { desl } from './des.js';
import { hmacMd5, md5, type MacKey } from './hash.js';
import { md4 } from './md4.js';

/** What `computeResponseV1` computes. */
export interface ResponseV1 {
  /** NtChallengeResponse: 24 bytes. */
  ntChallengeResponse: Uint8Array;
  /** LmChallengeResponse: 24 bytes. */
  lmChallengeResponse: Uint8Array;
  /** SessionBaseKey = MD4(ResponseKeyNT). */
  sessionBaseKey: Uint8Array;
}

/**
 * NTLMv1. With extended session security (ESS, "NTLM2 session response") the NT response
 * covers MD5(ServerChallenge || ClientChallenge) and the LM field carries the client challenge.
 * Without ESS, `noLmResponse` sends the NT response in the LM field too (NoLMResponseNTLMv1: LM
 * compatibility level 2).
 */
export function computeResponseV1(options: {
  responseKeyNT: Uint8Array;
  responseKeyLM: Uint8Array;
  serverChallenge: Uint8Array;
  clientChallenge: Uint8Array;
  extendedSessionSecurity: boolean;
  noLmResponse?: boolean;
}): ResponseV1 {
  checkOptions(options, 'computeResponseV1 options');
  const responseKeyNT = checkBytes(options.responseKeyNT, 'responseKeyNT', 16);
  const responseKeyLM = checkBytes(options.responseKeyLM, 'responseKeyLM', 16);
  const serverChallenge = checkBytes(options.serverChallenge, 'serverChallenge', 8);
  const clientChallenge = checkBytes(options.clientChallenge, 'clientChallenge', 8);
  const sessionBaseKey = md4(responseKeyNT);
  if (options.extendedSessionSecurity) {
    const challenge = md5(serverChallenge, clientChallenge).subarray(0, 8);
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

/** What `computeResponseV2` computes. */
export interface ResponseV2 {
  /** NtChallengeResponse: NTProofStr || temp (the client blob). */
  ntChallengeResponse: Uint8Array;
  /** LmChallengeResponse: LMv2 (24 bytes), or Z(24) with `zeroLmResponse`. */
  lmChallengeResponse: Uint8Array;
  /** NTProofStr: HMAC_MD5(ResponseKeyNT, ServerChallenge || temp). */
  ntProofStr: Uint8Array;
  /** SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr). */
  sessionBaseKey: Uint8Array;
}

/** Responserversion, HiResponserversion, Z(6): the start of temp. */
const BLOB_HEADER = new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0]);

/** Writes temp = header || Time || ClientChallenge || Z(4) || ServerName || Z(4) at `at`. */
function writeTemp(
  out: Uint8Array,
  at: number,
  time: Uint8Array,
  clientChallenge: Uint8Array,
  serverName: Uint8Array,
): void {
  out.set(BLOB_HEADER, at);
  out.set(time, at + 8);
  out.set(clientChallenge, at + 16);
  out.set(serverName, at + 28); // Z(4) before it and after it: the array starts zeroed
}

/** temp of MS-NLMP 3.3.2: the NTLMv2 client blob. */
export function ntlmv2ClientBlob(time: Uint8Array, clientChallenge: Uint8Array, serverName: Uint8Array): Uint8Array {
  checkBytes(time, 'time', 8);
  checkBytes(clientChallenge, 'clientChallenge', 8);
  checkBytes(serverName, 'serverName');
  const temp = new Uint8Array(28 + serverName.length + 4);
  writeTemp(temp, 0, time, clientChallenge, serverName);
  return temp;
}

function checkKey(key: unknown, name: string): Uint8Array | MacKey {
  if (typeof (key as MacKey | undefined)?.mac === 'function') return key as MacKey;
  return checkBytes(key, name, 16);
}

/**
 * NTLMv2. `serverName` is the AV pair list the client sends (the server's, plus MsvAvFlags,
 * channel bindings and target name). `zeroLmResponse` sends Z(24) instead of LMv2, as the client
 * does when the server sent MsvAvTimestamp (3.1.5.1.2).
 */
export function computeResponseV2(options: {
  /** NTOWFv2, as bytes or as a prepared HMAC key (the same key serves several HMACs). */
  responseKeyNT: Uint8Array | MacKey;
  responseKeyLM: Uint8Array | MacKey;
  serverChallenge: Uint8Array;
  clientChallenge: Uint8Array;
  time: Uint8Array;
  serverName: Uint8Array;
  zeroLmResponse?: boolean;
}): ResponseV2 {
  checkOptions(options, 'computeResponseV2 options');
  const responseKeyNT = checkKey(options.responseKeyNT, 'responseKeyNT');
  const responseKeyLM = checkKey(options.responseKeyLM, 'responseKeyLM');
  const serverChallenge = checkBytes(options.serverChallenge, 'serverChallenge', 8);
  const clientChallenge = checkBytes(options.clientChallenge, 'clientChallenge', 8);
  const time = checkBytes(options.time, 'time', 8);
  const serverName = checkBytes(options.serverName, 'serverName');
  // NtChallengeResponse = NTProofStr || temp, written in place: temp first, then its proof in front.
  const ntChallengeResponse = new Uint8Array(16 + 28 + serverName.length + 4);
  writeTemp(ntChallengeResponse, 16, time, clientChallenge, serverName);
  const ntProofStr = hmacMd5(responseKeyNT, serverChallenge, ntChallengeResponse.subarray(16));
  ntChallengeResponse.set(ntProofStr);
  const lmChallengeResponse = options.zeroLmResponse
    ? new Uint8Array(24)
    : concatBytes(hmacMd5(responseKeyLM, serverChallenge, clientChallenge), clientChallenge);
  return { ntChallengeResponse, lmChallengeResponse, ntProofStr, sessionBaseKey: hmacMd5(responseKeyNT, ntProofStr) };
}
