export {
  ntlmCredentials, basicAuthCredentials, clearNtlmCredentials, clearBasicAuthCredentials, auditToken,
  setCredentials, addCredentials, removeCredentials,
  type ControlCommand, type CredentialDefinition, type CredentialInput, type RoleGrant,
} from './commands.js';
export { controlCookie, parseControlCookie, DEFAULT_COOKIE_NAME, type CookieOptions, type ParsedControlCookie } from './cookie.js';
export { appendSetCookie, sendControlCookie, type ResponseLike } from './response.js';
export { percentEncode, percentDecode, type CredentialEncoding } from './encoding.js';
export { NtlmError, isNtlmError } from '@ntlmkit/core';
