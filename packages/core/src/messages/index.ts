export { NegotiateFlags, DEFAULT_NEGOTIATE_FLAGS, flagNames, type NegotiateFlagName } from './flags.js';
export {
  DEFAULT_VERSION,
  encodeVersion,
  decodeVersion,
  formatVersion,
  parseVersion,
  type NtlmVersion,
} from './version.js';
export {
  AvId,
  AvFlags,
  avIdName,
  parseAvPairs,
  encodeAvPairs,
  findAvPair,
  avFlagsValue,
  describeAvValue,
  dateToFiletime,
  filetimeToMs,
  filetimeToDate,
  type AvPair,
} from './av-pairs.js';
export { ByteReader, messageType, SIGNATURE } from './reader.js';
export {
  createNegotiateMessage,
  parseNegotiateMessage,
  type NegotiateOptions,
  type NegotiateMessage,
} from './negotiate.js';
export { parseChallengeMessage, createChallengeMessage, type Challenge, type ChallengeOptions } from './challenge.js';
export {
  encodeAuthenticateMessage,
  parseAuthenticateMessage,
  parseNtlmV2Response,
  type Authenticate,
  type AuthenticateFields,
  type AuthenticateMessage,
  type NtlmV2Response,
} from './authenticate.js';
