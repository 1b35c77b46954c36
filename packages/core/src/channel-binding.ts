// EPA channel bindings: RFC 5929 tls-server-end-point, packed as a gss_channel_bindings_struct
// (RFC 2744) and MD5-hashed into MsvAvChannelBindings (MS-NLMP 2.2.2.1).
import { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } from '@noble/hashes/sha2.js';
import { sha3_224, sha3_256, sha3_384, sha3_512 } from '@noble/hashes/sha3.js';
import { checkBytes, checkInteger, checkOptions } from './arguments.js';
import { concatBytes, fromBase64, oemEncode, writeU32LE } from './bytes.js';
import { md5 } from './crypto/hash.js';
import { children, decodeOid, parseCertificate, readTlv, type ParsedCertificate } from './der.js';
import { NtlmError } from './errors.js';

/** A DER certificate, PEM text, base64 DER, or an object with a DER `raw` (Node's PeerCertificate). */
export type CertificateInput = Uint8Array | string | { raw: Uint8Array };

/** The hashes a tls-server-end-point binding can use (RFC 5929 4.1), named as node:crypto's `createHash` names them. */
export type EndPointHash =
  | 'sha224'
  | 'sha256'
  | 'sha384'
  | 'sha512'
  | 'sha512-224'
  | 'sha512-256'
  | 'sha3-224'
  | 'sha3-256'
  | 'sha3-384'
  | 'sha3-512';

// Always @noble/hashes, also under `@ntlmkit/core/node` (its hash provider covers MD5 only): one
// implementation, the same bytes everywhere (the tests compare each with node:crypto's createHash).
const HASHES: Record<EndPointHash, (data: Uint8Array) => Uint8Array> = {
  sha224,
  sha256,
  sha384,
  sha512,
  'sha512-224': sha512_224,
  'sha512-256': sha512_256,
  'sha3-224': sha3_224,
  'sha3-256': sha3_256,
  'sha3-384': sha3_384,
  'sha3-512': sha3_512,
};

