// Builds a message: a fixed header with (Len, MaxLen, Offset) fields and a payload after it, written
// into one buffer of the final size.
import { MAX_FIELD } from '../arguments.js';
import { writeU16LE, writeU32LE } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { SIGNATURE } from './layout.js';

export class MessageWriter {
  private readonly numbers: number[] = [];
  private readonly blocks: [number, Uint8Array][] = [];
  private readonly fields: [number, Uint8Array][] = [];
  private payloadLength = 0;

  constructor(
    private readonly headerLength: number,
    private readonly type: number,
  ) {}

  u32(at: number, value: number): void {
    this.numbers.push(at, value >>> 0);
  }

  bytes(at: number, value: Uint8Array): void {
    this.blocks.push([at, value]);
  }

  /** Appends `value` to the payload and writes its field descriptor at `at`. */
  field(at: number, value: Uint8Array, name: string): void {
    if (value.length > MAX_FIELD) {
      const message = `${name} would be ${value.length} bytes; an NTLM field holds at most ${MAX_FIELD}`;
      throw new NtlmError('ERR_NTLM_FIELD_OUT_OF_RANGE', message);
    }
    this.fields.push([at, value]);
    this.payloadLength += value.length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.headerLength + this.payloadLength);
    out.set(SIGNATURE);
    writeU32LE(out, SIGNATURE.length, this.type);
    for (let i = 0; i < this.numbers.length; i += 2) writeU32LE(out, this.numbers[i]!, this.numbers[i + 1]!);
    for (const [at, value] of this.blocks) out.set(value, at);
    let offset = this.headerLength;
    for (const [at, value] of this.fields) {
      writeU16LE(out, at, value.length);
      writeU16LE(out, at + 2, value.length);
      writeU32LE(out, at + 4, offset);
      out.set(value, offset);
      offset += value.length;
    }
    return out;
  }
}
