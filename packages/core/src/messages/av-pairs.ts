// AV_PAIR lists (MS-NLMP 2.2.2.1): the CHALLENGE's TargetInfo and the NTLMv2 client blob.
import { decodeUtf16le, toHex } from '../bytes.js';
import { NtlmError } from '../errors.js';

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

export interface AvPair {
  id: number;
  value: Uint8Array;
}

export function avIdName(id: number): string {
  const entry = Object.entries(AvId).find(([, v]) => v === id);
  return entry ? `MsvAv${entry[0]}` : `unknown(0x${id.toString(16).padStart(4, '0')})`;
}

/**
 * Parses an AV pair list up to MsvAvEOL. Pairs past the end of the data are an error;
 * a list that ends exactly at a pair boundary without EOL is accepted (some servers omit it).
 */
export function parseAvPairs(bytes: Uint8Array): AvPair[] {
  const pairs: AvPair[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `AV pair header truncated at offset ${offset} of ${bytes.length}`);
    }
    const id = bytes[offset]! | (bytes[offset + 1]! << 8);
    const length = bytes[offset + 2]! | (bytes[offset + 3]! << 8);
    offset += 4;
    if (id === AvId.EOL) return pairs;
    if (offset + length > bytes.length) {
      throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `${avIdName(id)} (${length} bytes) runs past the end of the AV pair list`);
    }
    const value = bytes.slice(offset, offset + length);
    if (id === AvId.Timestamp && length !== 8) throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `MsvAvTimestamp must be 8 bytes, got ${length}`);
    if (id === AvId.Flags && length !== 4) throw new NtlmError('ERR_NTLM_BAD_AV_PAIRS', `MsvAvFlags must be 4 bytes, got ${length}`);
    pairs.push({ id, value });
    offset += length;
  }
  return pairs;
}

/** Serialises pairs and appends MsvAvEOL. */
export function encodeAvPairs(pairs: AvPair[]): Uint8Array {
  let length = 4;
  for (const p of pairs) length += 4 + p.value.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of pairs) {
    if (p.value.length > 0xffff) throw new RangeError('AV pair value too long');
    out[offset] = p.id & 0xff;
    out[offset + 1] = p.id >>> 8;
    out[offset + 2] = p.value.length & 0xff;
    out[offset + 3] = p.value.length >>> 8;
    out.set(p.value, offset + 4);
    offset += 4 + p.value.length;
  }
  return out; // the trailing four zero bytes are MsvAvEOL
}

export function findAvPair(pairs: AvPair[], id: number): AvPair | undefined {
  return pairs.find((p) => p.id === id);
}

export function avFlagsValue(pair: AvPair | undefined): number {
  if (!pair) return 0;
  const v = pair.value;
  return (v[0]! | (v[1]! << 8) | (v[2]! << 16) | (v[3]! << 24)) >>> 0;
}

export function u32le(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]);
}

/** A readable rendering of a pair's value, for debugging and the decoder. */
export function describeAvValue(pair: AvPair): string {
  switch (pair.id) {
    case AvId.NbComputerName:
    case AvId.NbDomainName:
    case AvId.DnsComputerName:
    case AvId.DnsDomainName:
    case AvId.DnsTreeName:
    case AvId.TargetName:
      return decodeUtf16le(pair.value);
    case AvId.Flags:
      return `0x${avFlagsValue(pair).toString(16).padStart(8, '0')}`;
    case AvId.Timestamp: {
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

export function dateToFiletime(ms: number): Uint8Array {
  let v = (BigInt(Math.floor(ms)) + EPOCH_DIFF_MS) * 10000n;
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function filetimeToMs(bytes: Uint8Array): number {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return Number(v / 10000n - EPOCH_DIFF_MS);
}

export function filetimeToDate(bytes: Uint8Array): Date {
  const ms = filetimeToMs(bytes);
  return new Date(Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? ms : NaN);
}
