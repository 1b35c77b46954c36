// CHALLENGE_MESSAGE (Type 2, MS-NLMP 2.2.1.2).
import { decodeUtf16le, oemDecode, oemEncode, utf16le } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { AvId, encodeAvPairs, filetimeToMs, findAvPair, parseAvPairs, type AvPair } from './av-pairs.js';
import { NegotiateFlags } from './flags.js';
import { openMessage } from './reader.js';
import { decodeVersion, encodeVersion, type NtlmVersion } from './version.js';
import { MessageWriter } from './writer.js';

export interface Challenge {
  type: 2;
  flags: number;
  serverChallenge: Uint8Array;
  targetName: string;
  /** The AV pairs in the server's order (MsvAvEOL not included). */
  targetInfo: AvPair[];
  /** MsvAvTimestamp as sent (8 bytes, FILETIME), when present. */
  timestamp?: Uint8Array;
  /** The same timestamp in milliseconds since the Unix epoch. */
  timestampMs?: number;
  version?: NtlmVersion;
  /** The exact bytes of the message: the MIC covers them. */
  raw: Uint8Array;
}

export function parseChallengeMessage(bytes: Uint8Array): Challenge {
  const r = openMessage(bytes, 2, 'CHALLENGE message');
  if (bytes.length < 32) throw new NtlmError('ERR_NTLM_TRUNCATED', `CHALLENGE message is truncated: ${bytes.length} bytes, at least 32 needed`);
  const targetNameField = r.field(12, 'TargetName');
  const flags = r.u32(20);
  const serverChallenge = r.slice(24, 8);
  // Old servers end the message after the challenge (32 bytes) or after Reserved (40).
  const targetInfoField = bytes.length >= 48 ? r.field(40, 'TargetInfo') : undefined;
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
  const payloadStart = Math.min(
    ...[targetNameField, targetInfoField].filter((f) => f && f.bytes.length > 0).map((f) => f!.offset),
    bytes.length,
  );
  if (flags & NegotiateFlags.VERSION && bytes.length >= 56 && payloadStart >= 56) challenge.version = decodeVersion(r.slice(48, 8));
  return challenge;
}

export interface ChallengeOptions {
  flags: number;
  serverChallenge: Uint8Array;
  targetName: string;
  targetInfo: AvPair[];
  version?: NtlmVersion;
}

/** For servers (and tests): the message a server sends. */
export function createChallengeMessage(options: ChallengeOptions): Uint8Array {
  if (options.serverChallenge.length !== 8) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'serverChallenge must be 8 bytes');
  let flags = options.flags;
  if (options.version) flags |= NegotiateFlags.VERSION;
  if (options.targetInfo.length) flags |= NegotiateFlags.TARGET_INFO;
  const w = new MessageWriter(56, 2);
  const name = flags & NegotiateFlags.UNICODE ? utf16le(options.targetName) : oemEncode(options.targetName);
  w.field(12, name);
  w.u32(20, flags);
  w.bytes(24, options.serverChallenge);
  w.field(40, options.targetInfo.length ? encodeAvPairs(options.targetInfo) : new Uint8Array(0));
  if (options.version) w.bytes(48, encodeVersion(options.version));
  return w.finish();
}
