// The error codes of this package (a group of NtlmErrorCode) and the small helpers that make them.
// Messages name the field and the reason, never a value: a password or a cookie is never echoed.
import { NtlmError, type NtlmErrorCode } from '@ntlmkit/core';

/** The codes `@ntlmkit/airlock` throws (see the package README for what each means and what to do). */
export type AirlockErrorCode = Extract<NtlmErrorCode, `ERR_NTLM_AIRLOCK_${string}`>;

export type Details = Record<string, string | number | boolean | undefined>;

/** Makes the error for a failed check: the same checks serve the builders (bad argument) and the parser. */
export type Fail = (message: string, details?: Details) => NtlmError;

function maker(code: AirlockErrorCode): Fail {
  return (message, details) => new NtlmError(code, message, details === undefined ? {} : { details });
}

/** A builder, option or helper was given something it cannot use. */
export const invalidArgument: Fail = maker('ERR_NTLM_AIRLOCK_INVALID_ARGUMENT');
/** The text given to parseControlCookie is not a control cookie with one meaning. */
export const badCookie: Fail = maker('ERR_NTLM_AIRLOCK_BAD_COOKIE');
/** The text given to percentDecode is not percent-encoded text in the chosen encoding. */
export const badEncoding: Fail = maker('ERR_NTLM_AIRLOCK_BAD_ENCODING');

export function headersSent(): NtlmError {
  return new NtlmError(
    'ERR_NTLM_AIRLOCK_HEADERS_SENT',
    'the response headers were already sent: add the control cookie before writing the response',
  );
}

/** A short, safe description of what a caller passed (its type, never its value). */
export function typeOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
