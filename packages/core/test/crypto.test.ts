import { des7, desEncryptBlock, desl } from '../src/crypto/des';
import { rc4 } from '../src/crypto/rc4';
import { md4 } from '../src/crypto/md4';
import { hmacMd5, HmacMd5Key } from '../src/crypto/hash';
import { lmowfv1, ntowfv1, ntowfv2, ntowfv2FromHash } from '../src/crypto/ntowf';
import { upcaseUnicode } from '../src/crypto/upcase';
import { computeResponseV1, computeResponseV2 } from '../src/crypto/compute-response';
import { kxkey } from '../src/crypto/kxkey';
import { encryptRandomSessionKey } from '../src/crypto/key-exchange';
import { NegotiateFlags } from '../src/messages/flags';
import { toHex, oemEncode, utf16le } from '../src/bytes';
import { common, eachProvider, hex, vectors } from './vectors';

const v1 = vectors.ntlmv1_4_2_2;
const ess = vectors.ntlmv1_with_client_challenge_ess_4_2_3;
const v2 = vectors.ntlmv2_4_2_4;
const dav = vectors.davenport_vectors;

eachProvider(() => {
  describe('primitives against published vectors', () => {
    test('DES: FIPS 81 / classic worked example', () => {
      expect(toHex(desEncryptBlock(hex('133457799bbcdff1'), hex('0123456789abcdef')))).toBe('85e813540f0ab405');
      expect(toHex(desEncryptBlock(hex('0e329232ea6d0d73'), hex('8787878787878787')))).toBe('0000000000000000');
    });

    test('RC4: RFC 6229 key 0102030405, first 16 bytes of keystream', () => {
      expect(toHex(rc4(hex('0102030405'), new Uint8Array(16)))).toBe('b2396305f03dc027ccc3524a0a1118a8');
    });

    test('RC4 rejects an empty key', () => {
      expect(() => rc4(new Uint8Array(0), new Uint8Array(1))).toThrow(
        expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
      );
    });

    test('MD4: RFC 1320 test suite', () => {
      expect(toHex(md4(new Uint8Array(0)))).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
      expect(toHex(md4(oemEncode('abc')))).toBe('a448017aaf21d8525fc10ae87aa6729d');
      expect(toHex(md4(oemEncode('message digest')))).toBe('d9130a8164549fe818874806e1c7014b');
    });

    test('HMAC-MD5: RFC 2104 test 2, RFC 2202 tests 1 and 6; a prepared key and parts give the same MAC', () => {
      expect(toHex(hmacMd5(oemEncode('Jefe'), oemEncode('what do ya want for nothing?')))).toBe(
        '750c783e6ab0b503eaa86e310a5db738',
      );
      expect(toHex(hmacMd5(new Uint8Array(16).fill(0x0b), oemEncode('Hi There')))).toBe(
        '9294727a3638bb1c13f48ef8158bfc9d',
      );
      // A key longer than the 64-byte block is hashed first.
      const longKey = new Uint8Array(80).fill(0xaa);
      const text = oemEncode('Test Using Larger Than Block-Size Key - Hash Key First');
      expect(toHex(hmacMd5(longKey, text))).toBe('6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd');
      const key = new HmacMd5Key(longKey);
      expect(toHex(key.mac(text))).toBe('6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd');
      expect(toHex(key.mac(text.subarray(0, 10), text.subarray(10)))).toBe('6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd');
      expect(toHex(hmacMd5(key, text))).toBe('6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd');
      // Reusing the prepared key does not carry state from one message to the next.
      expect(toHex(new HmacMd5Key(oemEncode('Jefe')).mac(new Uint8Array(0)))).toBe(
        toHex(hmacMd5(oemEncode('Jefe'), new Uint8Array(0))),
      );
    });

    test('NT hashes (curl unit1600, Davenport)', () => {
      expect(toHex(ntowfv1('1'))).toBe(vectors.curl_nt_hash_vectors["curl unit1600: NT hash '1'"].hex);
      expect(toHex(ntowfv1('hello-you-fool'))).toBe(
        vectors.curl_nt_hash_vectors["curl unit1600: NT hash 'hello-you-fool'"].hex,
      );
      expect(toHex(ntowfv1(dav.inputs.password))).toBe(dav.values["NT hash 'SecREt01'"].hex);
    });
  });

  describe('MS-NLMP 4.2.2 NTLMv1', () => {
    const serverChallenge = hex(common.server_challenge);
    const clientChallenge = hex(common.client_challenge);

    test('LMOWFv1 and NTOWFv1', () => {
      expect(toHex(lmowfv1(common.password))).toBe(v1.lmowfv1_4_2_2_1_1.hex);
      expect(toHex(ntowfv1(common.password))).toBe(v1.ntowfv1_4_2_2_1_2.hex);
    });

    test('responses and session base key', () => {
      const r = computeResponseV1({
        responseKeyNT: ntowfv1(common.password),
        responseKeyLM: lmowfv1(common.password),
        serverChallenge,
        clientChallenge,
        extendedSessionSecurity: false,
      });
      expect(toHex(r.ntChallengeResponse)).toBe(v1.ntlmv1_response_4_2_2_2_1.hex);
      expect(toHex(r.lmChallengeResponse)).toBe(v1.lmv1_response_4_2_2_2_2.hex);
      expect(toHex(r.sessionBaseKey)).toBe(v1.session_base_key_4_2_2_1_3.hex);
      const noLm = computeResponseV1({
        ...{ responseKeyNT: ntowfv1(common.password), responseKeyLM: lmowfv1(common.password) },
        serverChallenge,
        clientChallenge,
        extendedSessionSecurity: false,
        noLmResponse: true,
      });
      expect(toHex(noLm.lmChallengeResponse)).toBe(v1.lmv1_response_when_NoLMResponseNTLMv1_4_2_2_2_2.hex);
    });

    test.each([
      ['plain', 0, v1.key_exchange_key_4_2_2_1_3.hex, v1.encrypted_random_session_key_4_2_2_2_3.hex],
      [
        'REQUEST_NON_NT_SESSION_KEY',
        NegotiateFlags.REQUEST_NON_NT_SESSION_KEY,
        v1.key_exchange_key_non_nt_session_key_4_2_2_1_3.hex,
        v1.encrypted_random_session_key_non_nt_session_key_4_2_2_2_3.hex,
      ],
      [
        'LM_KEY',
        NegotiateFlags.LM_KEY,
        v1.key_exchange_key_lm_key_4_2_2_1_3.hex,
        v1.encrypted_random_session_key_lm_key_4_2_2_2_3.hex,
      ],
    ])('KXKEY and encrypted session key (%s)', (_name, flags, expectedKey, expectedEncrypted) => {
      const r = computeResponseV1({
        responseKeyNT: ntowfv1(common.password),
        responseKeyLM: lmowfv1(common.password),
        serverChallenge,
        clientChallenge,
        extendedSessionSecurity: false,
      });
      const key = kxkey({
        flags,
        sessionBaseKey: r.sessionBaseKey,
        lmChallengeResponse: r.lmChallengeResponse,
        serverChallenge,
        lmowf: lmowfv1(common.password),
        ntlmv2: false,
      });
      expect(toHex(key)).toBe(expectedKey);
      expect(toHex(encryptRandomSessionKey(key, hex(common.random_session_key)))).toBe(expectedEncrypted);
    });
  });

  describe('MS-NLMP 4.2.3 NTLMv1 with extended session security', () => {
    test('responses and key exchange key', () => {
      const serverChallenge = hex(common.server_challenge);
      const r = computeResponseV1({
        responseKeyNT: ntowfv1(common.password),
        responseKeyLM: lmowfv1(common.password),
        serverChallenge,
        clientChallenge: hex(common.client_challenge),
        extendedSessionSecurity: true,
      });
      expect(toHex(r.lmChallengeResponse)).toBe(ess.lmv1_response_4_2_3_2_1.hex);
      expect(toHex(r.ntChallengeResponse)).toBe(ess.ntlmv1_response_4_2_3_2_2.hex);
      const key = kxkey({
        flags: NegotiateFlags.EXTENDED_SESSIONSECURITY,
        sessionBaseKey: r.sessionBaseKey,
        lmChallengeResponse: r.lmChallengeResponse,
        serverChallenge,
        lmowf: lmowfv1(common.password),
        ntlmv2: false,
      });
      expect(toHex(key)).toBe(ess.key_exchange_key_4_2_3_1_3.hex);
    });
  });

  describe('MS-NLMP 4.2.4 NTLMv2', () => {
    test('NTOWFv2, responses, session key', () => {
      const key = ntowfv2(common.password, common.user, common.domain);
      expect(toHex(key)).toBe(v2.ntowfv2_lmowfv2_4_2_4_1_1.hex);
      const r = computeResponseV2({
        responseKeyNT: key,
        responseKeyLM: key,
        serverChallenge: hex(common.server_challenge),
        clientChallenge: hex(common.client_challenge),
        time: hex(common.time),
        serverName: hex(v2.av_pairs_from_challenge.hex),
      });
      expect(toHex(r.ntChallengeResponse.subarray(16))).toBe(v2.temp_4_2_4_1_3.hex);
      expect(toHex(r.ntProofStr)).toBe(v2.nt_proof_str_4_2_4_2_2.hex);
      expect(toHex(r.ntChallengeResponse)).toBe(v2.ntlmv2_response_full.hex);
      expect(toHex(r.lmChallengeResponse)).toBe(v2.lmv2_response_4_2_4_2_1.hex);
      expect(toHex(r.sessionBaseKey)).toBe(v2.session_base_key_4_2_4_1_2.hex);
      expect(toHex(encryptRandomSessionKey(r.sessionBaseKey, hex(common.random_session_key)))).toBe(
        v2.encrypted_random_session_key_4_2_4_2_3.hex,
      );
    });

    test('only the user is upper-cased, not the domain', () => {
      expect(toHex(ntowfv2('Password', 'user', 'Domain'))).toBe(toHex(ntowfv2('Password', 'USER', 'Domain')));
      expect(toHex(ntowfv2('Password', 'User', 'DOMAIN'))).not.toBe(toHex(ntowfv2('Password', 'User', 'Domain')));
      expect(toHex(hmacMd5(ntowfv1('Password'), utf16le('USERDomain')))).toBe(v2.ntowfv2_lmowfv2_4_2_4_1_1.hex);
    });
  });

  describe("upper-casing as Windows' RtlUpcaseUnicodeString: one code unit to one code unit", () => {
    // NTOWFv2 = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(Uppercase(User) || UserDom)), written out here.
    const expected = (password: string, upperUser: string, domain: string) =>
      toHex(hmacMd5(md4(utf16le(password)), utf16le(upperUser + domain)));

    test("NTOWFv2: 'ß' stays 'ß' (toUpperCase would give 'SS')", () => {
      expect(toHex(ntowfv2('pw', 'straße', 'D'))).toBe(expected('pw', 'STRAßE', 'D'));
      expect(toHex(ntowfv2('pw', 'straße', 'D'))).not.toBe(expected('pw', 'STRASSE', 'D'));
    });

    test("NTOWFv2: 'ǆ' (U+01C6) becomes 'Ǆ' (U+01C4); 'ﬁ' and 'ŉ' stay", () => {
      expect(toHex(ntowfv2('pw', '\u01c6', 'D'))).toBe(expected('pw', '\u01c4', 'D'));
      expect(toHex(ntowfv2('pw', 'ﬁle', 'D'))).toBe(expected('pw', 'ﬁLE', 'D'));
      expect(toHex(ntowfv2('pw', '\u0149', 'D'))).toBe(expected('pw', '\u0149', 'D'));
    });

    test('NTOWFv2: a surrogate pair stays as it is (𐐨 would be 𐐀 in full case mapping); ASCII as before', () => {
      const deseret = '\u{10428}'; // DESERET SMALL LETTER LONG I; its upper case is U+10400
      expect(toHex(ntowfv2('pw', `a${deseret}`, 'D'))).toBe(expected('pw', `A${deseret}`, 'D'));
      expect(toHex(ntowfv2('pw', 'User', 'Domain'))).toBe(expected('pw', 'USER', 'Domain'));
      const hash = ntowfv1('pw');
      expect(toHex(ntowfv2FromHash(hash, 'straße', 'D'))).toBe(expected('pw', 'STRAßE', 'D'));
    });

    test('upcaseUnicode keeps lengths: unit by unit', () => {
      expect(upcaseUnicode('straße')).toBe('STRAßE');
      expect(upcaseUnicode('ﬁ\u01c6é\u{10428}x')).toBe('ﬁ\u01c4É\u{10428}X');
      expect(upcaseUnicode('\ud801')).toBe('\ud801'); // a lone surrogate too
      expect(upcaseUnicode('abc-XYZ_09')).toBe('ABC-XYZ_09');
    });

    test('a unit whose full upper case is longer takes its simple uppercase mapping (UnicodeData.txt field 12)', () => {
      // GREEK SMALL LETTER ALPHA WITH PSILI AND YPOGEGRAMMENI → …CAPITAL… AND PROSGEGRAMMENI (full: 'ἈΙ').
      expect('\u1f80'.toUpperCase()).toHaveLength(2);
      expect(upcaseUnicode('\u1f80\u1f97\u1fa7')).toBe('\u1f88\u1f9f\u1faf');
      expect(upcaseUnicode('\u1fb3\u1fc3\u1ff3')).toBe('\u1fbc\u1fcc\u1ffc');
      // The title-case forms are their own simple uppercase; 'ΐ' and 'ǰ' have none.
      expect(upcaseUnicode('\u1f88\u1fbc\u0390\u01f0')).toBe('\u1f88\u1fbc\u0390\u01f0');
      expect(toHex(ntowfv2('pw', '\u1fb3x', 'D'))).toBe(expected('pw', '\u1fbcX', 'D'));
    });

    test("LMOWFv1: the password upper-cased the same way ('ß' stays 0xDF)", () => {
      const lm = (upper: string) => {
        const key = new Uint8Array(14);
        key.set(oemEncode(upper).subarray(0, 14));
        const magic = oemEncode('KGS!@#$%');
        return toHex(new Uint8Array([...des7(key.subarray(0, 7), magic), ...des7(key.subarray(7, 14), magic)]));
      };
      expect(toHex(lmowfv1('straße'))).toBe(lm('STRAßE'));
      expect(toHex(lmowfv1('Password'))).toBe(lm('PASSWORD'));
    });
  });

  describe('Davenport vectors', () => {
    const i = dav.inputs;
    test('NTLMv2 hash, LMv2 and NTLMv2 responses', () => {
      const key = ntowfv2(i.password, i.user, i.domain);
      expect(toHex(key)).toBe(dav.values['NTLMv2 hash (user, DOMAIN)'].hex);
      const r = computeResponseV2({
        responseKeyNT: key,
        responseKeyLM: key,
        serverChallenge: hex(i.server_challenge),
        clientChallenge: hex(i.client_challenge),
        time: hex(i.timestamp),
        serverName: hex(i.target_info),
      });
      expect(toHex(r.lmChallengeResponse)).toBe(dav.values['LMv2 response'].hex);
      expect(toHex(r.ntChallengeResponse)).toBe(dav.values['NTLMv2 response'].hex);
    });

    test('NTLMv1, LM and NTLM2 session responses', () => {
      const base = {
        responseKeyNT: ntowfv1(i.password),
        responseKeyLM: lmowfv1(i.password),
        serverChallenge: hex(i.server_challenge),
        clientChallenge: hex(i.client_challenge),
      };
      const plain = computeResponseV1({ ...base, extendedSessionSecurity: false });
      expect(toHex(plain.lmChallengeResponse)).toBe(dav.values['LM response (NTLMv1)'].hex);
      expect(toHex(plain.ntChallengeResponse)).toBe(dav.values['NTLM response (NTLMv1)'].hex);
      expect(toHex(plain.sessionBaseKey)).toBe(dav.values['NTLMv1 user session key'].hex);
      expect(toHex(computeResponseV1({ ...base, extendedSessionSecurity: true }).ntChallengeResponse)).toBe(
        dav.values['NTLM2 session response'].hex,
      );
    });

    test('DES helpers agree with each other', () => {
      const key = hex('0123456789abcdef0123456789abcdef');
      const d = hex('1122334455667788');
      expect(toHex(desl(key, d).subarray(0, 8))).toBe(toHex(des7(key.subarray(0, 7), d)));
    });
  });
});

describe('the two hash implementations agree byte for byte', () => {
  test('MD5 and HMAC-MD5 of random keys (0 to 200 bytes) and messages in parts (up to 5,000 bytes), prepared keys too', () => {
    const { nobleHashProvider } = jest.requireActual('../src/crypto/hash');
    const { nodeHashProvider } = jest.requireActual('../src/crypto/node-hash');
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
    for (let i = 0; i < 500; i++) {
      const key = bytes(next() % 201);
      const parts = Array.from({ length: next() % 5 }, () =>
        bytes(i % 50 === 0 ? 2000 + (next() % 3000) : next() % 300),
      );
      const a = nobleHashProvider,
        b = nodeHashProvider;
      expect(toHex(b.md5(...parts))).toBe(toHex(a.md5(...parts)));
      expect(toHex(b.hmacMd5(key, ...parts))).toBe(toHex(a.hmacMd5(key, ...parts)));
      const ka = a.macKey(key),
        kb = b.macKey(key);
      expect(toHex(kb.mac(...parts))).toBe(toHex(ka.mac(...parts)));
      expect(toHex(kb.mac())).toBe(toHex(ka.mac())); // reused: no state carried over
    }
  });
});
