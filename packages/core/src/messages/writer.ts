// Builds a message: a fixed header with (Len, MaxLen, Offset) fields and a payload after it.
import { MAX_FIELD } from '../arguments.js';
import { writeU16LE, writeU32LE } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { SIGNATURE } from './layout.js';

export class MessageWriter {
  private readonly header: Uint8Array;
  private readonly payload: Uint8Array[] = [];
  private payloadLength = 0;

  constructor(headerLength: number, type: number) {
    this.header = new Uint8Array(headerLength);
    this.header.set(SIGNATURE);
    writeU32LE(this.header, SIGNATURE.length, type);
  }

  u32(at: number, value: number): void {
    writeU32LE(this.header, at, value >>> 0);
  }

  bytes(at: number, value: Uint8Array): void {
    this.header.set(value, at);
  }

  /** Appends `value` to the payload and writes its field descriptor at `at`. */
  field(at: number, value: Uint8Array, name: string): void {
    if (value.length > MAX_FIELD) {
      throw new NtlmError('ERR_NTLM_FIELD_OUT_OF_RANGE', `${name} would be ${value.length} bytes; an NTLM field holds at most ${MAX_FIELD}`);
    }
    writeU16LE(this.header, at, value.length);
    writeU16LE(this.header, at + 2, value.length);
    writeU32LE(this.header, at + 4, this.header.length + this.payloadLength);
    this.payload.push(value);
    this.payloadLength += value.length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.header.length + this.payloadLength);
    out.set(this.header);
    let offset = this.header.length;
    for (const part of this.payload) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}
