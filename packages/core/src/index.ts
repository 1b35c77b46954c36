// @ntlmkit/core: NTLM (MS-NLMP) tokens. Pure: Uint8Array in and out, no I/O, any JS runtime.
export * from './messages/index.js';
export * as crypto from './crypto/index.js';
export {
  ntowfv1, ntowfv2, ntowfv2FromHash, lmowfv1, lmowfv2, computeResponseV1, computeResponseV2, kxkey, mic, hmacMd5,
  encryptRandomSessionKey, decryptRandomSessionKey,
} from './crypto/index.js';
export { buildAuthenticateMessage, createAuthenticateMessage, type AuthenticateOptions, type AuthenticateParams, type AuthenticateResult, type Dialect, type LmCompatibilityLevel, type SessionKeySource } from './client.js';
export {
  channelBindingFromCertificate, channelBindingHash, packChannelBindings, tlsServerEndPoint, tlsServerEndPointHash,
  endPointHashAlgorithm, certificateToDer, type CertificateInput, type GssChannelBindings, type EndPointHash,
} from './channel-binding.js';
export { parseCertificate, type ParsedCertificate } from './der.js';
export { resolveCredentials, prepareCredentials, PreparedCredentials, splitUsername, parseNtHash, type Credentials, type ResolvedCredentials } from './credentials.js';
export { NtlmError, isNtlmError, type NtlmErrorCode } from './errors.js';
export { toBase64, fromBase64, toHex, fromHex, utf16le, decodeUtf16le, concatBytes, bytesEqual } from './bytes.js';
export { decodeToken, describeToken, describeTokenRedacted, type DecodedToken } from './decode.js';
export { Ntlm, type NtlmVersionNumber } from './ntlm.js';
export {
  NtlmContext, type NtlmContextOptions, type ClientMechanism, type ChannelInfo, type AuthenticateSummary, type ServerNames, type NtlmStepResult,
} from './context.js';
