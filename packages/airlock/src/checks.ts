// Run-time checks shared by the builders and the parser: JavaScript callers get no help from the types,
// so every value is checked for its type, its length and its characters before it is used.
import { typeOf, type Fail } from './errors.js';

/** The longest control cookie controlCookie builds (name, value and attributes). */
export const MAX_CONTROL_COOKIE_LENGTH = 8000;
/** The longest text parseControlCookie reads (an optional `Set-Cookie:` prefix included). */
export const MAX_PARSE_LENGTH = 8192;

// C0 controls, DEL and C1 controls: never in a user name, a domain or an audit token.
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Mapping and role names are matched literally by the gateway: a safe alphabet, nothing to encode.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

export type Bag = Record<string, unknown>;

/** An own property only: a polluted Object.prototype cannot add a mapping or a `clear`. */
export function own(bag: Bag, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(bag, key) ? bag[key] : undefined;
}

/**
 * A snapshot of a non-null, non-array object whose own keys (with a defined value) are all in `allowed`.
 * Each property is read once, so a getter cannot change a value after it was checked.
 */
export function record(value: unknown, what: string, allowed: readonly string[], fail: Fail): Bag {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`${what} must be an object, not ${typeOf(value)}`);
  }
  const snapshot = Object.create(null) as Bag;
  for (const key of Object.keys(value)) {
    const item = (value as Bag)[key];
    if (item === undefined) continue;
    if (!allowed.includes(key)) {
      throw fail(`${what} has an unknown property ${JSON.stringify(key.slice(0, 40))}; allowed: ${allowed.join(', ')}`);
    }
    snapshot[key] = item;
  }
  return snapshot;
}

export function list(value: unknown, what: string, fail: Fail): readonly unknown[] {
  if (!Array.isArray(value)) throw fail(`${what} must be an array, not ${typeOf(value)}`);
  if (value.length === 0) throw fail(`${what} is empty`);
  if (value.length > MAX_CONTROL_COOKIE_LENGTH) throw fail(`${what} has too many entries for one cookie`);
  return Array.from(value); // dense: a hole becomes undefined, which the entry's check refuses
}

export interface TextRules {
  /** Allow the empty string (passwords). */
  empty?: boolean;
  /** Allow control characters (passwords: they are percent-encoded). */
  control?: boolean;
  /** Characters the field must not contain, each with the reason. */
  forbid?: readonly (readonly [string, string])[];
}

/** A string field: type, length, well-formed UTF-16, and the field's own rules. */
export function text(value: unknown, field: string, fail: Fail, rules: TextRules = {}): string {
  if (typeof value !== 'string') throw fail(`the ${field} must be a string, not ${typeOf(value)}`, { field });
  if (value.length > MAX_CONTROL_COOKIE_LENGTH) {
    throw fail(`the ${field} is longer than a control cookie can be`, { field, limit: MAX_CONTROL_COOKIE_LENGTH });
  }
  if (value === '' && !rules.empty) throw fail(`the ${field} is empty`, { field });
  if (hasLoneSurrogate(value)) throw fail(`the ${field} contains a lone surrogate (broken UTF-16)`, { field });
  if (!rules.control && CONTROL.test(value)) throw fail(`the ${field} contains a control character`, { field });
  for (const [char, reason] of rules.forbid ?? []) {
    if (value.includes(char)) throw fail(`the ${field} contains '${char}', ${reason}`, { field });
  }
  return value;
}

export function name(kind: 'mapping' | 'credential', value: unknown, fail: Fail): string {
  const field = `${kind} name`;
  text(value, field, fail);
  if (!NAME.test(value as string)) {
    throw fail(`the ${field} is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit`, {
      field,
    });
  }
  return value as string;
}

export function optionalBoolean(value: unknown, field: string, fail: Fail): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw fail(`${field} must be true or false, not ${typeOf(value)}`, { field });
}
