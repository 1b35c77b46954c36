// CHALLENGE_MESSAGE (Type 2, MS-NLMP 2.2.1.2).
import { checkBytes, checkFieldLength, checkFlags, checkOptions, checkString } from '../arguments.js';
import { decodeUtf16le, oemDecode, oemEncode, utf16le } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { AvId, checkAvPairs, encodeAvPairs, filetimeToMs, findAvPair, parseAvPairs, type AvPair } from './av-pairs.js';
import { NegotiateFlags } from './flags.js';
import { CHALLENGE, VERSION_LENGTH } from './layout.js';
import { openMessage, payloadStart } from './reader.js';
import { decodeVersion, versionField, type NtlmVersion } from './version.js';
import { MessageWriter } from './writer.js';

/** A parsed CHALLENGE (Type 2) message. */
export interface Challenge {
  /** The message type: 2. */
  type: 2;
  /** The NegotiateFlags the server chose. */
  flags: number;
  /** The 8-byte ServerChallenge nonce. */
  serverChallenge: Uint8Array;
  /** The TargetName field, decoded as UTF-16LE under UNICODE, else as OEM (Latin-1). */
  targetName: string;
  /** The AV pairs in the server's order (MsvAvEOL not included). */
  targetInfo: AvPair[];
  /** MsvAvTimestamp as sent (8 bytes, FILETIME), when present. */
  timestamp?: Uint8Array;
  /** The same timestamp in milliseconds since the Unix epoch. */
  timestampMs?: number;
  /** The Version field, when the VERSION flag is set and the message has one. */
  version?: NtlmVersion;
  /** The exact bytes of the message: the MIC covers them. */
  raw: Uint8Array;
}

/** Parses a Type 2 message, every offset and length bounds-checked; a malformed one is an `NtlmError`. */
export function parseChallengeMessage(bytes: Uint8Array): Challenge {
  const r = openMessage(bytes, CHALLENGE.type, 'CHALLENGE message');
  if (bytes.length < CHALLENGE.minLength) {
    const message = `CHALLENGE message is truncated: ${bytes.length} bytes, at least ${CHALLENGE.minLength} needed`;
    throw new NtlmError('ERR_NTLM_TRUNCATED', message);
  }
  const targetNameField = r.field(CHALLENGE.targetName, 'TargetName');
  const flags = r.u32(CHALLENGE.flags);
  const serverChallenge = r.slice(CHALLENGE.serverChallenge, 8);
  // Old servers end the message after the challenge (32 bytes) or after Reserved (40).
  const targetInfoField = bytes.length >= CHALLENGE.version ? r.field(CHALLENGE.targetInfo, 'TargetInfo') : undefined;
  const unicode = (flags & NegotiateFlags.UNICODE) !== 0;
  if (unicode && targetNameField.bytes.length % 2 !== 0) {
    throw new NtlmError('ERR_NTLM_FIELD_OUT_OF_RANGE', 'CHALLENGE message: Unicode TargetName has an odd length');
  }
  const targetInfo = targetInfoField ? parseAvPairs(targetInfoField.bytes) : [];
  const challenge: Challenge = {
    type: 2,
    flags,
    serverChallenge,
    targetName: unicode ? decodeUtf16le(targetNameField.bytes) : oemDecode(targetNameField.bytes),
    targetInfo,
    raw: bytes.slice(),
  };
  const timestamp = findAvPair(targetInfo, AvId.Timestamp);
  if (timestamp) {
    challenge.timestamp = timestamp.value;
    challenge.timestampMs = filetimeToMs(timestamp.value);
  }
  const end = CHALLENGE.version + VERSION_LENGTH;
  if (flags & NegotiateFlags.VERSION && payloadStart([targetNameField, targetInfoField], bytes.length) >= end) {
    challenge.version = decodeVersion(r.slice(CHALLENGE.version, VERSION_LENGTH));
  }
  return challenge;
}

/** Options of `createChallengeMessage`. */
export interface ChallengeOptions {
  /** The NegotiateFlags to send; VERSION is added with `version`, TARGET_INFO with a non-empty `targetInfo`. */
  flags: number;
  /** The 8-byte ServerChallenge nonce. */
  serverChallenge: Uint8Array;
  /** The TargetName, written as UTF-16LE under UNICODE, else as OEM (Latin-1). */
  targetName: string;
  /** The AV pairs of the TargetInfo field, in order (MsvAvEOL is added). */
  targetInfo: AvPair[];
  /** The Version field; without it none is written. */
  version?: NtlmVersion;
}

/** For servers (and tests): the message a server sends. */
export function createChallengeMessage(options: ChallengeOptions): Uint8Array {
  const o = checkOptions(options, 'createChallengeMessage options');
  let flags = checkFlags(o.flags, 'flags');
  const serverChallenge = checkBytes(o.serverChallenge, 'serverChallenge', 8);
  const targetInfo = checkAvPairs(o.targetInfo, 'targetInfo');
  if (o.version !== undefined) flags |= NegotiateFlags.VERSION;
  if (targetInfo.length) flags |= NegotiateFlags.TARGET_INFO;
  const targetName = checkString(o.targetName, 'targetName');
  const name = flags & NegotiateFlags.UNICODE ? utf16le(targetName) : oemEncode(targetName);
  checkFieldLength(name.length, 'targetName');
  const w = new MessageWriter(CHALLENGE.length, CHALLENGE.type);
  w.field(CHALLENGE.targetName, name, 'TargetName');
  w.u32(CHALLENGE.flags, flags);
  w.bytes(CHALLENGE.serverChallenge, serverChallenge);
  w.field(CHALLENGE.targetInfo, targetInfo.length ? encodeAvPairs(targetInfo) : new Uint8Array(0), 'TargetInfo');
  if (o.version !== undefined) w.bytes(CHALLENGE.version, versionField(o.version));
  return w.finish();
}
