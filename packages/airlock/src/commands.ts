// The control API commands (Airlock Gateway's AL_CONTROL cookie) as typed values. Every command goes
// through one check that returns a fresh, canonical copy: those the builders make, those built by
// hand and passed to controlCookie, and the definitions the parser reads.
import { list, name, own, record, text, optionalBoolean, type Bag } from './checks.js';
import { invalidArgument, typeOf, type Details, type Fail } from './errors.js';
import { checkEncoding, encodeField, type CredentialEncoding } from './encoding.js';
import { hidePassword } from './redact.js';

/** Credentials in a definition: `[domain\]username:password`, optionally scoped to a mapping. */
export interface CredentialInput {
  /** `user`, or `DOMAIN\user` (then split into domain and username). */
  username: string;
  /** The password; any characters (it is percent-encoded). */
  password: string;
  /** Written as `domain\username`; with `DOMAIN\user` it must name the same domain (ASCII case aside). */
  domain?: string;
  /** Scope the credentials to one mapping; without it they are global (all mappings). */
  mapping?: string;
  /** Byte encoding of user and password before percent-encoding; the gateway only URL-decodes. Default UTF-8. */
  encoding?: CredentialEncoding;
}

/** The empty definition: removes the credentials from the session (of one mapping when given). */
export interface ClearDefinition {
  /** Marks the empty definition. */
  clear: true;
  /** Clear only this mapping's own credentials (written `@mapping`); without it, all of them. */
  mapping?: string;
}

/** One credential definition of an HTTP_NTLM or HTTP_BASIC_AUTH command. */
export type CredentialDefinition = CredentialInput | ClearDefinition;

/** One role (credential name) of SET_CREDENTIALS, ADD_CREDENTIALS or REMOVE_CREDENTIALS. */
export interface RoleGrant {
  /** The credential (role) name. */
  name: string;
  /** Idle timeout in seconds; 0 or none means the gateway's session timeout. */
  timeout?: number;
  /** Lifetime in seconds; 0 or none means the gateway's session lifetime. */
  lifetime?: number;
  /** Keep the session id when the role is granted (the `K` flag). */
  keepId?: boolean;
}

/** The commands that carry credential definitions. */
export type CredentialCommandName = 'HTTP_NTLM' | 'HTTP_BASIC_AUTH';
/** The commands that carry roles. */
export type RoleCommandName = 'SET_CREDENTIALS' | 'ADD_CREDENTIALS' | 'REMOVE_CREDENTIALS';

/** HTTP_NTLM or HTTP_BASIC_AUTH: credential definitions, applied in order. */
export interface CredentialCommand {
  /** The command's name. */
  command: CredentialCommandName;
  /** Its definitions, in order (global ones before mapping-specific ones). */
  definitions: CredentialDefinition[];
}

/** AUDIT_TOKEN: a value the gateway writes to its logs for the session. */
export interface AuditTokenCommand {
  /** The command's name. */
  command: 'AUDIT_TOKEN';
  /** The token: non-empty, no control characters (encoded as UTF-8). */
  value: string;
}

/** SET_CREDENTIALS, ADD_CREDENTIALS or REMOVE_CREDENTIALS: roles of the gateway session. */
export interface RoleCommand {
  /** The command's name. */
  command: RoleCommandName;
  /** The roles, in order. */
  roles: RoleGrant[];
}

/** One control API command of the AL_CONTROL cookie, as the builders make it and the parser reads it. */
export type ControlCommand = CredentialCommand | AuditTokenCommand | RoleCommand;

export const CREDENTIAL_COMMANDS: readonly string[] = ['HTTP_NTLM', 'HTTP_BASIC_AUTH'];
export const ROLE_COMMANDS: readonly string[] = ['SET_CREDENTIALS', 'ADD_CREDENTIALS', 'REMOVE_CREDENTIALS'];
/** The control API's command names (the modelled ones and those the manual documents besides). */
const CONTROL_API_COMMANDS: readonly string[] = [
  ...CREDENTIAL_COMMANDS,
  'AUDIT_TOKEN',
  ...ROLE_COMMANDS,
  'SESSION',
  'SESSION_TIMEOUT',
  'AUTH_WORKFLOW',
  'SET_SESSION_VARIABLES',
  'ADD_SESSION_VARIABLES',
  'REMOVE_SESSION_VARIABLES',
];

