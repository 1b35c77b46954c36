// The control API commands (Airlock Gateway's AL_CONTROL cookie), as typed values.
import { NtlmError } from '@ntlmkit/core';
import { percentEncode, type CredentialEncoding } from './encoding.js';

export interface CredentialInput {
  username: string;
  password: string;
  /** Written as `domain\username`. */
  domain?: string;
  /** Scope the credentials to one mapping; without it they are global (all mappings). */
  mapping?: string;
  /** Byte encoding of user and password before percent-encoding; the gateway only URL-decodes. Default UTF-8. */
  encoding?: CredentialEncoding;
}

/** One credential definition; `clear` is the empty definition that removes credentials. */
export type CredentialDefinition =
  | { username: string; password: string; domain?: string; mapping?: string; encoding?: CredentialEncoding }
  | { clear: true; mapping?: string };

export interface RoleGrant {
  /** The credential (role) name. */
  name: string;
  /** Idle timeout in seconds. */
  timeout?: number;
  /** Lifetime in seconds. */
  lifetime?: number;
  keepId?: boolean;
}

export type ControlCommand =
  | { command: 'HTTP_NTLM' | 'HTTP_BASIC_AUTH'; definitions: CredentialDefinition[] }
  | { command: 'AUDIT_TOKEN'; value: string }
  | { command: 'SET_CREDENTIALS' | 'ADD_CREDENTIALS' | 'REMOVE_CREDENTIALS'; roles: RoleGrant[] };

// Mapping and role names are matched literally by the gateway: keep them to a safe alphabet.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.\-]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string): NtlmError {
  return new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
}

export function checkName(kind: 'mapping' | 'credential', name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(`${kind} name ${JSON.stringify(String(name).slice(0, 40))} is not allowed: use letters, digits, '.', '_' and '-'`);
  }
}

export function checkCredential(d: { username: string; password: string; domain?: string }): void {
  if (typeof d.username !== 'string' || d.username === '') throw invalid('the username is empty');
  if (d.username.includes(':')) throw invalid("the username contains ':', which separates it from the password");
  if (CONTROL.test(d.username)) throw invalid('the username contains a control character');
  if (typeof d.password !== 'string') throw invalid('the password must be a string');
  if (d.domain !== undefined) {
    if (d.domain === '' || /[\\:]/.test(d.domain) || CONTROL.test(d.domain)) throw invalid("the domain must be non-empty without '\\', ':' or control characters");
  }
  if (!d.domain && d.username.includes('\\') && d.username.indexOf('\\') !== d.username.lastIndexOf('\\')) {
    throw invalid("the username contains more than one '\\'");
  }
}

/** `<percent-encoded ntlm-value>[@mapping]`, or `[@mapping]` for a removal. */
export function encodeDefinition(d: CredentialDefinition): string {
  const scope = d.mapping === undefined ? '' : (checkName('mapping', d.mapping), `@${d.mapping}`);
  if ('clear' in d) return scope;
  checkCredential(d);
  const user = d.domain ? `${d.domain}\\${d.username}` : d.username;
  return `${percentEncode(`${user}:${d.password}`, d.encoding ?? 'utf-8')}${scope}`;
}

export function encodeRole(r: RoleGrant): string {
  checkName('credential', r.name);
  const parts: string[] = [r.name];
  const number = (value: number | undefined, what: string) => {
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < 0) throw invalid(`${what} must be a whole number of seconds`);
    return String(value);
  };
  const timeout = number(r.timeout, 'timeout');
  const lifetime = number(r.lifetime, 'lifetime');
  // Later fields need the earlier ones: an empty field keeps the gateway's default.
  if (timeout !== undefined || lifetime !== undefined || r.keepId !== undefined) parts.push(timeout ?? '');
  if (lifetime !== undefined || r.keepId !== undefined) parts.push(lifetime ?? '');
  if (r.keepId !== undefined) parts.push(String(r.keepId));
  return parts.join(':');
}

export function ntlmCredentials(input: CredentialInput | CredentialInput[]): ControlCommand {
  return { command: 'HTTP_NTLM', definitions: ([] as CredentialInput[]).concat(input).map((c) => ({ ...c })) };
}

export function basicAuthCredentials(input: CredentialInput | CredentialInput[]): ControlCommand {
  return { command: 'HTTP_BASIC_AUTH', definitions: ([] as CredentialInput[]).concat(input).map((c) => ({ ...c })) };
}

/** Removes the NTLM credentials from the session (for one mapping when given). */
export function clearNtlmCredentials(mapping?: string): ControlCommand {
  return { command: 'HTTP_NTLM', definitions: [mapping === undefined ? { clear: true } : { clear: true, mapping }] };
}

export function clearBasicAuthCredentials(mapping?: string): ControlCommand {
  return { command: 'HTTP_BASIC_AUTH', definitions: [mapping === undefined ? { clear: true } : { clear: true, mapping }] };
}

export function auditToken(value: string): ControlCommand {
  if (typeof value !== 'string' || value === '') throw invalid('the audit token is empty');
  // The gateway decodes the cookie once and then splits commands on '&': the token cannot contain one.
  if (value.includes('&') || CONTROL.test(value)) throw invalid("the audit token must not contain '&' or control characters");
  return { command: 'AUDIT_TOKEN', value };
}

export const setCredentials = (...roles: (RoleGrant | string)[]): ControlCommand => ({ command: 'SET_CREDENTIALS', roles: roles.map(role) });
export const addCredentials = (...roles: (RoleGrant | string)[]): ControlCommand => ({ command: 'ADD_CREDENTIALS', roles: roles.map(role) });
export const removeCredentials = (...roles: (RoleGrant | string)[]): ControlCommand => ({ command: 'REMOVE_CREDENTIALS', roles: roles.map(role) });

function role(r: RoleGrant | string): RoleGrant {
  return typeof r === 'string' ? { name: r } : r;
}
