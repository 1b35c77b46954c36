// A bounds-checked little-endian reader. Every read past the end is an NtlmError, never a RangeError.
import { readU16LE, readU32LE } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { MESSAGE_HEADER, SIGNATURE } from './layout.js';

/** A payload field: its bytes and where they were. */
export interface Field {
  bytes: Uint8Array;
  offset: number;
}

export class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    if (!(bytes instanceof Uint8Array))
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'a ByteReader reads a Uint8Array');
    if (typeof what !== 'string') this.what = 'message';
  }

  get length(): number {
    return this.bytes.length;
  }

  private need(offset: number, size: number): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw new NtlmError(
        'ERR_NTLM_TRUNCATED',
        `${this.what} is truncated: ${size} byte(s) needed at offset ${offset}, message has ${this.bytes.length}`,
      );
    }
  }

  u16(offset: number): number {
    this.need(offset, 2);
    return readU16LE(this.bytes, offset);
  }

  u32(offset: number): number {
    this.need(offset, 4);
    return readU32LE(this.bytes, offset);
  }

  slice(offset: number, size: number): Uint8Array {
    this.need(offset, size);
    return this.bytes.slice(offset, offset + size);
  }

  /**
   * A payload field (Len, MaxLen, BufferOffset) at `at`. An empty field is empty whatever its
   * offset says (servers leave junk there); a non-empty one must lie inside the message.
   */
  field(at: number, name: string): Field {
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

/**
 * Where the payload begins: the lowest offset of a non-empty field, or the end of the message.
 * The optional header parts (Version, MIC) exist only if they end before it.
 */
export function payloadStart(fields: readonly (Field | undefined)[], messageLength: number): number {
  let start = messageLength;
  for (const f of fields) if (f && f.bytes.length > 0 && f.offset < start) start = f.offset;
  return start;
}

/** Whether `bytes` start with the NTLM signature, "NTLMSSP\\0". */
export function hasNtlmSignature(bytes: Uint8Array): boolean {
  if (bytes.length < SIGNATURE.length) return false;
  for (let i = 0; i < SIGNATURE.length; i++) if (bytes[i] !== SIGNATURE[i]) return false;
  return true;
}

/** Checks the signature; returns the message type (any value, for the caller to judge). */
function readHeader(bytes: Uint8Array, what: string, reader: ByteReader): number {
  if (bytes.length < MESSAGE_HEADER)
    throw new NtlmError('ERR_NTLM_TRUNCATED', `${what} is truncated: ${bytes.length} bytes`);
  if (!hasNtlmSignature(bytes))
    throw new NtlmError('ERR_NTLM_BAD_SIGNATURE', `${what} does not start with "NTLMSSP\\0"`);
  return reader.u32(SIGNATURE.length);
}

/** Checks the signature and message type; returns a reader for the rest. */
export function openMessage(bytes: Uint8Array, type: 1 | 2 | 3, what: string): ByteReader {
  if (!(bytes instanceof Uint8Array)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${what} must be a Uint8Array`);
  const reader = new ByteReader(bytes, what);
  const actual = readHeader(bytes, what, reader);
  if (actual !== type)
    throw new NtlmError('ERR_NTLM_BAD_MESSAGE_TYPE', `expected ${what} (type ${type}), got message type ${actual}`);
  return reader;
}

/** Reads the message type of any NTLM token (1, 2 or 3) after checking its signature. */
export function messageType(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array))
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an NTLM message must be a Uint8Array');
  return readHeader(bytes, 'NTLM message', new ByteReader(bytes, 'NTLM message'));
}

export { SIGNATURE };
