// Options shared by every adapter (undici, fetch, axios): the same names everywhere, checked at run time
// (plain JavaScript callers get an NtlmError, never a TypeError from deep inside).
import type { LmCompatibilityLevel } from '../client.js';
import type { Credentials } from '../credentials.js';
import { NtlmError } from '../errors.js';

/** Default of `maxReplayBytes`. */
export const DEFAULT_MAX_REPLAY_BYTES = 1024 * 1024;
/** Default of `connections`: authenticated connections per origin. */
export const DEFAULT_CONNECTIONS = 16;
/** Default of `maxConnections`: connections of one client, all origins and credentials together. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** The options every adapter shares (undici, fetch, axios). */
export interface NtlmHttpOptions {
  /**
   * The credentials requests authenticate with. Optional when every request brings its own
   * (`withCredentials`, axios's per-request `ntlm: { credentials }`) or for proxy authentication alone.
   */
  credentials?: Credentials;
  /**
   * Origins (`https://host:port`) that may receive the credentials. Default: the origins the caller asks for
   * directly — the first origin a dispatcher is used with, the origin of each `fetch` or axios call — and never
   * an origin a redirect leads to.
   */
  origins?: readonly string[];
  /** Send NEGOTIATE with the very first request to an allowed origin, before it asks. Default false. */
  preemptive?: boolean;
  /** Service principal name for MsvAvTargetName; default `HTTP/<hostname>`; `false` sends none. */
  spn?: string | false | ((url: URL) => string | false);
  /** Default 3: NTLMv2 only. 0–2 are legacy dialects and must be asked for. */
  lmCompatibilityLevel?: LmCompatibilityLevel;
  /** Connections per origin (all credentials together). Default 16. */
  connections?: number;
  /** Connections in all, across origins and credentials; idle ones of other users make room. Default 256. */
  maxConnections?: number;
  /** A refused AUTHENTICATE becomes an NtlmError (ERR_NTLM_AUTH_FAILED) instead of the 401. Default false. */
  throwOnAuthFailure?: boolean;
  /**
   * A streamed body sent to an origin not yet known to want NTLM is read ahead up to this many bytes so that
   * it can go again with the AUTHENTICATE. Default 1 MiB. Beyond it: ERR_NTLM_BODY_NOT_REPLAYABLE.
   */
  maxReplayBytes?: number;
  /** Handshake steps, never secrets. Adapters also print them under NODE_DEBUG=ntlm. */
  debug?: (message: string) => void;
  /** Also print the NEGOTIATE and CHALLENGE in full and the AUTHENTICATE redacted (through `debug`). */
  debugTokens?: boolean;
}

function invalid(message: string): NtlmError {
  return new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
}

/** The origin (`https://host:port`, default port omitted) of an http(s) URL; else ERR_NTLM_INVALID_ARGUMENT. */
export function normaliseOrigin(value: string | URL): string {
  if (typeof value !== 'string' && !(value instanceof URL)) throw invalid('an origin must be a string or a URL');
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw invalid(`not a URL origin: ${String(value).slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`not an http(s) origin: ${url.protocol}`);
  return url.origin;
}

/** The SPN for a request URL under the options' rule. */
export function spnFor(options: Pick<NtlmHttpOptions, 'spn'>, url: URL): string | undefined {
  const spn = typeof options.spn === 'function' ? options.spn(url) : options.spn;
  if (spn === false) return undefined;
  if (spn !== undefined && typeof spn !== 'string') throw invalid('`spn` must give a string or false');
  return spn ?? `HTTP/${url.hostname.replace(/^\[|\]$/g, '')}`;
}

const positiveInteger = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** A check of one option: what a valid value is, in words for the error message. */
export type OptionCheck = readonly [ok: (value: unknown) => boolean, what: string];

/** Checks the shared options' types and ranges, and the adapter's own options by `adapterOptions`. */
export function validateOptions(options: unknown, adapterOptions: Readonly<Record<string, OptionCheck>> = {}): void {
  if (!options || typeof options !== 'object') {
    throw invalid('NTLM options must be an object, e.g. { credentials: { username, password } }');
  }
  const o = options as Record<string, unknown>;
  const check = (name: string, ok: (v: unknown) => boolean, what: string) => {
    if (o[name] !== undefined && !ok(o[name])) throw invalid(`\`${name}\` must be ${what}`);
  };
  check(
    'credentials',
    (v) => typeof v === 'object' && v !== null,
    'an object { username, password | ntHash, domain?, workstation? }',
  );
  check(
    'origins',
    (v) => Array.isArray(v) && v.every((x) => typeof x === 'string' || x instanceof URL),
    'an array of origins',
  );
  check('preemptive', (v) => typeof v === 'boolean', 'true or false');
  check('spn', (v) => typeof v === 'string' || v === false || typeof v === 'function', 'a string, false or a function');
  check('lmCompatibilityLevel', (v) => [0, 1, 2, 3, 4, 5].includes(v as number), '0 to 5');
  check('connections', positiveInteger, 'a positive integer');
  check('maxConnections', positiveInteger, 'a positive integer');
  check('throwOnAuthFailure', (v) => typeof v === 'boolean', 'true or false');
  check('maxReplayBytes', (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0, 'a non-negative integer');
  check('debug', (v) => typeof v === 'function', 'a function');
  check('debugTokens', (v) => typeof v === 'boolean', 'true or false');
  for (const [name, [ok, what]] of Object.entries(adapterOptions)) check(name, ok, what);
}
