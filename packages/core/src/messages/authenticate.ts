// AUTHENTICATE_MESSAGE (Type 3, MS-NLMP 2.2.1.3): the wire format only; client.ts computes the contents.
import { checkBytes, checkFlags, checkOptions, checkString } from '../arguments.js';
import { decodeUtf16le, oemDecode, oemEncode, utf16le } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { parseAvPairs, type AvPair } from './av-pairs.js';
import { NegotiateFlags } from './flags.js';
import { AUTHENTICATE, MIC_LENGTH, VERSION_LENGTH } from './layout.js';
import { openMessage, payloadStart } from './reader.js';
import { decodeVersion, versionField, type NtlmVersion } from './version.js';
import { MessageWriter } from './writer.js';

/** The fields of an AUTHENTICATE message, as the encoder takes them and the parser returns them. */
export interface Authenticate {
  /** The NegotiateFlags of the AUTHENTICATE. */
  flags: number;
  /** LmChallengeResponse: 24 bytes (anonymous: one zero byte, or none). */
  lmChallengeResponse: Uint8Array;
  /** NtChallengeResponse: 24 bytes for NTLMv1, NTProofStr and the blob for NTLMv2, empty for anonymous. */
  ntChallengeResponse: Uint8Array;
  /** DomainName, in UTF-16LE under UNICODE, else OEM (Latin-1). */
  domain: string;
  /** UserName, encoded as `domain` is. */
  user: string;
  /** Workstation, encoded as `domain` is. */
  workstation: string;
  /** EncryptedRandomSessionKey (16 bytes, or empty). */
  encryptedRandomSessionKey: Uint8Array;
  /** Always written by the encoder; absent from a parsed message whose payload leaves no room for it. */
  version?: NtlmVersion;
}

export type AuthenticateFields = Authenticate & {
  /** The Version field, always written. */
  version: NtlmVersion;
  /** Reserve the 16-byte MIC field (written as zeros; the caller fills it in). */
  withMic: boolean;
};

/** The text fields in the negotiated encoding: UTF-16LE with UNICODE, else OEM. */
export function textEncoder(flags: number): (text: string) => Uint8Array {
  return flags & NegotiateFlags.UNICODE ? utf16le : oemEncode;
}

/** Writes an AUTHENTICATE message from its fields, the text ones encoded as the flags say. */
export function encodeAuthenticateMessage(fields: AuthenticateFields): Uint8Array {
  const f = checkOptions(fields, 'encodeAuthenticateMessage fields');
  const flags = checkFlags(f.flags, 'flags');
  for (const name of ['domain', 'user', 'workstation'] as const) checkString(f[name], name);
  for (const name of ['lmChallengeResponse', 'ntChallengeResponse', 'encryptedRandomSessionKey'] as const) {
    checkBytes(f[name], name);
  }
  const text = textEncoder(flags);
  return writeAuthenticate({
    ...f,
    flags,
    domain: text(f.domain),
    user: text(f.user),
    workstation: text(f.workstation),
  });
}

/** The encoder proper, for callers that already hold the text fields encoded (client.ts). */
export function writeAuthenticate(
  f: Omit<AuthenticateFields, 'domain' | 'user' | 'workstation'> & {
    domain: Uint8Array;
    user: Uint8Array;
    workstation: Uint8Array;
  },
): Uint8Array {
  const w = new MessageWriter(f.withMic ? AUTHENTICATE.length : AUTHENTICATE.mic, AUTHENTICATE.type);
  // Payload order as Windows writes it: Domain, User, Workstation, LM, NT, session key.
  w.field(AUTHENTICATE.domain, f.domain, 'DomainName');
  w.field(AUTHENTICATE.user, f.user, 'UserName');
  w.field(AUTHENTICATE.workstation, f.workstation, 'Workstation');
  w.field(AUTHENTICATE.lmChallengeResponse, f.lmChallengeResponse, 'LmChallengeResponse');
  w.field(AUTHENTICATE.ntChallengeResponse, f.ntChallengeResponse, 'NtChallengeResponse');
  w.field(AUTHENTICATE.encryptedRandomSessionKey, f.encryptedRandomSessionKey, 'EncryptedRandomSessionKey');
  w.u32(AUTHENTICATE.flags, f.flags);
  w.bytes(AUTHENTICATE.version, versionField(f.version));
  return w.finish();
}