// Signature algorithms with a single hash (RFC 5929 4.1): MD5 and SHA-1 are replaced by SHA-256, any
// other hash is used as it is (SHA-224 included). OIDs: RFC 3279, RFC 4055, RFC 5758, NIST CSOR (sigAlgs).
const SIGNATURE_HASH: Record<string, EndPointHash> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224', // sha224WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.113549.1.1.15': 'sha512-224', // sha512-224WithRSAEncryption
  '1.2.840.113549.1.1.16': 'sha512-256', // sha512-256WithRSAEncryption
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224', // ecdsa-with-SHA224
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
  '2.16.840.1.101.3.4.3.3': 'sha384', // id-dsa-with-sha384
  '2.16.840.1.101.3.4.3.4': 'sha512', // id-dsa-with-sha512
  '2.16.840.1.101.3.4.3.5': 'sha3-224', // id-dsa-with-sha3-224
  '2.16.840.1.101.3.4.3.6': 'sha3-256', // id-dsa-with-sha3-256
  '2.16.840.1.101.3.4.3.7': 'sha3-384', // id-dsa-with-sha3-384
  '2.16.840.1.101.3.4.3.8': 'sha3-512', // id-dsa-with-sha3-512
  '2.16.840.1.101.3.4.3.9': 'sha3-224', // id-ecdsa-with-sha3-224
  '2.16.840.1.101.3.4.3.10': 'sha3-256', // id-ecdsa-with-sha3-256
  '2.16.840.1.101.3.4.3.11': 'sha3-384', // id-ecdsa-with-sha3-384
  '2.16.840.1.101.3.4.3.12': 'sha3-512', // id-ecdsa-with-sha3-512
  '2.16.840.1.101.3.4.3.13': 'sha3-224', // id-rsassa-pkcs1-v1_5-with-sha3-224
  '2.16.840.1.101.3.4.3.14': 'sha3-256', // id-rsassa-pkcs1-v1_5-with-sha3-256
  '2.16.840.1.101.3.4.3.15': 'sha3-384', // id-rsassa-pkcs1-v1_5-with-sha3-384
  '2.16.840.1.101.3.4.3.16': 'sha3-512', // id-rsassa-pkcs1-v1_5-with-sha3-512
};
// RSASSA-PSS names its hash in its parameters (RFC 4055 3.1): the same rule, on the digest's OID.
const DIGEST_HASH: Record<string, EndPointHash> = {
  '1.2.840.113549.2.5': 'sha256', // MD5
  '1.3.14.3.2.26': 'sha256', // SHA-1
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.5': 'sha512-224',
  '2.16.840.1.101.3.4.2.6': 'sha512-256',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const NO_SINGLE_HASH: Record<string, string> = { '1.3.101.112': 'Ed25519', '1.3.101.113': 'Ed448' };

/**
 * The DER bytes of a certificate: bytes and `raw` as given, PEM text's first certificate or base64 decoded;
 * other input is an NtlmError (ERR_NTLM_BAD_CERTIFICATE).
 */
export function certificateToDer(cert: CertificateInput): Uint8Array {
  if (cert instanceof Uint8Array) return cert;
  if (typeof cert === 'object' && cert !== null && cert.raw instanceof Uint8Array) return cert.raw;
  if (typeof cert === 'string') {
    const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(cert);
    try {
      return fromBase64(pem ? pem[1]! : cert);
    } catch {
      throw new NtlmError('ERR_NTLM_BAD_CERTIFICATE', 'certificate text is neither PEM nor base64 DER');
    }
  }
  throw new NtlmError(
    'ERR_NTLM_BAD_CERTIFICATE',
    'certificate must be DER bytes, PEM or base64 text, or an object with a DER `raw`',
  );
}

function pssHash(parsed: ParsedCertificate): EndPointHash {
  const params = parsed.signatureParameters;
  if (!params) return 'sha256'; // absent parameters: the default hash is SHA-1
  for (const field of children(params.bytes, params.tlv)) {
    if (field.tag !== 0xa0) continue; // [0] hashAlgorithm
    const algorithm = readTlv(params.bytes, field.start, field.end);
    const oid = readTlv(params.bytes, algorithm.start, algorithm.end);
    const hash = DIGEST_HASH[decodeOid(params.bytes, oid)];
    if (!hash)
      throw new NtlmError('ERR_NTLM_NO_CHANNEL_BINDING', 'RSASSA-PSS certificate uses a hash RFC 5929 cannot bind to');
    return hash;
  }
  return 'sha256';
}

/** The hash RFC 5929 picks for this certificate; an NtlmError (ERR_NTLM_NO_CHANNEL_BINDING) where it defines none. */
export function endPointHashAlgorithm(cert: CertificateInput): EndPointHash {
  const parsed = parseCertificate(certificateToDer(cert));
  const oid = parsed.signatureAlgorithm;
  if (oid === RSASSA_PSS) return pssHash(parsed);
  const hash = SIGNATURE_HASH[oid];
  if (hash) return hash;
  const name = NO_SINGLE_HASH[oid];
  if (name) {
    throw new NtlmError(
      'ERR_NTLM_NO_CHANNEL_BINDING',
      `${name} certificates have no tls-server-end-point channel binding (RFC 5929 4.1 defines none for algorithms without a single hash)`,
    );
  }
  throw new NtlmError(
    'ERR_NTLM_NO_CHANNEL_BINDING',
    `certificate signature algorithm ${oid} has no known tls-server-end-point hash`,
  );
}

/** The RFC 5929 certificate hash. */
export function tlsServerEndPointHash(cert: CertificateInput): Uint8Array {
  const der = certificateToDer(cert);
  return HASHES[endPointHashAlgorithm(der)](der);
}

/** Application data of the binding: "tls-server-end-point:" || hash. */
export function tlsServerEndPoint(cert: CertificateInput): Uint8Array {
  return concatBytes(oemEncode('tls-server-end-point:'), tlsServerEndPointHash(cert));
}

/** The fields of a gss_channel_bindings_struct (RFC 2744); each absent one is 0 or empty. */
export interface GssChannelBindings {
  /** initiator_addrtype (32 bits), default 0. */
  initiatorAddrType?: number;
  /** initiator_address, default empty. */
  initiatorAddress?: Uint8Array;
  /** acceptor_addrtype (32 bits), default 0. */
  acceptorAddrType?: number;
  /** acceptor_address, default empty. */
  acceptorAddress?: Uint8Array;
  /** application_data, e.g. `tlsServerEndPoint(cert)`; default empty. */
  applicationData?: Uint8Array;
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32LE(out, 0, value);
  return out;
}

function optionalBytes(value: Uint8Array | undefined, name: string): Uint8Array {
  return value === undefined ? new Uint8Array(0) : checkBytes(value, name);
}

/** gss_channel_bindings_struct as SSPI hashes it: each address and the data prefixed by its length. */
export function packChannelBindings(bindings: GssChannelBindings): Uint8Array {
  const b = checkOptions(bindings, 'channel bindings');
  const initiator = optionalBytes(b.initiatorAddress, 'initiatorAddress');
  const acceptor = optionalBytes(b.acceptorAddress, 'acceptorAddress');
  const data = optionalBytes(b.applicationData, 'applicationData');
  for (const name of ['initiatorAddrType', 'acceptorAddrType'] as const) {
    if (b[name] !== undefined) checkInteger(b[name], name, 0, 0xffffffff);
  }
  return concatBytes(
    u32(b.initiatorAddrType ?? 0),
    u32(initiator.length),
    initiator,
    u32(b.acceptorAddrType ?? 0),
    u32(acceptor.length),
    acceptor,
    u32(data.length),
    data,
  );
}

/** The 16-byte MsvAvChannelBindings value for these bindings: MD5 of `packChannelBindings(bindings)`. */
export function channelBindingHash(bindings: GssChannelBindings): Uint8Array {
  return md5(packChannelBindings(bindings));
}

/** The 16-byte MsvAvChannelBindings value for a TLS server certificate. Never all-zero. */
export function channelBindingFromCertificate(cert: CertificateInput): Uint8Array {
  return channelBindingHash({ applicationData: tlsServerEndPoint(cert) });
}
