import {
  buildAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  describeToken,
  describeTokenRedacted,
  decodeToken,
  parseAuthenticateMessage,
  toBase64,
  toHex,
  utf16le,
  NtlmError,
} from '../src/internal';
import { findNtlmTokens } from '../src/decode';
import { hex, vectors } from './vectors';

describe('decodeToken', () => {
  test('decodes the three spec messages', () => {
    expect(decodeToken(hex(vectors.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex)).name).toBe('CHALLENGE');
    const auth = describeToken(toBase64(hex(vectors.ntlmv2_4_2_4.authenticate_message_4_2_4_3.hex)));
    expect(auth).toContain('AUTHENTICATE (type 3');
    expect(auth).toMatch(/dialect\s+NTLMv2/);
    expect(auth).toMatch(/user\s+User/);
    expect(
      describeToken(hex(vectors.ntlmv1_with_client_challenge_ess_4_2_3.authenticate_message_4_2_3_3.hex)),
    ).toContain('extended session security');
  });

  test('accepts a header value', () => {
    const header = 'WWW-Authenticate: NTLM ' + toBase64(hex(vectors.ntlmv2_4_2_4.challenge_message_4_2_4_3.hex));
    expect(describeToken(header)).toMatch(/target name\s+Server/);
    expect(describeToken(header)).toContain('MsvAvNbDomainName');
  });

  test('garbage is an NtlmError', () => {
    expect(() => decodeToken('%%%')).toThrow(NtlmError);
    expect(() => decodeToken(toBase64(new TextEncoder().encode('NTLMSSP\0\x09\0\0\0')))).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_BAD_MESSAGE_TYPE' }),
    );
  });
});

// A handshake with every secret an AUTHENTICATE can carry: NTLMv2 with MIC, channel binding, SPN and key exchange.
function handshake() {
  const negotiate = createNegotiateMessage();
  const challenge = createChallengeMessage({
    flags: 0xe28a8215,
    serverChallenge: hex('0123456789abcdef'),
    targetName: 'EXAMPLE',
    targetInfo: [
      { id: 2, value: utf16le('EXAMPLE') },
      { id: 1, value: utf16le('SERVER') },
      { id: 7, value: hex('0090d336b734c301') },
    ],
    version: { major: 10, minor: 0, build: 20348, revision: 15 },
  });
  const result = buildAuthenticateMessage({
    negotiate,
    challenge,
    username: 'EXAMPLE\\alice',
    password: 'Passw0rd!',
    workstation: 'WS01',
    spn: 'HTTP/server.example.test',
    channelBindings: hex('65e9bd5b7b7c8ab4e3dd8e2f29f7c811'),
  });
  return { negotiate, challenge, result, authenticate: parseAuthenticateMessage(result.message) };
}

