// Just enough DER to read an X.509 certificate's signatureAlgorithm and subject.
import { NtlmError } from './errors.js';

export interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the content. */
  end: number;
}

export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  const bad = (why: string) => new NtlmError('ERR_NTLM_BAD_CERTIFICATE', `certificate is not valid DER: ${why}`);
  if (offset + 2 > limit) throw bad('truncated');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw bad('multi-byte tags are not used in certificates');
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw bad('unsupported length form');
    if (start + count > limit) throw bad('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) throw bad('a value runs past its container');
  return { tag, start, end };
}

/** The TLVs directly inside a constructed value. */
export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const tlv = readTlv(bytes, offset, parent.end);
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

export function decodeOid(bytes: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== 0x06 || tlv.end <= tlv.start)
    throw new NtlmError('ERR_NTLM_BAD_CERTIFICATE', 'certificate is not valid DER: expected an OID');
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    value = value * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

export interface ParsedCertificate {
  der: Uint8Array;
  signatureAlgorithm: string;
  /** DER of the signatureAlgorithm's parameters, if any (RSASSA-PSS keeps its hash there). */
  signatureParameters?: { bytes: Uint8Array; tlv: Tlv };
  subject: string;
  /** The subject's attributes in order, e.g. [['CN', 'localhost']]. */
  subjectAttributes: [string, string][];
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
};

function decodeString(bytes: Uint8Array, tlv: Tlv): string {
  const content = bytes.subarray(tlv.start, tlv.end);
  if (tlv.tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < content.length; i += 2) s += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
    return s; // BMPString is UTF-16BE
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(content);
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array)) throw new NtlmError('ERR_NTLM_BAD_CERTIFICATE', 'a certificate must be DER bytes');
  const cert = readTlv(der, 0);
  if (cert.tag !== 0x30)
    throw new NtlmError('ERR_NTLM_BAD_CERTIFICATE', 'certificate is not valid DER: not a SEQUENCE');
  const [tbs, algorithm] = children(der, cert);
  if (!tbs || !algorithm || tbs.tag !== 0x30 || algorithm.tag !== 0x30) {
    throw new NtlmError(
      'ERR_NTLM_BAD_CERTIFICATE',
      'certificate is not valid DER: missing tbsCertificate or signatureAlgorithm',
    );
  }
  const [oid, params] = children(der, algorithm);
  if (!oid) throw new NtlmError('ERR_NTLM_BAD_CERTIFICATE', 'certificate is not valid DER: empty signatureAlgorithm');
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const subjectTlv = fields[offset + 4];
  const subjectAttributes: [string, string][] = [];
  if (subjectTlv?.tag === 0x30) {
    for (const rdn of children(der, subjectTlv)) {
      for (const atv of children(der, rdn)) {
        const [type, value] = children(der, atv);
        if (!type || !value) continue;
        const typeOid = decodeOid(der, type);
        subjectAttributes.push([ATTRIBUTE_NAMES[typeOid] ?? typeOid, decodeString(der, value)]);
      }
    }
  }
  const parsed: ParsedCertificate = {
    der,
    signatureAlgorithm: decodeOid(der, oid),
    subject: subjectAttributes.map(([k, v]) => `${k}=${v}`).join(', '),
    subjectAttributes,
  };
  if (params && params.tag !== 0x05) parsed.signatureParameters = { bytes: der, tlv: params };
  return parsed;
}
