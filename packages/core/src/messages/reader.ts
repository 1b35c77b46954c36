// A bounds-checked little-endian reader. Every read past the end is an NtlmError, never a RangeError.
import { NtlmError } from '../errors.js';

export class ByteReader {
  constructor(readonly bytes: Uint8Array, private readonly what: string) {}

  get length(): number {
    return this.bytes.length;
  }

  private need(offset: number, size: number): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw new NtlmError('ERR_NTLM_TRUNCATED', `${this.what} is truncated: ${size} byte(s) needed at offset ${offset}, message has ${this.bytes.length}`);
    }
  }

  u16(offset: number): number {
    this.need(offset, 2);
    return this.bytes[offset]! | (this.bytes[offset + 1]! << 8);
  }

  u32(offset: number): number {
    this.need(offset, 4);
    return (this.bytes[offset]! | (this.bytes[offset + 1]! << 8) | (this.bytes[offset + 2]! << 16) | (this.bytes[offset + 3]! << 24)) >>> 0;
  }

  slice(offset: number, size: number): Uint8Array {
    this.need(offset, size);
    return this.bytes.slice(offset, offset + size);
  }

  /**
   * A payload field (Len, MaxLen, BufferOffset) at `at`. An empty field is empty whatever its
   * offset says (servers leave junk there); a non-empty one must lie inside the message.
   */
  field(at: number, name: string): { bytes: Uint8Array; offset: number } {
    const length = this.u16(at);
    const offset = this.u32(at + 4);
    if (length === 0) return { bytes: new Uint8Array(0), offset };
    if (offset + length > this.bytes.length) {
      throw new NtlmError(
        'ERR_NTLM_FIELD_OUT_OF_RANGE',
        `${this.what}: ${name} (${length} bytes at offset ${offset}) lies outside the ${this.bytes.length}-byte message`,
      );
    }
    return { bytes: this.bytes.slice(offset, offset + length), offset };
  }
}

export const SIGNATURE = new Uint8Array([0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]); // "NTLMSSP\0"

/** Checks the signature and message type; returns a reader for the rest. */
export function openMessage(bytes: Uint8Array, type: 1 | 2 | 3, what: string): ByteReader {
  if (!(bytes instanceof Uint8Array)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${what} must be a Uint8Array`);
  const reader = new ByteReader(bytes, what);
  if (bytes.length < 12) throw new NtlmError('ERR_NTLM_TRUNCATED', `${what} is truncated: ${bytes.length} bytes`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== SIGNATURE[i]) throw new NtlmError('ERR_NTLM_BAD_SIGNATURE', `${what} does not start with "NTLMSSP\\0"`);
  }
  const actual = reader.u32(8);
  if (actual !== type) throw new NtlmError('ERR_NTLM_BAD_MESSAGE_TYPE', `expected ${what} (type ${type}), got message type ${actual}`);
  return reader;
}

/** Reads the message type of any NTLM token (1, 2 or 3) after checking its signature. */
export function messageType(bytes: Uint8Array): number {
  const reader = new ByteReader(bytes, 'NTLM message');
  if (bytes.length < 12) throw new NtlmError('ERR_NTLM_TRUNCATED', `NTLM message is truncated: ${bytes.length} bytes`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== SIGNATURE[i]) throw new NtlmError('ERR_NTLM_BAD_SIGNATURE', 'token does not start with "NTLMSSP\\0"');
  }
  return reader.u32(8);
}
