// The development gateway's options, checked at run time, and its mapping table: which mapping a
// request path belongs to (the longest matching entry path), and where it goes on the back end.
import { own, record, name, text, optionalBoolean, type Bag } from '../checks.js';
import { DEFAULT_COOKIE_NAME, TOKEN } from '../cookie.js';
import { isControlApiCommand } from '../commands.js';
import { checkEncoding, type CredentialEncoding } from '../encoding.js';
import { invalidArgument, typeOf } from '../errors.js';

/** One mapping of the gateway: an entry path and the back end it leads to. */
export interface GatewayMapping {
  /** The mapping's name: what `@mapping` in an HTTP_NTLM definition refers to. */
  name: string;
  /** The entry path: `/` or a prefix such as `/exchange` (a request matches it whole segments only). */
  path: string;
  /** The back end: `http(s)://host:port` and an optional base path that replaces the entry path. */
  backend: string | URL;
  /** Propagate the session's NTLM credentials to this back end. Default false: no credentials ever go there. */
  ntlm?: boolean;
}

/** TLS options for the connections to https back ends. */
export interface GatewayTlsOptions {
  /** CA certificates (PEM) to trust instead of Node's default ones. */
  ca?: string | Buffer | (string | Buffer)[];
  /** A client certificate (PEM). */
  cert?: string | Buffer;
  /** The client certificate's private key (PEM). */
  key?: string | Buffer;
  /** Verify the back end's certificate (Node's default: true). */
  rejectUnauthorized?: boolean;
  /** The SNI name to send, instead of the back end's host name. */
  servername?: string;
}

/** Options of `createAirlockDevGateway`. */
export interface AirlockDevGatewayOptions {
  /** The mappings (required): names and entry paths unique. */
  mappings: readonly GatewayMapping[];
  /** The control cookie's name, as configured on the gateway. Default `AL_CONTROL`. */
  controlCookieName?: string;
  /** How the back ends write the credentials' bytes: `utf-8` (default) or `iso-8859-1`, as on the gateway. */
  encoding?: CredentialEncoding;
  /** The gateway's own session cookie. Default `AL_DEV_SESSION`. */
  sessionCookieName?: string;
  /** Sessions kept at most; the least recently used one goes first. Default 10,000. */
  maxSessions?: number;
  /** A session unused this long (ms) is forgotten with its credentials. Default 30 minutes. */
  sessionIdleTimeout?: number;
  /** Back-end connections in all, across sessions and back ends (NtlmDispatcher's `maxConnections`). Default 256. */
  maxConnections?: number;
  /** Back-end connections per back end (NtlmDispatcher's `connections`). Default 16. */
  connections?: number;
  /** How long an idle back-end connection is kept (ms). Default 4000. */
  keepAliveTimeout?: number;
  /** TLS options for https back ends (e.g. `ca` of a test certificate). */
  tls?: GatewayTlsOptions;
  /** One line per event, never a secret. Lines are also printed under NODE_DEBUG=ntlm-gateway. */
  log?: (line: string) => void;
  /** Test hook: the clock (ms) for session idle times. */
  now?: () => number;
}

/** A checked mapping: its entry path without a trailing slash ('' for `/`), and its back end split. */
export interface Mapping {
  readonly name: string;
  readonly path: string;
  /** `http(s)://host:port` of the back end. */
  readonly origin: string;
  /** The back end's base path without a trailing slash ('' for `/`). */
  readonly base: string;
  readonly ntlm: boolean;
}

export interface CheckedOptions {
  mappings: readonly Mapping[];
  controlCookieName: string;
  encoding: CredentialEncoding;
  sessionCookieName: string;
  maxSessions: number;
  sessionIdleTimeout: number;
  maxConnections: number | undefined;
  connections: number | undefined;
  keepAliveTimeout: number | undefined;
  tls: GatewayTlsOptions | undefined;
  log: ((line: string) => void) | undefined;
  now: () => number;
}

