// AV_PAIR lists (MS-NLMP 2.2.2.1): the CHALLENGE's TargetInfo and the NTLMv2 client blob.
import { checkBytes, checkOptions, MAX_FIELD } from '../arguments.js';
import { decodeUtf16le, readU16LE, readU32LE, toHex, writeU16LE, writeU32LE } from '../bytes.js';
import { NtlmError } from '../errors.js';

/** AV pair ids (MS-NLMP 2.2.2.1), the spec's MsvAv* names without the prefix. */
export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  DnsTreeName: 5,
  Flags: 6,
  Timestamp: 7,
  SingleHost: 8,
  TargetName: 9,
  ChannelBindings: 10,
} as const;

/** MsvAvFlags bits. */
export const AvFlags = {
  ACCOUNT_AUTHENTICATION_CONSTRAINED: 0x1,
  MIC_PRESENT: 0x2,
  /** "SPN from an untrusted source": a client must never set it. */
  UNTRUSTED_SPN_SOURCE: 0x4,
} as const;

/** One AV_PAIR: an id and its value bytes. */
export interface AvPair {
  /** The AvId (16 bits), e.g. `AvId.Timestamp`. */
  id: number;
  /** The value, at most 65,535 bytes. */
  value: Uint8Array;
}

const AV_NAMES = new Map<number, string>(Object.entries(AvId).map(([name, id]) => [id, `MsvAv${name}`]));

export function avIdName(id: number): string {
  if (typeof id !== 'number') return 'unknown';
  return AV_NAMES.get(id) ?? `unknown(0x${(id & 0xffff).toString(16).padStart(4, '0')})`;
}

/**
 * Parses an AV pair list up to MsvAvEOL. Pairs past the end of the data are an error;
 * a list that ends exactly at a pair boundary without EOL is accepted (some servers omit it).
 */
export function parseAvPairs(bytes: Uint8Array): AvPair[] {
  checkBytes(bytes, 'an AV pair list');
  const pairs: AvPair[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `AV pair header truncated at offset ${offset} of ${bytes.length}`);
    }
    const id = readU16LE(bytes, offset);
    const length = readU16LE(bytes, offset + 2);
    offset += 4;
    if (id === AvId.EOL) return pairs;
    if (offset + length > bytes.length) {
      throw new NtlmError(
        'ERR_NTLM_BAD_AV_PAIRS',
        `${avIdName(id)} (${length} bytes) runs past the end of the AV pair list`,
      );
    }
    const value = bytes.slice(offset, offset + length);
    if (id === AvId.Timestamp && length !== 8)
      throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `MsvAvTimestamp must be 8 bytes, got ${length}`);
    if (id === AvId.Flags && length !== 4)
      throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `MsvAvFlags must be 4 bytes, got ${length}`);
    pairs.push({ id, value });
    offset += length;
  }
  return pairs;
}

/** Checks a list of pairs from a caller: ids are 16-bit, values bytes of at most 65,535. */
export function checkAvPairs(pairs: unknown, name: string): AvPair[] {
  if (!Array.isArray(pairs)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${name} must be an array of AV pairs`);
  for (const p of pairs as unknown[]) {
    if (typeof p !== 'object' || p === null) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `each pair of ${name} must be an object`);
    }
    const pair = p as AvPair;
    if (typeof pair.id !== 'number' || !Number.isInteger(pair.id) || pair.id < 0 || pair.id > 0xffff) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `each pair of ${name} needs an \`id\` from 0 to 65535`);
    }
    if (!(pair.value instanceof Uint8Array)) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `the value of ${avIdName(pair.id)} must be a Uint8Array`);
    }
    if (pair.value.length > MAX_FIELD) {
      const message = `${avIdName(pair.id)} is ${pair.value.length} bytes; an AV pair holds at most ${MAX_FIELD}`;
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
    }
  }
  return pairs as AvPair[];
}

