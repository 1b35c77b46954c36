import { describeToken, decodeToken, toBase64, NtlmError } from '../src/index';
import { hex, vectors } from './vectors';

describe('decodeToken', () => {
  test('decodes the three spec messages', () => {
    expect(decodeToken(hex(vectors.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex)).name).toBe('CHALLENGE');
    const auth = describeToken(toBase64(hex(vectors.ntlmv2_4_2_4.authenticate_message_4_2_4_3.hex)));
    expect(auth).toContain('AUTHENTICATE (type 3');
    expect(auth).toMatch(/dialect\s+NTLMv2/);
    expect(auth).toMatch(/user\s+User/);
    expect(describeToken(hex(vectors.ntlmv1_with_client_challenge_ess_4_2_3.authenticate_message_4_2_3_3.hex))).toContain('extended session security');
  });

  test('accepts a header value', () => {
    const header = 'WWW-Authenticate: NTLM ' + toBase64(hex(vectors.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex));
    expect(describeToken(header)).toMatch(/target name\s+Server/);
    expect(describeToken(header)).toContain('MsvAvNbDomainName');
  });

  test('garbage is an NtlmError', () => {
    expect(() => decodeToken('%%%')).toThrow(NtlmError);
    expect(() => decodeToken(toBase64(new TextEncoder().encode('NTLMSSP\0\x09\0\0\0')))).toThrow(expect.objectContaining({ code: 'ERR_NTLM_BAD_MESSAGE_TYPE' }));
  });
});
