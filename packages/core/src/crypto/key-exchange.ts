// Key exchange (MS-NLMP 3.1.5.1.2 client, 3.2.5.1.2 server): a random session key, RC4K-encrypted with
// the key-exchange key, becomes the ExportedSessionKey.
import { checkBytes, checkFlags } from '../arguments.js';
import { NegotiateFlags } from '../messages/flags.js';
import { rc4 } from './rc4.js';

/** EncryptedRandomSessionKey = RC4K(KeyExchangeKey, RandomSessionKey), both keys 16 bytes. */
export function encryptRandomSessionKey(keyExchangeKey: Uint8Array, randomSessionKey: Uint8Array): Uint8Array {
  return rc4(checkBytes(keyExchangeKey, 'keyExchangeKey', 16), checkBytes(randomSessionKey, 'randomSessionKey', 16));
}

/** The server side: RC4 is symmetric. */
export function decryptRandomSessionKey(keyExchangeKey: Uint8Array, encryptedRandomSessionKey: Uint8Array): Uint8Array {
  checkBytes(encryptedRandomSessionKey, 'encryptedRandomSessionKey', 16);
  return rc4(checkBytes(keyExchangeKey, 'keyExchangeKey', 16), encryptedRandomSessionKey);
}

/**
 * The specification's condition for the EncryptedRandomSessionKey to count (3.2.5.1.2 and 3.2.5.2.2,
 * the server): KEY_EXCH, and SIGN or SEAL, in NegFlg. Otherwise ExportedSessionKey = KeyExchangeKey.
 * gss-ntlmssp and Samba read KEY_EXCH alone as enough; see the client's choice in client.ts.
 */
export function randomSessionKeyCounts(flags: number): boolean {
  const F = NegotiateFlags;
  flags = checkFlags(flags, 'flags');
  return (flags & F.KEY_EXCH) !== 0 && (flags & (F.SIGN | F.SEAL)) !== 0;
}
