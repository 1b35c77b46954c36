// Percent-encoding as the gateway decodes it. Everything but RFC 3986's unreserved characters is
// escaped, so no separator of the control API ('&', '=', ',', '@', ':', '\') and no control character
// can survive an encoding level unescaped. Linear in the input, without spreads or recursion.
import { hasLoneSurrogate } from './checks.js';
import { badEncoding, invalidArgument, typeOf, type Fail } from './errors.js';

/** The bytes behind the percent-escapes: UTF-8 (the default) or ISO-8859-1. */
export type CredentialEncoding = 'utf-8' | 'iso-8859-1';

const ENCODINGS: readonly string[] = ['utf-8', 'iso-8859-1'];
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** The escaped (or plain, for unreserved characters) form of every byte. */
const ESCAPED: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const c = String.fromCharCode(byte);
  return UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});
const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the text (a password may start with one).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `undefined` is the default (UTF-8); anything else must be one of the two names exactly. */
export function checkEncoding(value: unknown, fail: Fail = invalidArgument): CredentialEncoding {
  if (value === undefined) return 'utf-8';
  if (typeof value === 'string' && ENCODINGS.includes(value)) return value as CredentialEncoding;
  const not = typeof value === 'string' ? '' : `, not ${typeOf(value)}`;
  throw fail(`the encoding must be 'utf-8' or 'iso-8859-1'${not}`, { field: 'encoding' });
}

function bytesOf(text: string, encoding: CredentialEncoding, field: string): Uint8Array {
  if (hasLoneSurrogate(text)) throw invalidArgument(`the ${field} contains a lone surrogate (broken UTF-16)`);
  if (encoding === 'utf-8') return utf8.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) {
      throw invalidArgument(`a character at position ${i} of the ${field} cannot be written in ISO-8859-1`, {
        field,
        position: i,
      });
    }
    out[i] = code;
  }
  return out;
}

/** Encodes a checked field; `field` names it in errors. */
export function encodeField(text: string, encoding: CredentialEncoding, field: string): string {
  const bytes = bytesOf(text, encoding, field);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += ESCAPED[bytes[i]!]!;
  return out;
}

/** Encodes the bytes of `text` (UTF-8 or ISO-8859-1); only unreserved characters stay as they are. */
export function percentEncode(text: string, encoding: CredentialEncoding = 'utf-8'): string {
  if (typeof text !== 'string') throw invalidArgument(`percentEncode needs a string, not ${typeOf(text)}`);
  return encodeField(text, checkEncoding(encoding), 'text');
}

/** The value of a hexadecimal digit's character code, or -1. */
export function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Which characters may stand for themselves, and which bytes an escape may stand for. */
export interface EscapeRules {
  raw(code: number): boolean;
  byte(value: number): boolean;
}

const PRINTABLE: EscapeRules = { raw: (c) => c >= 0x20 && c <= 0x7e, byte: () => true };

/** The bytes behind `text`: an allowed character as itself, `%XX` as byte XX. One pass, no recursion. */
export function unescapeBytes(text: string, fail: Fail, rules: EscapeRules = PRINTABLE): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      const high = i + 2 < text.length ? hexValue(text.charCodeAt(i + 1)) : -1;
      const low = high >= 0 ? hexValue(text.charCodeAt(i + 2)) : -1;
      if (low < 0) throw fail(`invalid percent-escape at position ${i}`, { position: i });
      const byte = (high << 4) | low;
      if (!rules.byte(byte)) {
        throw fail(`the escape at position ${i} stands for a byte not allowed here`, { position: i });
      }
      out[n++] = byte;
      i += 2;
    } else if (rules.raw(code)) {
      out[n++] = code;
    } else {
      throw fail(`a character at position ${i} should have been percent-encoded`, { position: i });
    }
  }
  return out.subarray(0, n);
}

/** The text the bytes spell in `encoding`; ISO-8859-1 maps each byte to the character of that code. */
export function textOf(bytes: Uint8Array, encoding: CredentialEncoding, fail: Fail): string {
  if (encoding === 'utf-8') {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw fail('the decoded bytes are not UTF-8 (were they written as ISO-8859-1?)');
    }
  }
  let out = '';
  // In slices: one call per byte is slow, one call for all bytes overflows the stack on long input.
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return out;
}

/**
 * Decodes RFC 3986 percent-encoding (a `+` stays a `+`) into UTF-8 or ISO-8859-1 text. Malformed input
 * (a bad escape, an unencoded control or non-ASCII character, bytes that are not UTF-8) is an NtlmError
 * `ERR_NTLM_AIRLOCK_BAD_ENCODING`.
 */
export function percentDecode(text: string, encoding: CredentialEncoding = 'utf-8'): string {
  if (typeof text !== 'string') throw invalidArgument(`percentDecode needs a string, not ${typeOf(text)}`);
  const chosen = checkEncoding(encoding);
  return textOf(unescapeBytes(text, badEncoding), chosen, badEncoding);
}