/** A control API command name (`SESSION[sid:…]` included): never read as a cookie name. */
export function isControlApiCommand(value: string): boolean {
  return CONTROL_API_COMMANDS.includes(value) || /^SESSION\[/.test(value);
}

const USER_RULES = { forbid: [[':', 'which separates the user from the password']] } as const;
const DOMAIN_RULES = {
  forbid: [
    ['\\', 'which separates the domain from the user'],
    [':', 'which separates the user from the password'],
  ],
} as const;
const NOT_LATIN1 = /[\u0100-\uffff]/;

// Our own objects are read through own properties too: a polluted Object.prototype changes nothing.
export function isCredentialCommand(c: ControlCommand): c is CredentialCommand {
  return CREDENTIAL_COMMANDS.includes(c.command);
}

export function isRoleCommand(c: ControlCommand): c is RoleCommand {
  return ROLE_COMMANDS.includes(c.command);
}

export function isClear(d: CredentialDefinition): d is ClearDefinition {
  return own(d as unknown as Bag, 'clear') === true;
}

export function mappingOf(d: CredentialDefinition): string | undefined {
  return own(d as unknown as Bag, 'mapping') as string | undefined;
}

/** Prefixes messages with the entry they concern when there are several. */
export function entry(fail: Fail, what: string, index: number, count: number): Fail {
  return (message: string, details?: Details) =>
    fail(count > 1 ? `${what} ${index + 1}: ${message}` : message, { ...details, [what]: index + 1 });
}

function optionalName(kind: 'mapping', value: unknown, fail: Fail): string | undefined {
  return value === undefined ? undefined : name(kind, value, fail);
}

/** Domain names compare without ASCII case (as Windows compares NetBIOS names); other characters exactly. */
function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function credential(bag: Bag, fail: Fail): CredentialInput {
  let username = text(own(bag, 'username'), 'username', fail, USER_RULES);
  const password = text(own(bag, 'password'), 'password', fail, { empty: true, control: true });
  let domain = own(bag, 'domain') === undefined ? undefined : text(own(bag, 'domain'), 'domain', fail, DOMAIN_RULES);
  const mapping = optionalName('mapping', own(bag, 'mapping'), fail);
  const encoding = checkEncoding(own(bag, 'encoding'), fail);
  const slash = username.indexOf('\\');
  if (slash >= 0) {
    // DOMAIN\user: the gateway sees one string, so the two spellings must not disagree.
    const prefix = username.slice(0, slash);
    username = username.slice(slash + 1);
    const field = { field: 'username' };
    if (prefix === '') throw fail("the username starts with '\\': the domain before it is empty", field);
    if (username === '') throw fail("the username ends with '\\': the user after it is empty", field);
    if (username.includes('\\')) throw fail("the username contains more than one '\\'", field);
    if (domain !== undefined && asciiLower(domain) !== asciiLower(prefix)) {
      throw fail('the domain disagrees with the DOMAIN\\user form of the username', { field: 'domain' });
    }
    domain ??= prefix;
  }
  if (encoding === 'iso-8859-1') {
    for (const [field, value] of [
      ['domain', domain],
      ['username', username],
      ['password', password],
    ] as const) {
      const at = value === undefined ? -1 : value.search(NOT_LATIN1);
      if (at >= 0) {
        const where = field === 'password' ? 'a character' : `a character at position ${at}`; // nothing about a password
        throw fail(`${where} of the ${field} cannot be written in ISO-8859-1`, { field });
      }
    }
  }
  const out: CredentialInput = { username, password };
  if (domain !== undefined) out.domain = domain;
  if (mapping !== undefined) out.mapping = mapping;
  if (encoding !== 'utf-8') out.encoding = encoding;
  return hidePassword(out);
}

const DEFINITION_KEYS = ['username', 'password', 'domain', 'mapping', 'encoding', 'clear'];
const CREDENTIAL_KEYS = ['username', 'password', 'domain', 'encoding'];

/** A checked, canonical copy of one credential definition (credentials, or a clear). */
export function definition(value: unknown, fail: Fail): CredentialDefinition {
  const bag = record(value, 'a credential definition', DEFINITION_KEYS, fail);
  const clear = own(bag, 'clear');
  if (clear === undefined) return credential(bag, fail);
  if (clear !== true) throw fail(`clear must be true or left out, not ${typeOf(clear)}`, { field: 'clear' });
  if (CREDENTIAL_KEYS.some((key) => own(bag, key) !== undefined)) {
    throw fail('a definition either clears credentials (clear: true) or carries them, not both', { field: 'clear' });
  }
  const mapping = optionalName('mapping', own(bag, 'mapping'), fail);
  return mapping === undefined ? { clear: true } : { clear: true, mapping };
}

/** Global credentials remove the mapping-specific ones set before them: refuse that order. */
export function checkOrder(command: string, definitions: readonly CredentialDefinition[], fail: Fail): void {
  const firstScoped = definitions.findIndex((d) => mappingOf(d) !== undefined);
  if (firstScoped >= 0 && definitions.some((d, i) => i > firstScoped && mappingOf(d) === undefined)) {
    throw fail(
      `${command}: a global definition after mapping-specific ones would remove them on the gateway; ` +
        'put global credentials first',
    );
  }
}

function seconds(value: unknown, field: string, fail: Fail): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw fail(`the ${field} must be a whole number of seconds (0 or more)`, { field });
  }
  return value === 0 ? undefined : value; // 0 and none both mean the gateway's default
}

