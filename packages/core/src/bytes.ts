// Small byte helpers shared by the message codecs and crypto, written for any runtime (no Node globals).
import { checkBytes, checkString } from './arguments.js';
import { NtlmError } from './errors.js';

// The one little-endian read/write pair: every multi-byte integer in NTLM is little-endian.
// The readers assume the caller checked the bounds (ByteReader does).
export function readU16LE(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

export function readU32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

export function writeU16LE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
}

export function writeU32LE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  for (const part of parts) checkBytes(part, 'each part');
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time for equal lengths (MACs and proofs are compared with it). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  checkBytes(a, 'the first value');
  checkBytes(b, 'the second value');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function isAllZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/** Lower-case hexadecimal, two digits a byte. */
export function toHex(bytes: Uint8Array): string {
  checkBytes(bytes, 'toHex input');
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes from an even-length hexadecimal string (either case); else ERR_NTLM_INVALID_ARGUMENT. */
export function fromHex(hex: string): Uint8Array {
  checkString(hex, 'fromHex input');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'expected an even-length hexadecimal string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** UTF-16LE, as NTLM encodes every Unicode string. */
export function utf16le(text: string): Uint8Array {
  checkString(text, 'utf16le input');
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[i * 2] = unit & 0xff;
    out[i * 2 + 1] = unit >>> 8;
  }
  return out;
}

/** UTF-16LE bytes to a string (a trailing odd byte is ignored). */
export function decodeUtf16le(bytes: Uint8Array): string {
  checkBytes(bytes, 'decodeUtf16le input');
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i]! | (bytes[i + 1]! << 8));
  return out;
}

/**
 * OEM strings: NTLM leaves the code page to the platform. We default to Latin-1
 * (Windows-1252's printable subset for Western locales); characters outside it become '?'.
 */
export function oemEncode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[i] = unit < 0x100 ? unit : 0x3f;
  }
  return out;
}

export function oemDecode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  checkBytes(bytes, 'toBase64 input');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + '=';
  }
  return out;
}

/** Strict base64 (standard alphabet, optional padding, whitespace ignored). */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== 'string') throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'a token must be a base64 string');
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'token is not valid base64');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? B64_INDEX[code]! : -1;
    if (v < 0) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'token is not valid base64');
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >>> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}
