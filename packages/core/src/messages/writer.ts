// Builds a message: a fixed header with (Len, MaxLen, Offset) fields and a payload after it.
import { SIGNATURE } from './reader.js';

export class MessageWriter {
  private readonly header: Uint8Array;
  private readonly view: DataView;
  private readonly payload: Uint8Array[] = [];
  private payloadLength = 0;

  constructor(headerLength: number, type: number) {
    this.header = new Uint8Array(headerLength);
    this.view = new DataView(this.header.buffer);
    this.header.set(SIGNATURE);
    this.view.setUint32(8, type, true);
  }

  u32(at: number, value: number): void {
    this.view.setUint32(at, value >>> 0, true);
  }

  bytes(at: number, value: Uint8Array): void {
    this.header.set(value, at);
  }

  /** Appends `value` to the payload and writes its field descriptor at `at`. */
  field(at: number, value: Uint8Array): void {
    if (value.length > 0xffff) throw new RangeError('an NTLM message field cannot exceed 65535 bytes');
    this.view.setUint16(at, value.length, true);
    this.view.setUint16(at + 2, value.length, true);
    this.view.setUint32(at + 4, this.header.length + this.payloadLength, true);
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
