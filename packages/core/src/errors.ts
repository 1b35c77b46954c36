/**
 * Every failure this library reports on purpose is an NtlmError with a stable `code`.
 * Messages never contain passwords, hashes or keys: callers may log them as they are.
 */
export type NtlmErrorCode =
  | 'ERR_NTLM_INVALID_ARGUMENT'
  | 'ERR_NTLM_INVALID_TOKEN'
  | 'ERR_NTLM_BAD_SIGNATURE'
  | 'ERR_NTLM_BAD_MESSAGE_TYPE'
  | 'ERR_NTLM_TRUNCATED'
  | 'ERR_NTLM_FIELD_OUT_OF_RANGE'
  | 'ERR_NTLM_BAD_AV_PAIRS'
  | 'ERR_NTLM_DIALECT_REFUSED'
  | 'ERR_NTLM_BAD_CERTIFICATE'
  | 'ERR_NTLM_NO_CHANNEL_BINDING'
  | 'ERR_NTLM_UNSUPPORTED'
  | 'ERR_NTLM_PLATFORM_API_UNAVAILABLE'
  | 'ERR_NTLM_WRONG_STATE'
  | 'ERR_NTLM_CERT_NOT_FOUND'
  | 'ERR_NTLM_AUTH_FAILED'
  | 'ERR_NTLM_NO_NTLM_CHALLENGE'
  | 'ERR_NTLM_CONNECTION_CLOSED'
  | 'ERR_NTLM_BODY_NOT_REPLAYABLE'
  | 'ERR_NTLM_ORIGIN_NOT_ALLOWED'
  | 'ERR_NTLM_UNSUPPORTED_ADAPTER';

export class NtlmError extends Error {
  readonly code: NtlmErrorCode;

  constructor(code: NtlmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NtlmError';
    this.code = code;
  }
}

export function isNtlmError(value: unknown): value is NtlmError {
  return value instanceof NtlmError;
}