/** A checked, canonical copy of one role grant (`0` and `false` mean the same as leaving them out). */
export function role(value: unknown, fail: Fail): RoleGrant {
  if (typeof value === 'string') return { name: name('credential', value, fail) };
  const bag = record(value, 'a credential (role)', ['name', 'timeout', 'lifetime', 'keepId'], fail);
  const out: RoleGrant = { name: name('credential', own(bag, 'name'), fail) };
  const timeout = seconds(own(bag, 'timeout'), 'timeout', fail);
  const lifetime = seconds(own(bag, 'lifetime'), 'lifetime', fail);
  if (timeout !== undefined) out.timeout = timeout;
  if (lifetime !== undefined) out.lifetime = lifetime;
  if (optionalBoolean(own(bag, 'keepId'), 'keepId', fail)) out.keepId = true;
  return out;
}

export function auditValue(value: unknown, fail: Fail): string {
  return text(value, 'audit token', fail);
}

/** A checked, canonical copy of a command, whoever made it: nothing in it can smuggle a second one. */
export function command(value: unknown, fail: Fail): ControlCommand {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`a control command must be an object made by one of the builders, not ${typeOf(value)}`);
  }
  const kind = own(value as Bag, 'command');
  if (typeof kind === 'string' && CREDENTIAL_COMMANDS.includes(kind)) {
    const bag = record(value, `the ${kind} command`, ['command', 'definitions'], fail);
    const items = list(own(bag, 'definitions'), `the definitions of ${kind}`, fail);
    const definitions = items.map((d, i) => definition(d, entry(fail, 'definition', i, items.length)));
    checkOrder(kind, definitions, fail);
    return { command: kind as CredentialCommandName, definitions };
  }
  if (typeof kind === 'string' && ROLE_COMMANDS.includes(kind)) {
    const bag = record(value, `the ${kind} command`, ['command', 'roles'], fail);
    const items = list(own(bag, 'roles'), `the credentials (roles) of ${kind}`, fail);
    const roles = items.map((r, i) => role(r, entry(fail, 'role', i, items.length)));
    return { command: kind as RoleCommandName, roles };
  }
  if (kind === 'AUDIT_TOKEN') {
    const bag = record(value, 'the AUDIT_TOKEN command', ['command', 'value'], fail);
    return { command: 'AUDIT_TOKEN', value: auditValue(own(bag, 'value'), fail) };
  }
  throw fail(
    `unknown control command${typeof kind === 'string' ? '' : ` (command is ${typeOf(kind)})`}: ` +
      `use ${[...CREDENTIAL_COMMANDS, 'AUDIT_TOKEN', ...ROLE_COMMANDS].join(', ')}`,
  );
}