describe('describeTokenRedacted', () => {
  const { negotiate, challenge, result, authenticate } = handshake();
  const v2 = authenticate.ntlmv2!;
  const secrets = {
    ntProofStr: v2.ntProofStr,
    blob: v2.blob,
    clientChallenge: v2.clientChallenge,
    lmResponse: authenticate.lmChallengeResponse,
    ntResponse: authenticate.ntChallengeResponse,
    encryptedSessionKey: authenticate.encryptedRandomSessionKey,
    mic: result.mic!,
  };

  test('the handshake under test carries every secret (NTProofStr, MIC, key exchange)', () => {
    expect(result.mic).toHaveLength(16);
    expect(authenticate.encryptedRandomSessionKey).toHaveLength(16);
    expect(v2.ntProofStr).toHaveLength(16);
  });

  test('describeToken shows the responses; describeTokenRedacted shows none of them, in hex or base64', () => {
    const full = describeToken(result.message);
    const redacted = describeTokenRedacted(result.message);
    expect(full).toContain(toHex(v2.ntProofStr));
    expect(full).toContain(toHex(result.mic!));
    for (const [name, bytes] of Object.entries(secrets)) {
      if (bytes.every((b) => b === 0)) continue; // the zero LM response of NTLMv2 with a MIC hides nothing
      // any 8-byte window of a secret, in hex, would be a leak
      for (let i = 0; i + 8 <= bytes.length; i += 4) {
        expect({ name, leaked: redacted.includes(toHex(bytes.subarray(i, i + 8))) }).toEqual({ name, leaked: false });
      }
    }
    expect(redacted).not.toContain(toBase64(result.message).slice(0, 40));
  });

  test('the redacted form keeps what a diagnosis needs, with the lengths of what it hides', () => {
    const redacted = describeTokenRedacted(toBase64(result.message));
    expect(redacted).toMatch(/^AUTHENTICATE \(type 3, \d+ bytes\)/);
    expect(redacted).toMatch(/dialect\s+NTLMv2/);
    expect(redacted).toMatch(/domain\s+EXAMPLE/);
    expect(redacted).toMatch(/user\s+alice/);
    expect(redacted).toMatch(/workstation\s+WS01/);
    expect(redacted).toMatch(/LM response\s+24 bytes \(zero\)/);
    expect(redacted).toMatch(new RegExp(`NT response\\s+${authenticate.ntChallengeResponse.length} bytes, redacted`));
    expect(redacted).toMatch(/NTProofStr\s+16 bytes, redacted/);
    expect(redacted).toMatch(new RegExp(`NT response blob\\s+${v2.blob.length} bytes, redacted`));
    expect(redacted).toMatch(/encrypted session key\s+16 bytes, redacted/);
    expect(redacted).toMatch(/MIC\s+16 bytes, redacted/);
    expect(redacted).toMatch(/channel binding\s+present \(16 bytes\)/);
    expect(redacted).toMatch(/target name \(SPN\)\s+HTTP\/server\.example\.test/);
    expect(redacted).toContain('MsvAvChannelBindings');
  });

  test('a NEGOTIATE and a CHALLENGE are shown in full', () => {
    expect(describeTokenRedacted(negotiate)).toBe(describeToken(negotiate));
    expect(describeTokenRedacted(challenge)).toBe(describeToken(challenge));
    expect(describeTokenRedacted(challenge)).toContain('0123456789abcdef');
  });

  test('NTLMv1: both 24-byte responses are redacted', () => {
    const message = hex(vectors.ntlmv1_4_2_2.authenticate_message_4_2_2_3.hex);
    const m = parseAuthenticateMessage(message);
    const redacted = describeTokenRedacted(message);
    expect(redacted).toMatch(/dialect\s+NTLMv1/);
    expect(redacted).toMatch(/LM response\s+24 bytes, redacted/);
    expect(redacted).toMatch(/NT response\s+24 bytes, redacted/);
    expect(redacted).not.toContain(toHex(m.ntChallengeResponse).slice(0, 16));
    expect(redacted).not.toContain(toHex(m.lmChallengeResponse).slice(0, 16));
    expect(describeToken(message)).toContain(toHex(m.ntChallengeResponse));
  });

  test('an unparseable token is an NtlmError, as with describeToken', () => {
    expect(() => describeTokenRedacted('TlRMTVNTUAADAAAA')).toThrow(NtlmError);
  });
});

describe('findNtlmTokens', () => {
  const { negotiate, challenge, result } = handshake();
  const [t1, t2, t3] = [negotiate, challenge, result.message].map((m) => toBase64(m));

  test('curl -v output: every token in order, with its direction and header', () => {
    const transcript = [
      "* Server auth using NTLM with user 'EXAMPLE\\alice'",
      '> GET / HTTP/1.1',
      `> Authorization: NTLM ${t1}`,
      '< HTTP/1.1 401 Unauthorized',
      '< WWW-Authenticate: Negotiate',
      `< WWW-Authenticate: NTLM ${t2}`,
      `> Authorization: NTLM ${t3}`,
      '< HTTP/1.1 200 OK',
    ].join('\r\n');
    const found = findNtlmTokens(transcript);
    expect(found.map((f) => f.token)).toEqual([t1, t2, t3]);
    expect(found.map((f) => f.context)).toEqual([
      '> Authorization: NTLM',
      '< WWW-Authenticate: NTLM',
      '> Authorization: NTLM',
    ]);
    expect(found.map((f) => f.line)).toEqual([3, 6, 7]);
    expect(found.every((f) => f.ntlm)).toBe(true);
  });

  test('header lines of both directions, proxy headers, bare tokens and several tokens on one line', () => {
    const text = `Proxy-Authorization: NTLM ${t1}\nProxy-Authenticate: Negotiate ${t2}\n${t3} ${t1}\n"value": "NTLM ${t2}"`;
    const found = findNtlmTokens(text);
    expect(found.map((f) => f.token)).toEqual([t1, t2, t3, t1, t2]);
    expect(found.map((f) => f.context)).toEqual([
      'Proxy-Authorization: NTLM',
      'Proxy-Authenticate: Negotiate',
      '',
      '',
      'NTLM',
    ]);
  });

  test('a Kerberos or SPNEGO token under Negotiate is found but marked as not NTLM; prose is not a token', () => {
    const found = findNtlmTokens(
      'WWW-Authenticate: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAuBgkqhkiC9xIBAgIG\nauth using NTLM with user x',
    );
    expect(found).toEqual([expect.objectContaining({ ntlm: false, context: 'WWW-Authenticate: Negotiate' })]);
    expect(findNtlmTokens('nothing here, NTLM is mentioned only')).toEqual([]);
  });
});