export const DEFAULT_SESSION_COOKIE = 'AL_DEV_SESSION';
export const DEFAULT_MAX_SESSIONS = 10_000;
export const DEFAULT_SESSION_IDLE_TIMEOUT = 30 * 60_000;

const OPTION_KEYS = [
  'mappings',
  'controlCookieName',
  'encoding',
  'sessionCookieName',
  'maxSessions',
  'sessionIdleTimeout',
  'maxConnections',
  'connections',
  'keepAliveTimeout',
  'tls',
  'log',
  'now',
];
const MAPPING_KEYS = ['name', 'path', 'backend', 'ntlm'];
const TLS_KEYS = ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'];
// An entry path: '/', or segments of URL path characters (no empty, '.' or '..' one), a trailing '/' allowed.
const SEGMENTS = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+)+$/;

function positiveInteger(bag: Bag, key: string, fallback?: number): number | undefined {
  const value = own(bag, key);
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(`\`${key}\` must be a positive whole number, not ${typeOf(value)}`, { field: key });
  }
  return value;
}

function cookieName(bag: Bag, key: string, fallback: string): string {
  const value = own(bag, key);
  if (value === undefined) return fallback;
  if (!TOKEN.test(text(value, key, invalidArgument))) {
    throw invalidArgument(`\`${key}\` is not an RFC 6265 cookie name`, { field: key });
  }
  return value as string;
}

function entryPath(value: unknown, index: number): string {
  const path = text(value, `path of mapping ${index + 1}`, invalidArgument);
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const dots = trimmed.split('/').some((s) => s === '.' || s === '..');
  if (trimmed !== '' && (!SEGMENTS.test(trimmed) || dots)) {
    const why = `the path of mapping ${index + 1} must be '/' or '/segment[/segment…]' of URL path characters`;
    throw invalidArgument(why, { field: 'path' });
  }
  if (trimmed === '' && path !== '/') {
    throw invalidArgument(`the path of mapping ${index + 1} must start with '/'`, { field: 'path' });
  }
  return trimmed;
}