/** The encoded size of `pairs` with MsvAvEOL. */
export function avPairsLength(pairs: readonly AvPair[]): number {
  let length = 4;
  for (const p of pairs) length += 4 + p.value.length;
  return length;
}

/** Writes `pairs` and MsvAvEOL into `out` at `offset` (the space is the caller's); returns the end. */
export function writeAvPairs(out: Uint8Array, offset: number, pairs: readonly AvPair[]): number {
  for (const p of pairs) {
    writeU16LE(out, offset, p.id);
    writeU16LE(out, offset + 2, p.value.length);
    out.set(p.value, offset + 4);
    offset += 4 + p.value.length;
  }
  out.fill(0, offset, offset + 4); // MsvAvEOL
  return offset + 4;
}

/** Serialises pairs and appends MsvAvEOL. */
export function encodeAvPairs(pairs: AvPair[]): Uint8Array {
  checkAvPairs(pairs, 'encodeAvPairs input');
  const out = new Uint8Array(avPairsLength(pairs));
  writeAvPairs(out, 0, pairs);
  return out;
}

/** The first pair with this id, if any. */
export function findAvPair(pairs: readonly AvPair[], id: number): AvPair | undefined {
  if (!Array.isArray(pairs)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'findAvPair needs an array of AV pairs');
  // Typed again: Array.isArray narrows a readonly AvPair[] to any[].
  for (const p of pairs as readonly AvPair[]) if (p?.id === id) return p;
  return undefined;
}

/** MsvAvFlags as a number; 0 when the pair is absent. */
export function avFlagsValue(pair: AvPair | undefined): number {
  if (pair === undefined) return 0;
  const value = checkBytes(checkOptions(pair, 'an MsvAvFlags pair').value, 'the MsvAvFlags value', 4);
  return readU32LE(value, 0);
}

export function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32LE(out, 0, value);
  return out;
}

/** A readable rendering of a pair's value, for debugging and the decoder. */
export function describeAvValue(pair: AvPair): string {
  checkBytes(checkOptions(pair, 'an AV pair').value, 'the value of an AV pair');
  switch (pair.id) {
    case AvId.NbComputerName:
    case AvId.NbDomainName:
    case AvId.DnsComputerName:
    case AvId.DnsDomainName:
    case AvId.DnsTreeName:
    case AvId.TargetName:
      return decodeUtf16le(pair.value);
    case AvId.Flags:
      if (pair.value.length !== 4) return toHex(pair.value);
      return `0x${avFlagsValue(pair).toString(16).padStart(8, '0')}`;
    case AvId.Timestamp: {
      if (pair.value.length !== 8) return toHex(pair.value);
      const date = filetimeToDate(pair.value);
      if (!Number.isNaN(date.getTime())) return date.toISOString();
      return toHex(pair.value);
    }
    default:
      return toHex(pair.value);
  }
}

// FILETIME: 100-ns intervals since 1601-01-01, little-endian.
const EPOCH_DIFF_MS = 11644473600000n;

/** Milliseconds since the Unix epoch → FILETIME; from 1601 to 30828 (what 64 bits of 100 ns hold). */
export function dateToFiletime(ms: number): Uint8Array {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < -11644473600000 || ms > 910692730085477) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'a time must be milliseconds since 1970 between the years 1601 and 30828',
    );
  }
  let v = (BigInt(Math.floor(ms)) + EPOCH_DIFF_MS) * 10000n;
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** FILETIME (8 bytes, 100-ns intervals since 1601) → whole milliseconds since the Unix epoch. */
export function filetimeToMs(bytes: Uint8Array): number {
  checkBytes(bytes, 'a FILETIME', 8);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return Number(v / 10000n - EPOCH_DIFF_MS);
}

export function filetimeToDate(bytes: Uint8Array): Date {
  const ms = filetimeToMs(bytes);
  return new Date(Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? ms : NaN);
}