/** An NTLMv2 NtChallengeResponse (MS-NLMP 2.2.2.8), split into its parts. */
export interface NtlmV2Response {
  /** NTProofStr: the first 16 bytes. */
  ntProofStr: Uint8Array;
  /** The client blob ("temp"): everything after NTProofStr. */
  blob: Uint8Array;
  /** The blob's TimeStamp: 8 bytes, a FILETIME. */
  time: Uint8Array;
  /** The blob's 8-byte ClientChallenge. */
  clientChallenge: Uint8Array;
  /** The AV pairs the client sent in the blob (MsvAvEOL not included). */
  avPairs: AvPair[];
}

/** A parsed AUTHENTICATE (Type 3) message. */
export interface AuthenticateMessage extends Authenticate {
  /** The message type: 3. */
  type: 3;
  /** The 16 bytes at offset 72, when the payload leaves room for a MIC. */
  mic?: Uint8Array;
  /** Present when the NT response is longer than 24 bytes (NTLMv2). */
  ntlmv2?: NtlmV2Response;
  /** The exact bytes of the message (a copy). */
  raw: Uint8Array;
}

/**
 * NTProofStr (16) then the blob: RespType, HiRespType, Reserved (6), TimeStamp (8), ClientChallenge (8),
 * Reserved (4).
 */
const BLOB = { time: 8, clientChallenge: 16, avPairs: 28 } as const;

/** Splits an NTLMv2 response into NTProofStr and the blob's fields. */
export function parseNtlmV2Response(nt: Uint8Array): NtlmV2Response {
  if (!(nt instanceof Uint8Array))
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an NTLMv2 response must be a Uint8Array');
  if (nt.length < 16 + BLOB.avPairs)
    throw new NtlmError('ERR_NTLM_TRUNCATED', `NTLMv2 response is truncated: ${nt.length} bytes`);
  const blob = nt.slice(16);
  if (blob[0] !== 1 || blob[1] !== 1)
    throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'NTLMv2 response has an unknown blob version');
  return {
    ntProofStr: nt.slice(0, 16),
    blob,
    time: blob.slice(BLOB.time, BLOB.time + 8),
    clientChallenge: blob.slice(BLOB.clientChallenge, BLOB.clientChallenge + 8),
    avPairs: parseAvPairs(blob.subarray(BLOB.avPairs)),
  };
}

/** Parses a Type 3 message (a server's view), every offset and length bounds-checked. */
export function parseAuthenticateMessage(bytes: Uint8Array): AuthenticateMessage {
  const r = openMessage(bytes, AUTHENTICATE.type, 'AUTHENTICATE message');
  if (bytes.length < AUTHENTICATE.minLength) {
    const message = `AUTHENTICATE message is truncated: ${bytes.length} bytes, at least ${AUTHENTICATE.minLength} needed`;
    throw new NtlmError('ERR_NTLM_TRUNCATED', message);
  }
  const lm = r.field(AUTHENTICATE.lmChallengeResponse, 'LmChallengeResponse');
  const nt = r.field(AUTHENTICATE.ntChallengeResponse, 'NtChallengeResponse');
  const domain = r.field(AUTHENTICATE.domain, 'DomainName');
  const user = r.field(AUTHENTICATE.user, 'UserName');
  const workstation = r.field(AUTHENTICATE.workstation, 'Workstation');
  const key = r.field(AUTHENTICATE.encryptedRandomSessionKey, 'EncryptedRandomSessionKey');
  const flags = r.u32(AUTHENTICATE.flags);
  const text = flags & NegotiateFlags.UNICODE ? decodeUtf16le : oemDecode;
  const start = payloadStart([lm, nt, domain, user, workstation, key], bytes.length);
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
  if (start >= AUTHENTICATE.version + VERSION_LENGTH)
    message.version = decodeVersion(r.slice(AUTHENTICATE.version, VERSION_LENGTH));
  if (start >= AUTHENTICATE.mic + MIC_LENGTH) message.mic = r.slice(AUTHENTICATE.mic, MIC_LENGTH);
  if (nt.bytes.length > 24) message.ntlmv2 = parseNtlmV2Response(nt.bytes);
  return message;
}
