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
