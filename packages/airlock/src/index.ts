export {
  ntlmCredentials,
  basicAuthCredentials,
  clearNtlmCredentials,
  clearBasicAuthCredentials,
  auditToken,
  setCredentials,
  addCredentials,
  removeCredentials,
  type ControlCommand,
  type CredentialCommand,
  type AuditTokenCommand,
  type RoleCommand,
  type CredentialDefinition,
  type CredentialInput,
  type ClearDefinition,
  type RoleGrant,
  type CredentialCommandName,
  type RoleCommandName,
} from './commands.js';
export { controlCookie, DEFAULT_COOKIE_NAME, type CookieOptions } from './cookie.js';
export { parseControlCookie, type ParsedControlCookie, type ParseOptions, type OtherCommand } from './parse.js';
export { MAX_CONTROL_COOKIE_LENGTH, MAX_PARSE_LENGTH } from './checks.js';
export { appendSetCookie, sendControlCookie, type ResponseLike } from './response.js';
export { percentEncode, percentDecode, type CredentialEncoding } from './encoding.js';
export type { AirlockErrorCode } from './errors.js';
export { NtlmError, isNtlmError } from '@ntlmkit/core';
export { createAirlockDevGateway, type AirlockDevGateway, type GatewayStats } from './gateway/gateway.js';
export type { AirlockDevGatewayOptions, GatewayMapping, GatewayTlsOptions } from './gateway/options.js';
