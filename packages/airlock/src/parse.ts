// Reading a control cookie back: for tests, logs and debugging, and for a gateway that applies what it
// reads. Exact: it accepts what has one meaning on the gateway and refuses the rest, reading at most
// MAX_PARSE_LENGTH characters, in time linear in them.
import { MAX_PARSE_LENGTH, name, own, record } from './checks.js';
import {
  CREDENTIAL_COMMANDS,
  ROLE_COMMANDS,
  auditValue,
  definition,
  entry,
  isControlApiCommand,
  type ControlCommand,
  type CredentialCommandName,
  type CredentialDefinition,
  type RoleCommandName,
  type RoleGrant,
} from './commands.js';
import { DEFAULT_COOKIE_NAME, TOKEN } from './cookie.js';
import { checkEncoding, textOf, unescapeBytes, type CredentialEncoding } from './encoding.js';
import { badCookie, invalidArgument, typeOf, type Fail } from './errors.js';

/** A control API command this package does not model (SESSION, SESSION_TIMEOUT, …), left uninterpreted. */
export interface OtherCommand {
  /** The command's name, e.g. `SESSION_TIMEOUT` or `SESSION[sid:…]`. */
  command: string;
  /** The value after the cookie's own percent-decoding (any second level is left as it is). */
  value: string;
}

/** What `parseControlCookie` read. */
export interface ParsedControlCookie {
  /** The cookie's name (`AL_CONTROL` for a bare value). */
  cookieName: string;
  /** The commands this package models, in cookie order (not merged). */
  commands: ControlCommand[];
  /** The other well-formed commands, in cookie order. */
  otherCommands: OtherCommand[];
}

/** Options of `parseControlCookie`. */
export interface ParseOptions {
  /** How the back end wrote the credentials' bytes (UTF-8 by default). */
  encoding?: CredentialEncoding;
}

const PREFIX = /^[ \t]*set-cookie:[ \t]*/i;
const OTHER_NAME = /^[A-Z][A-Z0-9_]*(?:\[[A-Za-z0-9:]+\])?$/;
const DIGITS = /^[0-9]{1,15}$/;
const MODELLED: readonly string[] = [...CREDENTIAL_COMMANDS, 'AUDIT_TOKEN', ...ROLE_COMMANDS];
const AMBIGUOUS_PLUS = "a '+' is ambiguous (a space to form decoders, a plus to others): write %20 or %2B";

function trim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s[start] === ' ' || s[start] === '\t')) start++;
  while (end > start && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return s.slice(start, end);
}

/** The index of the first character that cannot be in a header value (controls but HTAB, non-ASCII), or -1. */
function firstNonHeaderChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return i;
  }
  return -1;
}

/** RFC 6265 cookie-octet: printable ASCII but space, '"', ',', ';' and '\'. */
function isCookieOctet(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c;
}

/** Cookie characters stand for themselves; escapes must decode to printable ASCII (fields are encoded twice). */
const COOKIE_LEVEL = { raw: isCookieOctet, byte: (b: number) => b >= 0x20 && b <= 0x7e };

/** The commands text: the cookie value percent-decoded once. */
function commandsText(value: string): string {
  const plus = value.indexOf('+');
  if (plus >= 0) throw badCookie(`${AMBIGUOUS_PLUS} (position ${plus} of the cookie value)`, { position: plus });
  const fail: Fail = (message, details) =>
    badCookie(`${message} of the cookie value (a cookie character, or an escape of printable ASCII)`, details);
  return textOf(unescapeBytes(value, fail, COOKIE_LEVEL), 'iso-8859-1', badCookie);
}

/** The second percent-decoding level (credentials, audit tokens). */
function decodeValue(value: string, encoding: CredentialEncoding, fail: Fail): string {
  if (value.includes('+')) throw fail(AMBIGUOUS_PLUS);
  return textOf(unescapeBytes(value, fail), encoding, fail);
}

function parseDefinition(text: string, encoding: CredentialEncoding, fail: Fail): CredentialDefinition {
  const parts = text.split('@');
  if (parts.length > 2) throw fail("a definition has more than one '@' (an '@' in credentials must be encoded)");
  const mapping = parts.length === 2 ? name('mapping', parts[1], fail) : undefined;
  if (parts[0] === '') return definition({ clear: true, mapping }, fail);
  const decoded = decodeValue(parts[0]!, encoding, fail);
  const colon = decoded.indexOf(':');
  if (colon < 0) throw fail("a credential definition has no ':' between user and password");
  return definition(
    {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      mapping,
      encoding: encoding === 'utf-8' ? undefined : encoding,
    },
    fail,
  );
}

