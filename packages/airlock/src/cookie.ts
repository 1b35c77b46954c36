// The AL_CONTROL cookie: commands joined by '&', percent-encoded as a whole, plus the attributes asked for.
// The header is `NAME=` followed by unreserved characters and `%XX` only; each attribute is checked.
import { MAX_CONTROL_COOKIE_LENGTH, list, optionalBoolean, own, record, text } from './checks.js';
import {
  checkOrder,
  command,
  encodeCommand,
  entry,
  isControlApiCommand,
  isCredentialCommand,
  isRoleCommand,
  type ControlCommand,
} from './commands.js';
import { percentEncode } from './encoding.js';
import { invalidArgument } from './errors.js';

/** Options of `controlCookie`: the cookie's name and the attributes to write; none by default. */
export interface CookieOptions {
  /** The gateway's control cookie name; `AL_CONTROL` unless changed on the gateway. */
  cookieName?: string;
  /** `/` followed by path characters (RFC 3986 pchar and `/`). */
  path?: string;
  /** Write the `Secure` attribute. */
  secure?: boolean;
  /** Write the `HttpOnly` attribute. */
  httpOnly?: boolean;
  /** Write `SameSite=` with this value. */
  sameSite?: 'Strict' | 'Lax' | 'None';
}

/** The control cookie's name unless it is changed on the gateway. */
export const DEFAULT_COOKIE_NAME = 'AL_CONTROL';
/** RFC 6265 cookie-name: an RFC 9110 token. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,=:@/]|%[0-9A-Fa-f]{2})*$/;
const SAME_SITE: readonly string[] = ['Strict', 'Lax', 'None'];
const OPTION_KEYS = ['cookieName', 'path', 'secure', 'httpOnly', 'sameSite'];

/** The attributes, checked one by one: nothing the caller passes can add another attribute. */
function attributes(options: unknown): { name: string; suffix: string } {
  const bag = options === undefined ? {} : record(options, 'the cookie options', OPTION_KEYS, invalidArgument);
  const cookieName = own(bag, 'cookieName');
  const name = cookieName === undefined ? DEFAULT_COOKIE_NAME : text(cookieName, 'cookie name', invalidArgument);
  if (!TOKEN.test(name)) throw invalidArgument('the cookie name is not an RFC 6265 token', { field: 'cookieName' });
  if (isControlApiCommand(name)) {
    const why = 'the cookie name is a control API command name (parseControlCookie would read it as a bare value)';
    throw invalidArgument(why, { field: 'cookieName' });
  }
  let suffix = '';
  const path = own(bag, 'path');
  if (path !== undefined) {
    if (!PATH.test(text(path, 'cookie path', invalidArgument))) {
      const why = "the cookie path must be '/' followed by URL path characters (no ';', spaces or controls)";
      throw invalidArgument(why, { field: 'path' });
    }
    suffix += `; Path=${path as string}`;
  }
  if (optionalBoolean(own(bag, 'secure'), 'secure', invalidArgument)) suffix += '; Secure';
  if (optionalBoolean(own(bag, 'httpOnly'), 'httpOnly', invalidArgument)) suffix += '; HttpOnly';
  const sameSite = own(bag, 'sameSite');
  if (sameSite !== undefined) {
    if (typeof sameSite !== 'string' || !SAME_SITE.includes(sameSite)) {
      throw invalidArgument("sameSite must be 'Strict', 'Lax' or 'None'", { field: 'sameSite' });
    }
    suffix += `; SameSite=${sameSite}`;
  }
  return { name, suffix };
}

/**
 * SET, ADD and REMOVE_CREDENTIALS act in order: merging two SET_CREDENTIALS around an ADD_CREDENTIALS
 * would change what the session ends with, so that is refused.
 */
function checkRoleOrder(commands: readonly ControlCommand[]): void {
  const seen = new Set<string>();
  let last: string | undefined;
  for (const c of commands) {
    if (!isRoleCommand(c) || c.command === last) continue;
    if (seen.has(c.command)) {
      throw invalidArgument(`${c.command} is given twice with another role command between: combine them yourself`);
    }
    seen.add(c.command);
    last = c.command;
  }
}

/** Several commands of one name become one command (at the first one's place); entries keep their order. */
function merge(commands: ControlCommand[]): ControlCommand[] {
  checkRoleOrder(commands);
  const out: ControlCommand[] = [];
  for (const c of commands) {
    const same = out.find((o) => o.command === c.command);
    if (!same) {
      out.push(c); // a fresh copy already: safe to extend
    } else if (isCredentialCommand(same) && isCredentialCommand(c)) {
      for (const d of c.definitions) same.definitions.push(d);
    } else if (isRoleCommand(same) && isRoleCommand(c)) {
      for (const r of c.roles) same.roles.push(r);
    } else if (same.command === 'AUDIT_TOKEN' && c.command === 'AUDIT_TOKEN' && same.value !== c.value) {
      throw invalidArgument('two different AUDIT_TOKEN values in one cookie');
    }
  }
  for (const c of out) {
    if (isCredentialCommand(c)) checkOrder(c.command, c.definitions, invalidArgument);
  }
  return out;
}

/** The `Set-Cookie` header value carrying the commands, e.g. `AL_CONTROL=HTTP_NTLM%3D…`. */
export function controlCookie(commands: ControlCommand | readonly ControlCommand[], options?: CookieOptions): string {
  const { name, suffix } = attributes(options);
  const given = Array.isArray(commands) ? list(commands, 'the list of commands', invalidArgument) : [commands];
  const checked = given.map((c, i) => command(c, entry(invalidArgument, 'command', i, given.length)));
  const header = `${name}=${percentEncode(merge(checked).map(encodeCommand).join('&'))}${suffix}`;
  if (header.length > MAX_CONTROL_COOKIE_LENGTH) {
    throw invalidArgument(
      `the control cookie would be ${header.length} characters, more than the ${MAX_CONTROL_COOKIE_LENGTH} ` +
        'this package builds (proxies refuse header lines over about 8 KB): send fewer definitions per response',
      { length: header.length, limit: MAX_CONTROL_COOKIE_LENGTH },
    );
  }
  return header;
}
