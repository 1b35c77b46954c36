import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Ntlm,
  createChallengeMessage,
  parseAuthenticateMessage,
  parseNegotiateMessage,
  fromBase64,
  toBase64,
  utf16le,
  AvId,
  dateToFiletime,
  findAvPair,
  toHex,
  NtlmError,
} from '../src/internal';
import { Ntlm as NodeNtlm } from '../src/node';
import { vectors } from './vectors';

const challenge = createChallengeMessage({
  flags: 0xe28a8215,
  serverChallenge: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  targetName: 'EXAMPLE',
  targetInfo: [
    { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
    { id: AvId.Timestamp, value: dateToFiletime(Date.now()) },
  ],
});
const certs = vectors.tls_server_end_point_hash_rule_vectors.certificates;
const pem = (b64: string) =>
  `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

function handshake(n: Ntlm): ReturnType<typeof parseAuthenticateMessage> {
  n.createNegotiateToken();
  n.challengeToken = toBase64(challenge);
  return parseAuthenticateMessage(fromBase64(n.createAuthToken() as string));
}

describe('Ntlm component class', () => {
  test('negotiate → challenge → auth with base64 tokens, NTLMv2 and a MIC by default', () => {
    const n = new Ntlm();
    n.user = 'EXAMPLE\\alice';
    n.password = 'Passw0rd!';
    const negotiate = n.createNegotiateToken();
    expect(typeof negotiate).toBe('string');
    expect(parseNegotiateMessage(fromBase64(negotiate as string)).version).toBeDefined();
    const m = handshake(n);
    expect(m.user).toBe('alice');
    expect(m.ntlmv2).toBeDefined();
    expect(m.mic).toBeDefined();
    expect(n.lastResult?.dialect).toBe('NTLMv2');
    expect(JSON.stringify(n.lastResult)).not.toContain('Session');
  });

  test('ntlmVersion = 1 uses NTLMv1', () => {
    const n = new Ntlm();
    n.user = 'alice';
    n.password = 'x';
    n.ntlmVersion = 1;
    expect(handshake(n).ntChallengeResponse).toHaveLength(24);
  });

  test('EncodeToken/DecodeToken off: raw bytes', () => {
    const n = new Ntlm();
    n.config('EncodeToken=false');
    expect(n.config('EncodeToken')).toBe('false');
    expect(n.createNegotiateToken()).toBeInstanceOf(Uint8Array);
    n.user = 'a';
    n.password = 'b';
    n.challengeToken = challenge;
    expect(n.createAuthToken()).toBeInstanceOf(Uint8Array);
  });

  test('settings: Workstation, Domain, SPN, BuildInfo, CodePage', () => {
    const n = new Ntlm();
    n.user = 'bob';
    n.password = 'pw';
    n.config('Workstation=WS01');
    n.config('Domain=EXAMPLE');
    n.config('SPN=HTTP/srv.example.com');
    n.config('BuildInfo=6.1.7601');
    const m = handshake(n);
    expect(m.workstation).toBe('WS01');
    expect(m.domain).toBe('EXAMPLE');
    expect(m.version).toEqual({ major: 6, minor: 1, build: 7601, revision: 15 });
    expect(findAvPair(m.ntlmv2!.avPairs, AvId.TargetName)).toBeDefined();
    expect(() => n.config('BuildInfo=banana')).toThrow(NtlmError);
    expect(() => n.config('CodePage=932')).toThrow(expect.objectContaining({ code: 'ERR_NTLM_UNSUPPORTED' }));
    expect(() => n.config('NoSuchSetting=1')).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
  });

  test('UsePlatformNTLMAPI says clearly that there is none', () => {
    const n = new Ntlm();
    n.config('UsePlatformNTLMAPI=true');
    expect(() => n.createNegotiateToken()).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_PLATFORM_API_UNAVAILABLE' }),
    );
  });

  test('the error event fires before the throw', () => {
    const n = new Ntlm();
    const seen: string[] = [];
    n.on('error', (e) => seen.push(e.code));
    expect(() => n.createAuthToken()).toThrow(NtlmError);
    expect(seen).toEqual(['ERR_NTLM_WRONG_STATE']);
  });

  test('sslServerCertEncoded feeds the channel binding', () => {
    const n = new Ntlm();
    n.user = 'a';
    n.password = 'b';
    n.sslServerCertEncoded = certs[2]!.cert_der_b64;
    const cb = findAvPair(handshake(n).ntlmv2!.avPairs, AvId.ChannelBindings);
    expect(toHex(cb!.value)).toBe(certs[2]!.derived_msv_av_channel_bindings);
  });

  test('certificate stores: PEM blob and file bundles selected by subject; PFX and system stores refused', () => {
    const bundle = pem(certs[0]!.cert_der_b64) + pem(certs[2]!.cert_der_b64);
    const n = new Ntlm();
    n.user = 'a';
    n.password = 'b';
    n.sslServerCertStore = bundle;
    n.sslServerCertStoreType = 'PEMKeyBlob';
    n.sslServerCertSubject = 'CN=SERVER2016';
    expect(toHex(findAvPair(handshake(n).ntlmv2!.avPairs, AvId.ChannelBindings)!.value)).toBe(
      certs[0]!.derived_msv_av_channel_bindings,
    );
    n.sslServerCertSubject = 'CN=nobody';
    expect(() => handshake(n)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_CERT_NOT_FOUND' }));

    const dir = mkdtempSync(join(tmpdir(), 'ntlmkit-'));
    writeFileSync(join(dir, 'server.der'), Buffer.from(certs[2]!.cert_der_b64, 'base64'));
    const f = new NodeNtlm();
    f.user = 'a';
    f.password = 'b';
    f.sslServerCertStore = join(dir, 'server.der');
    f.sslServerCertStoreType = 'PublicKeyFile';
    f.sslServerCertSubject = '*';
    expect(toHex(findAvPair(handshake(f).ntlmv2!.avPairs, AvId.ChannelBindings)!.value)).toBe(
      certs[2]!.derived_msv_av_channel_bindings,
    );

    const pure = new Ntlm();
    pure.sslServerCertStore = join(dir, 'server.der');
    pure.sslServerCertStoreType = 'PublicKeyFile';
    pure.sslServerCertSubject = '*';
    expect(() => handshake(pure)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_UNSUPPORTED' }));
    f.sslServerCertStoreType = 'PFXFile';
    expect(() => handshake(f)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_UNSUPPORTED' }));
    f.sslServerCertStoreType = 'User';
    expect(() => handshake(f)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_PLATFORM_API_UNAVAILABLE' }));
  });

  test('reset() clears tokens and credentials', () => {
    const n = new Ntlm();
    n.user = 'a';
    n.password = 'b';
    handshake(n);
    n.reset();
    expect([n.user, n.password, n.negotiateToken, n.challengeToken, n.authToken]).toEqual(['', '', '', '', '']);
    expect(n.lastResult).toBeUndefined();
  });
  test('a CHALLENGE is answered once: a second createAuthToken() for it is ERR_NTLM_WRONG_STATE', () => {
    const n = new Ntlm();
    n.user = 'EXAMPLE\\alice';
    n.password = 'Passw0rd!';
    expect(handshake(n).mic).toBeDefined();
    const errors: unknown[] = [];
    n.on('error', (e) => errors.push(e));
    expect(() => n.createAuthToken()).toThrow(expect.objectContaining({ code: 'ERR_NTLM_WRONG_STATE' }));
    expect(errors).toHaveLength(1);
    // A new handshake, or a CHALLENGE set again, is answered.
    expect(handshake(n).mic).toBeDefined();
    n.challengeToken = toBase64(challenge);
    expect(typeof n.createAuthToken()).toBe('string');
  });

  test('LmCompatibilityLevel takes decimal 0 to 5 or -1 only: an empty value never selects level 0', () => {
    const n = new Ntlm();
    for (const bad of ['', ' ', '0x3', '1e0', '-0', '3.0', '+3', '6', '-2', 'three']) {
      expect(() => n.config(`LmCompatibilityLevel=${bad}`)).toThrow(
        expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
      );
      expect(n.config('LmCompatibilityLevel')).toBe('-1');
    }
    n.user = 'a';
    n.password = 'b';
    expect(handshake(n).ntlmv2).toBeDefined();
    for (const good of ['0', '5', ' 3 ', '-1']) {
      n.config(`LmCompatibilityLevel=${good}`);
      expect(n.config('LmCompatibilityLevel')).toBe(good.trim());
    }
  });
});