function encodeDefinition(d: CredentialDefinition): string {
  const mapping = mappingOf(d);
  const scope = mapping === undefined ? '' : `@${mapping}`;
  if (isClear(d)) return scope;
  const bag = d as unknown as Bag;
  const encoding = (own(bag, 'encoding') ?? 'utf-8') as CredentialEncoding;
  const domain = own(bag, 'domain') as string | undefined;
  // Byte by byte, so encoding the parts equals encoding `domain\user:password` as one string.
  const user = encodeField(d.username, encoding, 'username');
  const prefix = domain === undefined ? '' : `${encodeField(domain, encoding, 'domain')}%5C`;
  return `${prefix}${user}%3A${encodeField(d.password, encoding, 'password')}${scope}`;
}

/** `name[:timeout[:lifetime[:K]]]`; an earlier field a later one needs is written as 0 (the default). */
function encodeRole(r: RoleGrant): string {
  const bag = r as unknown as Bag;
  const timeout = own(bag, 'timeout') as number | undefined;
  const lifetime = own(bag, 'lifetime') as number | undefined;
  const fields = [r.name, String(timeout ?? 0), String(lifetime ?? 0), 'K'];
  const count = own(bag, 'keepId') === true ? 4 : lifetime !== undefined ? 3 : timeout !== undefined ? 2 : 1;
  return fields.slice(0, count).join(':');
}

/** `NAME=VALUE` of a checked command, before the cookie's own percent-encoding. */
export function encodeCommand(c: ControlCommand): string {
  if (isCredentialCommand(c)) return `${c.command}=${c.definitions.map(encodeDefinition).join(',')}`;
  // 'credential-definitions' as a whole is percent-encoded a second time (its ',' and ':' too).
  if (isRoleCommand(c)) return `${c.command}=${encodeField(c.roles.map(encodeRole).join(','), 'utf-8', 'roles')}`;
  return `AUDIT_TOKEN=${encodeField(c.value, 'utf-8', 'audit token')}`;
}

function credentialCommand(kind: CredentialCommandName, input: unknown): CredentialCommand {
  const definitions = Array.isArray(input) ? input : [input];
  return command({ command: kind, definitions }, invalidArgument) as CredentialCommand;
}

/** HTTP_NTLM: NTLM credentials for the gateway to use towards back ends (one definition or several). */
export function ntlmCredentials(input: CredentialDefinition | readonly CredentialDefinition[]): CredentialCommand {
  return credentialCommand('HTTP_NTLM', input);
}

/** HTTP_BASIC_AUTH: Basic credentials, same definition grammar. */
export function basicAuthCredentials(input: CredentialDefinition | readonly CredentialDefinition[]): CredentialCommand {
  return credentialCommand('HTTP_BASIC_AUTH', input);
}

function clear(kind: CredentialCommandName, mapping: unknown): CredentialCommand {
  return credentialCommand(kind, mapping === undefined ? { clear: true } : { clear: true, mapping });
}

/** Removes the NTLM credentials from the session (for one mapping when given). */
export function clearNtlmCredentials(mapping?: string): CredentialCommand {
  return clear('HTTP_NTLM', mapping);
}

/** Removes the Basic credentials from the session (for one mapping when given). */
export function clearBasicAuthCredentials(mapping?: string): CredentialCommand {
  return clear('HTTP_BASIC_AUTH', mapping);
}

/** AUDIT_TOKEN: a value the gateway writes to its logs for the session (encoded as UTF-8). */
export function auditToken(value: string): AuditTokenCommand {
  return command({ command: 'AUDIT_TOKEN', value }, invalidArgument) as AuditTokenCommand;
}

function roleCommand(kind: RoleCommandName, roles: unknown[]): RoleCommand {
  return command({ command: kind, roles }, invalidArgument) as RoleCommand;
}

/** SET_CREDENTIALS: the session's roles become these. */
export const setCredentials = (...roles: (RoleGrant | string)[]): RoleCommand => roleCommand('SET_CREDENTIALS', roles);
/** ADD_CREDENTIALS: these roles are added to the session's. */
export const addCredentials = (...roles: (RoleGrant | string)[]): RoleCommand => roleCommand('ADD_CREDENTIALS', roles);
/** REMOVE_CREDENTIALS: these roles are removed from the session. */
export const removeCredentials = (...roles: (RoleGrant | string)[]): RoleCommand =>
  roleCommand('REMOVE_CREDENTIALS', roles);
