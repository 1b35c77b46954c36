// The AL_CONTROL cookie: commands joined by '&', percent-encoded as a whole; and the way back.
import { NtlmError } from '@ntlmkit/core';
import {
  checkName, encodeDefinition, encodeRole, type ControlCommand, type CredentialDefinition, type RoleGrant,
} from './commands.js';
import { percentDecode, percentEncode, type CredentialEncoding } from './encoding.js';

export interface CookieOptions {
  /** The gateway's control cookie name; `AL_CONTROL` unless changed on the gateway. */
  cookieName?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
}

export const DEFAULT_COOKIE_NAME = 'AL_CONTROL';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CREDENTIAL_COMMANDS = new Set(['HTTP_NTLM', 'HTTP_BASIC_AUTH']);
const ROLE_COMMANDS = new Set(['SET_CREDENTIALS', 'ADD_CREDENTIALS', 'REMOVE_CREDENTIALS']);

function invalid(message: string): NtlmError {
  return new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
}

/** Several commands of one name become one command; definitions keep their order. */
function merge(commands: ControlCommand[]): ControlCommand[] {
  const out: ControlCommand[] = [];
  for (const c of commands) {
    const same = out.find((o) => o.command === c.command);
    if (!same) out.push('definitions' in c ? { ...c, definitions: [...c.definitions] } : 'roles' in c ? { ...c, roles: [...c.roles] } : { ...c });
    else if ('definitions' in same && 'definitions' in c) same.definitions.push(...c.definitions);
    else if ('roles' in same && 'roles' in c) same.roles.push(...c.roles);
    else if ('value' in same && 'value' in c && same.value !== c.value) throw invalid('two different AUDIT_TOKEN values in one cookie');
  }
  return out;
}

function commandValue(c: ControlCommand): string {
  if ('definitions' in c) {
    if (c.definitions.length === 0) throw invalid(`${c.command} needs at least one definition`);
    // Global credentials remove the mapping-specific ones defined before them: refuse that order.
    const firstScoped = c.definitions.findIndex((d) => d.mapping !== undefined);
    const lateGlobal = c.definitions.findIndex((d, i) => i > firstScoped && d.mapping === undefined);
    if (firstScoped >= 0 && lateGlobal >= 0) {
      throw invalid(`${c.command}: a global definition after mapping-specific ones would remove them on the gateway; put global credentials first`);
    }
    return c.definitions.map(encodeDefinition).join(',');
  }
  if ('roles' in c) {
    if (c.roles.length === 0) throw invalid(`${c.command} needs at least one credential name`);
    return c.roles.map(encodeRole).join(',');
  }
  return c.value;
}

/** The `Set-Cookie` header value carrying the commands, e.g. `AL_CONTROL=HTTP_NTLM%3D…`. */
export function controlCookie(commands: ControlCommand | ControlCommand[], options: CookieOptions = {}): string {
  const name = options.cookieName ?? DEFAULT_COOKIE_NAME;
  if (!TOKEN.test(name)) throw invalid('the cookie name is not a valid token');
  const list = merge(([] as ControlCommand[]).concat(commands));
  if (list.length === 0) throw invalid('no control command given');
  const value = percentEncode(list.map((c) => `${c.command}=${commandValue(c)}`).join('&'));
  let header = `${name}=${value}`;
  if (options.path !== undefined) {
    if (/[;\u0000-\u001f\u007f]/.test(options.path)) throw invalid('the cookie path contains a forbidden character');
    header += `; Path=${options.path}`;
  }
  if (options.secure) header += '; Secure';
  if (options.httpOnly) header += '; HttpOnly';
  if (options.sameSite) header += `; SameSite=${options.sameSite}`;
  return header;
}

export interface ParsedControlCookie {
  cookieName: string;
  commands: ControlCommand[];
}

function parseDefinition(text: string, encoding: CredentialEncoding): CredentialDefinition {
  // Inside an encoded value '@' is always escaped, so a literal '@' starts the mapping name.
  const at = text.lastIndexOf('@');
  const mapping = at >= 0 ? text.slice(at + 1) : undefined;
  const value = at >= 0 ? text.slice(0, at) : text;
  if (mapping !== undefined) checkName('mapping', mapping);
  if (value === '') return mapping === undefined ? { clear: true } : { clear: true, mapping };
  const decoded = percentDecode(value, encoding);
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', "a credential definition has no ':' between user and password");
  const user = decoded.slice(0, colon);
  const slash = user.indexOf('\\');
  const definition: CredentialDefinition = slash >= 0
    ? { domain: user.slice(0, slash), username: user.slice(slash + 1), password: decoded.slice(colon + 1) }
    : { username: user, password: decoded.slice(colon + 1) };
  if (mapping !== undefined) definition.mapping = mapping;
  return definition;
}

function parseRole(text: string): RoleGrant {
  const [name, timeout, lifetime, keepId] = text.split(':');
  const role: RoleGrant = { name: name! };
  if (timeout) role.timeout = Number(timeout);
  if (lifetime) role.lifetime = Number(lifetime);
  if (keepId) role.keepId = keepId === 'true';
  return role;
}

/**
 * Reverses controlCookie (for tests, logs and debugging). Accepts `Set-Cookie: NAME=…`, `NAME=…; attrs`
 * or the bare value. `encoding` tells how credentials were written (UTF-8 by default).
 */
export function parseControlCookie(text: string, options: { encoding?: CredentialEncoding } = {}): ParsedControlCookie {
  const encoding = options.encoding ?? 'utf-8';
  const pair = text.replace(/^\s*set-cookie:\s*/i, '').split(';')[0]!.trim();
  const eq = pair.indexOf('=');
  const cookieName = eq >= 0 ? pair.slice(0, eq) : DEFAULT_COOKIE_NAME;
  const decoded = percentDecode(eq >= 0 ? pair.slice(eq + 1) : pair);
  const commands: ControlCommand[] = decoded.split('&').map((part) => {
    const sep = part.indexOf('=');
    const name = sep >= 0 ? part.slice(0, sep) : part;
    const value = sep >= 0 ? part.slice(sep + 1) : '';
    if (CREDENTIAL_COMMANDS.has(name)) {
      return { command: name as 'HTTP_NTLM', definitions: value.split(',').map((d) => parseDefinition(d, encoding)) };
    }
    if (ROLE_COMMANDS.has(name)) return { command: name as 'SET_CREDENTIALS', roles: value.split(',').map(parseRole) };
    if (name === 'AUDIT_TOKEN') return { command: 'AUDIT_TOKEN', value };
    throw new NtlmError('ERR_NTLM_INVALID_TOKEN', `unknown control command ${JSON.stringify(name.slice(0, 40))}`);
  });
  return { cookieName, commands };
}