function backend(value: unknown, index: number): { origin: string; base: string } {
  const what = `the backend of mapping ${index + 1}`;
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw invalidArgument(`${what} must be a URL string or a URL, not ${typeOf(value)}`, { field: 'backend' });
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw invalidArgument(`${what} is not a URL`, { field: 'backend' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidArgument(`${what} must be an http: or https: URL`, { field: 'backend' });
  }
  // No secret in a URL (it would be printed), and nothing that a back-end path cannot carry.
  if (url.username || url.password || url.search || url.hash || String(value).includes('#')) {
    throw invalidArgument(`${what} must have no user, password, query or fragment`, { field: 'backend' });
  }
  const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return { origin: url.origin, base };
}

function mappingsOf(value: unknown): Mapping[] {
  const field = { field: 'mappings' };
  if (!Array.isArray(value)) throw invalidArgument(`\`mappings\` must be an array, not ${typeOf(value)}`, field);
  if (value.length === 0) throw invalidArgument('`mappings` is empty: the gateway needs at least one', field);
  const names = new Set<string>();
  const paths = new Set<string>();
  return Array.from(value, (item: unknown, index) => {
    const bag = record(item, `mapping ${index + 1}`, MAPPING_KEYS, invalidArgument);
    const mappingName = name('mapping', own(bag, 'name'), invalidArgument);
    const path = entryPath(own(bag, 'path'), index);
    if (names.has(mappingName)) throw invalidArgument(`two mappings are named ${mappingName}`, { field: 'name' });
    if (paths.has(path)) throw invalidArgument(`two mappings have the entry path ${path || '/'}`, { field: 'path' });
    names.add(mappingName);
    paths.add(path);
    const ntlm = optionalBoolean(own(bag, 'ntlm'), 'ntlm', invalidArgument) === true;
    return { name: mappingName, path, ...backend(own(bag, 'backend'), index), ntlm };
  });
}

function tlsOf(value: unknown): GatewayTlsOptions | undefined {
  if (value === undefined) return undefined;
  const bag = record(value, '`tls`', TLS_KEYS, invalidArgument);
  optionalBoolean(own(bag, 'rejectUnauthorized'), 'tls.rejectUnauthorized', invalidArgument);
  return { ...bag };
}

function functionOf<T>(bag: Bag, key: string): T | undefined {
  const value = own(bag, key);
  if (value !== undefined && typeof value !== 'function') {
    throw invalidArgument(`\`${key}\` must be a function, not ${typeOf(value)}`, { field: key });
  }
  return value as T | undefined;
}

export function checkOptions(options: unknown): CheckedOptions {
  const bag = record(options, 'the gateway options', OPTION_KEYS, invalidArgument);
  const keepAlive = own(bag, 'keepAliveTimeout');
  if (keepAlive !== undefined && (typeof keepAlive !== 'number' || !Number.isFinite(keepAlive) || keepAlive < 0)) {
    throw invalidArgument('`keepAliveTimeout` must be a number of milliseconds', { field: 'keepAliveTimeout' });
  }
  const checked: CheckedOptions = {
    mappings: mappingsOf(own(bag, 'mappings')),
    controlCookieName: cookieName(bag, 'controlCookieName', DEFAULT_COOKIE_NAME),
    encoding: checkEncoding(own(bag, 'encoding')),
    sessionCookieName: cookieName(bag, 'sessionCookieName', DEFAULT_SESSION_COOKIE),
    maxSessions: positiveInteger(bag, 'maxSessions', DEFAULT_MAX_SESSIONS)!,
    sessionIdleTimeout: positiveInteger(bag, 'sessionIdleTimeout', DEFAULT_SESSION_IDLE_TIMEOUT)!,
    maxConnections: positiveInteger(bag, 'maxConnections'),
    connections: positiveInteger(bag, 'connections'),
    keepAliveTimeout: keepAlive,
    tls: tlsOf(own(bag, 'tls')),
    log: functionOf(bag, 'log'),
    now: functionOf<() => number>(bag, 'now') ?? Date.now,
  };
  if (isControlApiCommand(checked.controlCookieName)) {
    const why = '`controlCookieName` is a control API command name (it would be read as a bare cookie value)';
    throw invalidArgument(why, { field: 'controlCookieName' });
  }
  if (checked.controlCookieName === checked.sessionCookieName) {
    const why = 'the session cookie and the control cookie need different names';
    throw invalidArgument(why, { field: 'sessionCookieName' });
  }
  return checked;
}

/** The mapping of a request path: the longest entry path that matches whole segments. */
export class MappingTable {
  /** Longest entry path first. */
  readonly #byLength: readonly Mapping[];
  readonly #byName: ReadonlyMap<string, Mapping>;

  constructor(mappings: readonly Mapping[]) {
    this.#byLength = [...mappings].sort((a, b) => b.path.length - a.path.length);
    this.#byName = new Map(mappings.map((m) => [m.name, m]));
  }

  match(pathname: string): Mapping | undefined {
    return this.#byLength.find(
      (m) => m.path === '' || pathname === m.path || (pathname.startsWith(m.path) && pathname[m.path.length] === '/'),
    );
  }

  named(mappingName: string): Mapping | undefined {
    return this.#byName.get(mappingName);
  }

  get all(): readonly Mapping[] {
    return this.#byLength;
  }
}

/** The back-end path of a request: the mapping's entry path replaced by the back end's base path. */
export function backendPath(mapping: Mapping, pathname: string, search: string): string {
  const rest = pathname.slice(mapping.path.length);
  return `${mapping.base}${rest}` === '' ? `/${search}` : `${mapping.base}${rest}${search}`;
}
