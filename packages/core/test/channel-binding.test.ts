import { createHash } from 'node:crypto';
import {
  channelBindingFromCertificate,
  channelBindingHash,
  endPointHashAlgorithm,
  packChannelBindings,
  tlsServerEndPointHash,
  toHex,
  NtlmError,
} from '../src/internal';
import { hex, vectors } from './vectors';

const rule = vectors.tls_server_end_point_hash_rule_vectors;
const packing = vectors.gss_channel_bindings_packing;

describe('RFC 5929 tls-server-end-point', () => {
  test.each(rule.certificates.map((c) => [c.test, c] as const))('%s', (_name, c) => {
    const der = Buffer.from(c.cert_der_b64, 'base64');
    expect(toHex(tlsServerEndPointHash(der))).toBe(c.expected_cert_hash);
    expect(toHex(channelBindingFromCertificate(der))).toBe(c.derived_msv_av_channel_bindings);
  });

  test('accepts PEM text, base64 DER and a { raw } peer certificate', () => {
    const c = rule.certificates[0]!;
    const pem = `-----BEGIN CERTIFICATE-----\n${c.cert_der_b64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    expect(toHex(channelBindingFromCertificate(pem))).toBe(c.derived_msv_av_channel_bindings);
    expect(toHex(channelBindingFromCertificate(c.cert_der_b64))).toBe(c.derived_msv_av_channel_bindings);
    expect(toHex(channelBindingFromCertificate({ raw: Buffer.from(c.cert_der_b64, 'base64') }))).toBe(
      c.derived_msv_av_channel_bindings,
    );
  });

  test('MD5 and SHA-1 signatures are hashed with SHA-256', () => {
    expect(endPointHashAlgorithm(Buffer.from(rule.certificates[0]!.cert_der_b64, 'base64'))).toBe('sha256');
    expect(endPointHashAlgorithm(Buffer.from(rule.certificates[1]!.cert_der_b64, 'base64'))).toBe('sha256');
  });

  test('an unknown signature algorithm gives no binding, said clearly', () => {
    // The ECDSA SHA-256 certificate with its signature OID changed to 1.2.840.10045.4.3.5.
    const der = new Uint8Array(Buffer.from(rule.certificates[6]!.cert_der_b64, 'base64'));
    const oid = hex('06082a8648ce3d040302');
    let replaced = 0;
    for (let i = 0; i + oid.length <= der.length; i++) {
      if (oid.every((b, k) => der[i + k] === b)) {
        der[i + oid.length - 1] = 0x05;
        replaced++;
      }
    }
    expect(replaced).toBeGreaterThan(0);
    expect(() => channelBindingFromCertificate(der)).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_NO_CHANNEL_BINDING' }),
    );
  });

  test('garbage is ERR_NTLM_BAD_CERTIFICATE', () => {
    expect(() => channelBindingFromCertificate(new Uint8Array([0x30, 0x82, 0xff]))).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_BAD_CERTIFICATE' }),
    );
    expect(() => channelBindingFromCertificate('not a certificate!')).toThrow(NtlmError);
    expect(() => channelBindingFromCertificate(42 as never)).toThrow(NtlmError);
  });
});

// A minimal DER certificate with only what the parser reads: SEQUENCE { tbsCertificate (a SEQUENCE),
// signatureAlgorithm { OID, parameters? }, signatureValue }. Hashes are compared with node:crypto's.
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = Buffer.concat(parts);
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return new Uint8Array(Buffer.concat([Uint8Array.from([tag, ...length]), content]));
}
function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [a * 40 + b];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}
const NULL = Uint8Array.from([0x05, 0x00]);
function certificate(signatureOid: string, parameters?: Uint8Array): Uint8Array {
  const algorithm = tlv(0x30, oid(signatureOid), ...(parameters ? [parameters] : []));
  const tbs = tlv(0x30, tlv(0xa0, tlv(0x02, Uint8Array.of(2))), tlv(0x02, Uint8Array.of(1)), algorithm);
  return tlv(0x30, tbs, algorithm, tlv(0x03, Uint8Array.of(0, 1, 2, 3)));
}
/** RSASSA-PSS-params with only [0] hashAlgorithm. */
function pss(digestOid: string): Uint8Array {
  return certificate('1.2.840.113549.1.1.10', tlv(0x30, tlv(0xa0, tlv(0x30, oid(digestOid), NULL))));
}
const nodeHash = (name: string, der: Uint8Array) => createHash(name).update(der).digest('hex');

describe('RFC 5929 4.1 for every single-hash signature algorithm (hand-built certificates)', () => {
  test('the DER helper writes OIDs as a certificate does (sha256WithRSAEncryption)', () => {
    expect(toHex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
  });

  test.each([
    ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption', 'sha256'],
    ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption', 'sha256'],
    ['1.2.840.113549.1.1.14', 'sha224WithRSAEncryption', 'sha224'],
    ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption', 'sha256'],
    ['1.2.840.113549.1.1.15', 'sha512-224WithRSAEncryption', 'sha512-224'],
    ['1.2.840.113549.1.1.16', 'sha512-256WithRSAEncryption', 'sha512-256'],
    ['1.2.840.10045.4.1', 'ecdsa-with-SHA1', 'sha256'],
    ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224', 'sha224'],
    ['1.2.840.10040.4.3', 'dsa-with-sha1', 'sha256'],
    ['2.16.840.1.101.3.4.3.1', 'dsa-with-sha224', 'sha224'],
    ['2.16.840.1.101.3.4.3.2', 'dsa-with-sha256', 'sha256'],
    ['2.16.840.1.101.3.4.3.3', 'id-dsa-with-sha384', 'sha384'],
    ['2.16.840.1.101.3.4.3.4', 'id-dsa-with-sha512', 'sha512'],
    ['2.16.840.1.101.3.4.3.5', 'id-dsa-with-sha3-224', 'sha3-224'],
    ['2.16.840.1.101.3.4.3.6', 'id-dsa-with-sha3-256', 'sha3-256'],
    ['2.16.840.1.101.3.4.3.7', 'id-dsa-with-sha3-384', 'sha3-384'],
    ['2.16.840.1.101.3.4.3.8', 'id-dsa-with-sha3-512', 'sha3-512'],
    ['2.16.840.1.101.3.4.3.9', 'id-ecdsa-with-sha3-224', 'sha3-224'],
    ['2.16.840.1.101.3.4.3.10', 'id-ecdsa-with-sha3-256', 'sha3-256'],
    ['2.16.840.1.101.3.4.3.11', 'id-ecdsa-with-sha3-384', 'sha3-384'],
    ['2.16.840.1.101.3.4.3.12', 'id-ecdsa-with-sha3-512', 'sha3-512'],
    ['2.16.840.1.101.3.4.3.13', 'id-rsassa-pkcs1-v1_5-with-sha3-224', 'sha3-224'],
    ['2.16.840.1.101.3.4.3.14', 'id-rsassa-pkcs1-v1_5-with-sha3-256', 'sha3-256'],
    ['2.16.840.1.101.3.4.3.15', 'id-rsassa-pkcs1-v1_5-with-sha3-384', 'sha3-384'],
    ['2.16.840.1.101.3.4.3.16', 'id-rsassa-pkcs1-v1_5-with-sha3-512', 'sha3-512'],
  ] as const)('%s (%s): %s', (signature, _name, hash) => {
    const der = certificate(signature, signature.startsWith('1.2.840.113549') ? NULL : undefined);
    expect(endPointHashAlgorithm(der)).toBe(hash);
    expect(toHex(tlsServerEndPointHash(der))).toBe(nodeHash(hash, der));
  });

  test.each([
    ['1.2.840.113549.2.5', 'MD5', 'sha256'],
    ['1.3.14.3.2.26', 'SHA-1', 'sha256'],
    ['2.16.840.1.101.3.4.2.4', 'SHA-224', 'sha224'],
    ['2.16.840.1.101.3.4.2.1', 'SHA-256', 'sha256'],
    ['2.16.840.1.101.3.4.2.3', 'SHA-512', 'sha512'],
    ['2.16.840.1.101.3.4.2.5', 'SHA-512/224', 'sha512-224'],
    ['2.16.840.1.101.3.4.2.6', 'SHA-512/256', 'sha512-256'],
    ['2.16.840.1.101.3.4.2.7', 'SHA3-224', 'sha3-224'],
    ['2.16.840.1.101.3.4.2.8', 'SHA3-256', 'sha3-256'],
    ['2.16.840.1.101.3.4.2.9', 'SHA3-384', 'sha3-384'],
    ['2.16.840.1.101.3.4.2.10', 'SHA3-512', 'sha3-512'],
  ] as const)('RSASSA-PSS with %s (%s): %s', (digest, _name, hash) => {
    const der = pss(digest);
    expect(endPointHashAlgorithm(der)).toBe(hash);
    expect(toHex(tlsServerEndPointHash(der))).toBe(nodeHash(hash, der));
    expect(channelBindingFromCertificate(der)).toHaveLength(16);
  });

  test('RSASSA-PSS without parameters or without [0] hashAlgorithm: SHA-1 by default, so SHA-256', () => {
    const bare = certificate('1.2.840.113549.1.1.10');
    expect(endPointHashAlgorithm(bare)).toBe('sha256');
    const noHash = certificate('1.2.840.113549.1.1.10', tlv(0x30, tlv(0xa2, tlv(0x02, Uint8Array.of(32)))));
    expect(endPointHashAlgorithm(noHash)).toBe('sha256');
  });

  test('still no binding for Ed25519 or an unknown digest in RSASSA-PSS (MD2)', () => {
    expect(() => endPointHashAlgorithm(certificate('1.3.101.112'))).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_NO_CHANNEL_BINDING' }),
    );
    expect(() => endPointHashAlgorithm(pss('1.2.840.113549.2.2'))).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_NO_CHANNEL_BINDING' }),
    );
  });
});

describe('gss_channel_bindings_struct', () => {
  test('empty struct', () => {
    expect(toHex(packChannelBindings({}))).toBe(packing.empty_struct);
  });
  test('pyspnego full struct', () => {
    const p = packing.pyspnego_full_struct;
    expect(
      toHex(
        packChannelBindings({
          initiatorAddrType: p.initiator_addrtype,
          initiatorAddress: hex(p.initiator_address),
          acceptorAddrType: p.acceptor_addrtype,
          acceptorAddress: hex(p.acceptor_address),
          applicationData: hex(p.application_data),
        }),
      ),
    ).toBe(p.packed);
  });
  test('ntlm-auth application data only', () => {
    const p = packing.ntlm_auth_app_data_only;
    expect(toHex(packChannelBindings({ applicationData: hex(p.application_data) }))).toBe(p.packed);
    expect(channelBindingHash({ applicationData: hex(p.application_data) })).toHaveLength(16);
  });
});
