// Run-time checks of what callers pass, so that plain JavaScript gets the NtlmError that TypeScript's
// types promise instead of a TypeError from deep inside. Messages name the option, never its value
// (a value can be a secret, or a Symbol that cannot be turned into text).
import { NtlmError } from './errors.js';

function invalid(message: string): NtlmError {
  return new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
}

/** An options object (or nothing, when `optional`). */
export function checkOptions<T extends object>(value: T | undefined, name: string, optional = false): T {
  if (value === undefined && optional) return {} as T;
  if (typeof value !== 'object' || value === null) throw invalid(`${name} must be an object`);
  return value;
}

export function checkBytes(value: unknown, name: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) throw invalid(`${name} must be ${length} bytes`);
  return value;
}

export function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalid(`${name} must be true or false`);
  return value;
}

export function checkFunction<T extends (...args: never[]) => unknown>(value: unknown, name: string): T {
  if (typeof value !== 'function') throw invalid(`${name} must be a function`);
  return value as T;
}

/** An integer in [min, max]; NaN, fractions, strings and BigInts are refused. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** NegotiateFlags as JavaScript's bit operators leave them (signed or not), as an unsigned 32-bit value. */
export function checkFlags(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw invalid(`${name} must be a 32-bit integer`);
  }
  return value >>> 0;
}

/** A value the caller's function returned, e.g. from a `random` or `now` hook. */
export function checkResult(value: unknown, name: string, length: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) throw invalid(`${name} must return ${length} bytes`);
  return value;
}

/** The largest payload field NTLM can describe: lengths are 16-bit (MS-NLMP 2.2.1). */
export const MAX_FIELD = 0xffff;

/** A string field the caller gave, checked against the 65,535 bytes its encoding may take. */
export function checkFieldLength(byteLength: number, name: string): void {
  if (byteLength > MAX_FIELD) {
    throw invalid(`${name} takes ${byteLength} bytes on the wire; an NTLM field holds at most ${MAX_FIELD}`);
  }
}
