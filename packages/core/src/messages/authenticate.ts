// AUTHENTICATE_MESSAGE (Type 3, MS-NLMP 2.2.1.3): the wire format only; client.ts computes the contents.
import { decodeUtf16le, oemDecode, oemEncode, utf16le } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { parseAvPairs, type AvPair } from './av-pairs.js';
import { NegotiateFlags } from './flags.js';
import { openMessage } from './reader.js';
import { decodeVersion, encodeVersion, type NtlmVersion } from './version.js';
import { MessageWriter } from './writer.js';

export interface AuthenticateFields {
  flags: number;
  lmChallengeResponse: Uint8Array;
  ntChallengeResponse: Uint8Array;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Uint8Array;
  version: NtlmVersion;
  /** Reserve the 16-byte MIC field (written as zeros; the caller fills it in). */
  withMic: boolean;
}

export function encodeAuthenticateMessage(f: AuthenticateFields): Uint8Array {
  const text = f.flags & NegotiateFlags.UNICODE ? utf16le : oemEncode;
  const w = new MessageWriter(f.withMic ? 88 : 72, 3);
  // Payload order as Windows writes it: Domain, User, Workstation, LM, NT, session key.
  w.field(28, text(f.domain));
  w.field(36, text(f.user));
  w.field(44, text(f.workstation));
  w.field(12, f.lmChallengeResponse);
  w.field(20, f.ntChallengeResponse);
  w.field(52, f.encryptedRandomSessionKey);
  w.u32(60, f.flags);
  w.bytes(64, encodeVersion(f.version));
  return w.finish();
}

export interface NtlmV2Response {
  ntProofStr: Uint8Array;
  /** The client blob ("temp"): everything after NTProofStr. */
  blob: Uint8Array;
  time: Uint8Array;
  clientChallenge: Uint8Array;
  avPairs: AvPair[];
}

export interface AuthenticateMessage {
  type: 3;
  flags: number;
  lmChallengeResponse: Uint8Array;
  ntChallengeResponse: Uint8Array;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Uint8Array;
  version?: NtlmVersion;
  /** The 16 bytes at offset 72, when the payload leaves room for a MIC. */
  mic?: Uint8Array;
  /** Present when the NT response is longer than 24 bytes (NTLMv2). */
  ntlmv2?: NtlmV2Response;
  raw: Uint8Array;
}

/** Splits an NTLMv2 response into NTProofStr and the blob's fields. */
export function parseNtlmV2Response(nt: Uint8Array): NtlmV2Response {
  if (nt.length < 16 + 28) throw new NtlmError('ERR_NTLM_TRUNCATED', `NTLMv2 response is truncated: ${nt.length} bytes`);
  const blob = nt.slice(16);
  if (blob[0] !== 1 || blob[1] !== 1) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'NTLMv2 response has an unknown blob version');
  return {
    ntProofStr: nt.slice(0, 16),
    blob,
    time: blob.slice(8, 16),
    clientChallenge: blob.slice(16, 24),
    avPairs: parseAvPairs(blob.subarray(28)),
  };
}

export function parseAuthenticateMessage(bytes: Uint8Array): AuthenticateMessage {
  const r = openMessage(bytes, 3, 'AUTHENTICATE message');
  if (bytes.length < 64) throw new NtlmError('ERR_NTLM_TRUNCATED', `AUTHENTICATE message is truncated: ${bytes.length} bytes, at least 64 needed`);
  const lm = r.field(12, 'LmChallengeResponse');
  const nt = r.field(20, 'NtChallengeResponse');
  const domain = r.field(28, 'DomainName');
  const user = r.field(36, 'UserName');
  const workstation = r.field(44, 'Workstation');
  const key = r.field(52, 'EncryptedRandomSessionKey');
  const flags = r.u32(60);
  const text = flags & NegotiateFlags.UNICODE ? decodeUtf16le : oemDecode;
  const payloadStart = Math.min(
    ...[lm, nt, domain, user, workstation, key].filter((f) => f.bytes.length > 0).map((f) => f.offset),
    bytes.length,
  );
  const message: AuthenticateMessage = {
    type: 3,
    flags,
    lmChallengeResponse: lm.bytes,
    ntChallengeResponse: nt.bytes,
    domain: text(domain.bytes),
    user: text(user.bytes),
    workstation: text(workstation.bytes),
    encryptedRandomSessionKey: key.bytes,
    raw: bytes.slice(),
  };
  if (payloadStart >= 72) message.version = decodeVersion(r.slice(64, 8));
  if (payloadStart >= 88) message.mic = r.slice(72, 16);
  if (nt.bytes.length > 24) message.ntlmv2 = parseNtlmV2Response(nt.bytes);
  return message;
}