/** `name[:timeout[:lifetime[:K]]]`; a 0 means the gateway's default, the same as no value. */
function parseRole(text: string, fail: Fail): RoleGrant {
  const fields = text.split(':');
  if (fields.length > 4) throw fail('a credential (role) has more than four fields');
  const role: RoleGrant = { name: name('credential', fields[0], fail) };
  for (const [index, field] of [
    [1, 'timeout'],
    [2, 'lifetime'],
  ] as const) {
    const digits = fields[index];
    if (digits === undefined) continue;
    if (!DIGITS.test(digits)) throw fail(`the ${field} must be a number of seconds`, { field });
    if (Number(digits) > 0) role[field] = Number(digits);
  }
  if (fields[3] !== undefined) {
    if (fields[3] !== 'K') throw fail("the keep-id flag must be 'K'", { field: 'keepId' });
    role.keepId = true;
  }
  return role;
}

function parseCommand(part: string, encoding: CredentialEncoding, fail: Fail): ControlCommand | OtherCommand {
  const sep = part.indexOf('=');
  if (part === '') throw fail("an empty command (one '&' too many)");
  if (sep <= 0) throw fail("a command without a name and '='");
  const kind = part.slice(0, sep);
  const value = part.slice(sep + 1);
  if (CREDENTIAL_COMMANDS.includes(kind)) {
    const items = value.split(',');
    const definitions = items.map((d, i) => parseDefinition(d, encoding, entry(fail, 'definition', i, items.length)));
    return { command: kind as CredentialCommandName, definitions };
  }
  if (ROLE_COMMANDS.includes(kind)) {
    // 'credential-definitions' is percent-encoded as a whole: ',' and ':' read the same raw or escaped.
    const items = decodeValue(value, 'utf-8', fail).split(',');
    const roles = items.map((r, i) => parseRole(r, entry(fail, 'role', i, items.length)));
    return { command: kind as RoleCommandName, roles };
  }
  if (kind === 'AUDIT_TOKEN') {
    return { command: 'AUDIT_TOKEN', value: auditValue(decodeValue(value, 'utf-8', fail), fail) };
  }
  if (!OTHER_NAME.test(kind)) throw fail('a command name is not a control API command name');
  return { command: kind, value };
}

/**
 * Reverses controlCookie (for tests, logs, debugging and gateways). Accepts `Set-Cookie: NAME=…`,
 * `NAME=…; attrs` or the bare value. `encoding` tells how credentials were written (UTF-8 by default).
 * Anything that is not a control cookie with one meaning is an NtlmError `ERR_NTLM_AIRLOCK_BAD_COOKIE`.
 */
export function parseControlCookie(text: string, options?: ParseOptions): ParsedControlCookie {
  if (typeof text !== 'string') throw invalidArgument(`parseControlCookie needs a string, not ${typeOf(text)}`);
  const bag = options === undefined ? {} : record(options, 'the parse options', ['encoding'], invalidArgument);
  const encoding = checkEncoding(own(bag, 'encoding'));
  if (text.length > MAX_PARSE_LENGTH) {
    const why = `the input is ${text.length} characters, more than the ${MAX_PARSE_LENGTH} a control cookie may have`;
    throw badCookie(why, { length: text.length, limit: MAX_PARSE_LENGTH });
  }
  const bad = firstNonHeaderChar(text);
  if (bad >= 0) {
    throw badCookie(`position ${bad} holds a control or non-ASCII character: not a header value`, { position: bad });
  }
  const rest = text.replace(PREFIX, '');
  const semicolon = rest.indexOf(';');
  const pair = trim(semicolon >= 0 ? rest.slice(0, semicolon) : rest);
  // A bare value may hold a raw '=' after its first command's name (`HTTP_NTLM=…`): a command name
  // before the first '=' is never a cookie name (a `Set-Cookie:` line always starts with one).
  let eq = pair.indexOf('=');
  if (eq >= 0 && rest === text && isControlApiCommand(trim(pair.slice(0, eq)))) eq = -1;
  const cookieName = eq >= 0 ? trim(pair.slice(0, eq)) : DEFAULT_COOKIE_NAME;
  if (!TOKEN.test(cookieName)) throw badCookie('the cookie name is not an RFC 6265 token');
  const value = eq >= 0 ? trim(pair.slice(eq + 1)) : pair;
  if (value === '') throw badCookie('the cookie carries no command');
  const parts = commandsText(value).split('&');
  const commands: ControlCommand[] = [];
  const otherCommands: OtherCommand[] = [];
  parts.forEach((part, i) => {
    const parsed = parseCommand(part, encoding, entry(badCookie, 'command', i, parts.length));
    if (MODELLED.includes(parsed.command)) commands.push(parsed as ControlCommand);
    else otherCommands.push(parsed as OtherCommand);
  });
  return { cookieName, commands, otherCommands };
}
