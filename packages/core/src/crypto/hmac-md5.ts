import { hmac } from '@noble/hashes/hmac.js';
import { md5 } from '@noble/hashes/legacy.js';
import { concatBytes } from '../bytes.js';

/** HMAC_MD5(K, M) as MS-NLMP 6 defines it; several message parts are concatenated. */
export function hmacMd5(key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  return hmac(md5, key, message.length === 1 ? message[0]! : concatBytes(...message));
}
