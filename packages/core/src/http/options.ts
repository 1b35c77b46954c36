// Options shared by every adapter (undici, fetch, axios): the same names everywhere.
import type { LmCompatibilityLevel } from '../client.js';
import type { Credentials } from '../credentials.js';
import { NtlmError } from '../errors.js';

/** Default of `maxReplayBytes`. */
export const DEFAULT_MAX_REPLAY_BYTES = 1024 * 1024;

export interface NtlmHttpOptions {
  credentials: Credentials;
  /**
   * Origins (`https://host:port`) that may receive these credentials. Default: any origin the caller
   * sends a request to (the fetch wrapper and axios never extend this to a cross-origin redirect target).
   */
  origins?: readonly string[];
  /** Send NEGOTIATE with the very first request to any allowed origin, before it asks. Default false. */
  preemptive?: boolean;
  /** Service principal name for MsvAvTargetName; default `HTTP/<hostname>`; `false` sends none. */
  spn?: string | false | ((url: URL) => string | false);
  lmCompatibilityLevel?: LmCompatibilityLevel;
  /** Maximum authenticated connections per origin. */
  connections?: number;
  /** A 401 after our AUTHENTICATE becomes an NtlmError (code ERR_NTLM_AUTH_FAILED) instead of the 401. */
  throwOnAuthFailure?: boolean;
  /**
   * A streamed body sent to an origin not yet known to want NTLM is buffered up to this many bytes
   * so that it can be replayed with the AUTHENTICATE. Default 1 MiB. Beyond it, a clear error.
   */
  maxReplayBytes?: number;
  /** Handshake steps, never secrets. Adapters also honour NODE_DEBUG=ntlm. */
  debug?: (message: string) => void;
}

export function normaliseOrigin(value: string | URL): string {
  try {
    return new URL(String(value)).origin;
  } catch {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `not a URL origin: ${String(value)}`);
  }
}

/** The SPN for a request URL under the options' rule. */
export function spnFor(options: Pick<NtlmHttpOptions, 'spn'>, url: URL): string | undefined {
  const spn = typeof options.spn === 'function' ? options.spn(url) : options.spn;
  if (spn === false) return undefined;
  return spn ?? `HTTP/${url.hostname.replace(/^\[|\]$/g, '')}`;
}

export function validateOptions(options: NtlmHttpOptions): void {
  if (!options || typeof options !== 'object' || !options.credentials) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'NTLM options need `credentials: { username, password | ntHash }`');
  }
  if (options.connections !== undefined && !(Number.isInteger(options.connections) && options.connections > 0)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', '`connections` must be a positive integer');
  }
}
