// @ntlmkit/core/internal: what the other @ntlmkit packages and the tests use beyond the documented API —
// the byte-level pieces of the wire formats and the primitives. No compatibility promise: use the root.
export * from './index.js';
export { ByteReader, messageType, hasNtlmSignature } from './messages/reader.js';
export { SIGNATURE } from './messages/layout.js';
export {
  encodeAuthenticateMessage,
  parseNtlmV2Response,
  type Authenticate,
  type AuthenticateFields,
} from './messages/authenticate.js';
export { encodeVersion, decodeVersion, formatVersion, parseVersion } from './messages/version.js';
export { avIdName, describeAvValue, filetimeToDate } from './messages/av-pairs.js';
export { hmacMd5, encryptRandomSessionKey, decryptRandomSessionKey, ntowfv2FromHash, lmowfv2 } from './crypto/index.js';
export { packChannelBindings } from './channel-binding.js';
export { parseCertificate, type ParsedCertificate } from './der.js';
export { concatBytes, bytesEqual, isAllZero } from './bytes.js';
export { preparedFor } from './credentials.js';
