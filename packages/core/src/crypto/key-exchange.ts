// Key exchange (MS-NLMP 3.1.5.1.2): a random session key, RC4-encrypted with the key-exchange key.
import { rc4 } from './rc4.js';

export function encryptRandomSessionKey(keyExchangeKey: Uint8Array, randomSessionKey: Uint8Array): Uint8Array {
  return rc4(keyExchangeKey, randomSessionKey);
}

/** The server side: RC4 is symmetric. */
export const decryptRandomSessionKey = encryptRandomSessionKey;
