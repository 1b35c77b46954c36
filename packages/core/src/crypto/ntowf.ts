// The one-way functions of MS-NLMP 3.3.1 and 3.3.2.
import { checkBytes, checkString } from '../arguments.js';
import { concatBytes, oemEncode, utf16le } from '../bytes.js';
import { des7 } from './des.js';
import { hmacMd5 } from './hash.js';
import { md4 } from './md4.js';
import { upcaseUnicode } from './upcase.js';

const LM_MAGIC = oemEncode('KGS!@#$%');

/** NTOWFv1(Passwd) = MD4(UNICODE(Passwd)). Also the "NT hash". */
export function ntowfv1(password: string): Uint8Array {
  return md4(utf16le(checkString(password, 'password')));
}

/**
 * LMOWFv1: the upper-cased OEM password (upper-cased as Windows does, see NTOWFv2), 14 bytes, DES-encrypting
 * "KGS!@#$%" with each half.
 */
export function lmowfv1(password: string): Uint8Array {
  const key = new Uint8Array(14);
  key.set(oemEncode(upcaseUnicode(checkString(password, 'password'))).subarray(0, 14));
  return concatBytes(des7(key.subarray(0, 7), LM_MAGIC), des7(key.subarray(7, 14), LM_MAGIC));
}

/**
 * NTOWFv2(Passwd, User, UserDom) = HMAC_MD5(NTOWFv1, UNICODE(Uppercase(User) || UserDom)).
 * Only the user is upper-cased: the domain goes in as given (gss-ntlmssp checks it that way). Upper-casing
 * is Windows' (RtlUpcaseUnicodeString): each UTF-16 code unit to one code unit, so 'ß' stays 'ß'.
 * Takes the NT hash so that callers holding only a hash can use it too.
 */
export function ntowfv2FromHash(ntHash: Uint8Array, user: string, domain: string): Uint8Array {
  checkBytes(ntHash, 'ntHash', 16);
  return hmacMd5(ntHash, utf16le(upcaseUnicode(checkString(user, 'user')) + checkString(domain, 'domain')));
}

/** NTOWFv2(Passwd, User, UserDom): `ntowfv2FromHash(ntowfv1(password), user, domain)`. */
export function ntowfv2(password: string, user: string, domain: string): Uint8Array {
  return ntowfv2FromHash(ntowfv1(password), user, domain);
}

/** LMOWFv2 is defined as NTOWFv2. */
export const lmowfv2 = ntowfv2;
