/**
 * Every failure this library reports on purpose is an NtlmError with a stable `code` (the table of
 * codes, with what each means and what to do, is in packages/core/README.md). Messages never contain
 * passwords, hashes, keys or tokens: callers may log them as they are.
 */
export type NtlmErrorCode =
  // Arguments and options
  | 'ERR_NTLM_INVALID_ARGUMENT'
  // Tokens and messages from the wire
  | 'ERR_NTLM_INVALID_TOKEN'
  | 'ERR_NTLM_BAD_SIGNATURE'
  | 'ERR_NTLM_BAD_MESSAGE_TYPE'
  | 'ERR_NTLM_TRUNCATED'
  | 'ERR_NTLM_FIELD_OUT_OF_RANGE'
  | 'ERR_NTLM_BAD_AV_PAIRS'
  // Certificates and channel bindings
  | 'ERR_NTLM_BAD_CERTIFICATE'
  | 'ERR_NTLM_NO_CHANNEL_BINDING'
  | 'ERR_NTLM_CERT_NOT_FOUND'
  // Features and state
  | 'ERR_NTLM_UNSUPPORTED'
  | 'ERR_NTLM_PLATFORM_API_UNAVAILABLE'
  | 'ERR_NTLM_WRONG_STATE'
  // HTTP
  | 'ERR_NTLM_AUTH_FAILED'
  | 'ERR_NTLM_NO_NTLM_CHALLENGE'
  | 'ERR_NTLM_CONNECTION_CLOSED'
  | 'ERR_NTLM_TUNNEL_REFUSED'
  | 'ERR_NTLM_TUNNEL_TIMEOUT'
  | 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED'
  | 'ERR_NTLM_BODY_NOT_REPLAYABLE'
  | 'ERR_NTLM_UNSUPPORTED_ADAPTER'
  // Airlock
  | 'ERR_NTLM_AIRLOCK_INVALID_ARGUMENT'
  | 'ERR_NTLM_AIRLOCK_BAD_COOKIE'
  | 'ERR_NTLM_AIRLOCK_BAD_ENCODING'
  | 'ERR_NTLM_AIRLOCK_HEADERS_SENT';

/** Marks NtlmErrors from any copy of this library (the ESM and the CommonJS build are two classes). */
const BRAND = Symbol.for('ntlmkit.NtlmError');

/** The optional parts of an NtlmError. */
export interface NtlmErrorOptions {
  /** The underlying error, as the standard `cause`. */
  cause?: unknown;
  /** The HTTP status that ended the exchange (401 from an origin, 407 from a proxy), where there is one. */
  status?: number;
  /** Facts for diagnosis, never secrets (e.g. the user and domain sent, the server's domain). */
  details?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** The one error type of ntlmkit: a stable `code`, and `status` and `details` where they apply; never a secret. */
export class NtlmError extends Error {
  /** What went wrong, stable across versions (see the table in packages/core/README.md). */
  readonly code: NtlmErrorCode;
  /** The HTTP status that ended the exchange, where there is one. */
  readonly status?: number;
  /** Facts for diagnosis (never a password, hash, key or token). */
  readonly details?: Readonly<Record<string, string | number | boolean | undefined>>;

  constructor(code: NtlmErrorCode, message: string, options: NtlmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NtlmError';
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.details !== undefined) this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof NtlmError` holds for an NtlmError of either build (ESM or CommonJS). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNtlmError(value);
  }

  /** `{ name, code, message, status?, details? }`. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (this.status !== undefined) json.status = this.status;
    if (this.details !== undefined) json.details = this.details;
    return json;
  }
}

/** Recognises an NtlmError by its brand, whichever build (ESM or CommonJS) created it. */
export function isNtlmError(value: unknown): value is NtlmError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
