// @ntlmkit/core: NTLM (MS-NLMP) tokens. Pure: Uint8Array in and out, no I/O, any JS runtime. The names
// here are the ones packages/core/README.md documents; the rest is in `@ntlmkit/core/internal`.

// Messages (MS-NLMP 2.2) and the client's computation of the AUTHENTICATE (3.1.5.1.2)
export {
  createNegotiateMessage,
  parseNegotiateMessage,
  type NegotiateOptions,
  type NegotiateMessage,
} from './messages/negotiate.js';
export {
  createChallengeMessage,
  parseChallengeMessage,
  type Challenge,
  type ChallengeOptions,
} from './messages/challenge.js';
export { parseAuthenticateMessage, type AuthenticateMessage, type NtlmV2Response } from './messages/authenticate.js';
export {
  buildAuthenticateMessage,
  createAuthenticateMessage,
  negotiateFlagsForLevel,
  type AuthenticateOptions,
  type AuthenticateParams,
  type AuthenticateResult,
  type Dialect,
  type LmCompatibilityLevel,
  type SessionKeySource,
} from './client.js';
export { NegotiateFlags, DEFAULT_NEGOTIATE_FLAGS, flagNames, type NegotiateFlagName } from './messages/flags.js';
export { DEFAULT_VERSION, type NtlmVersion } from './messages/version.js';
export {
  AvId,
  AvFlags,
  parseAvPairs,
  encodeAvPairs,
  findAvPair,
  avFlagsValue,
  dateToFiletime,
  filetimeToMs,
  type AvPair,
} from './messages/av-pairs.js';

// The spec's formulas under the spec's names; the primitives under `crypto`
export * as crypto from './crypto/index.js';
export { ntowfv1, ntowfv2, lmowfv1, computeResponseV1, computeResponseV2, kxkey, mic } from './crypto/index.js';

// EPA channel bindings (RFC 5929, RFC 2744)
export {
  channelBindingFromCertificate,
  channelBindingHash,
  tlsServerEndPoint,
  tlsServerEndPointHash,
  endPointHashAlgorithm,
  certificateToDer,
  type CertificateInput,
  type GssChannelBindings,
  type EndPointHash,
} from './channel-binding.js';

// Credentials
export {
  prepareCredentials,
  PreparedCredentials,
  resolveCredentials,
  splitUsername,
  parseNtHash,
  type Credentials,
  type ResolvedCredentials,
} from './credentials.js';

// Errors, encodings, decoding
export { NtlmError, isNtlmError, type NtlmErrorCode, type NtlmErrorOptions } from './errors.js';
export { toBase64, fromBase64, toHex, fromHex, utf16le, decodeUtf16le } from './bytes.js';
export { decodeToken, describeToken, describeTokenRedacted, type DecodedToken } from './decode.js';

// A handshake's state, and the component-style class
export {
  NtlmContext,
  type NtlmContextOptions,
  type ClientMechanism,
  type ChannelInfo,
  type AuthenticateSummary,
  type ServerNames,
  type NtlmStepResult,
} from './context.js';
export { Ntlm, type NtlmVersionNumber, type Token, type CertStoreType } from './ntlm.js';
