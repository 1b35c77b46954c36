// node:crypto's MD5 and HMAC-MD5 (OpenSSL's default provider), installed by `@ntlmkit/core/node`.
// Never imported from the isomorphic entry points (packages/core/test/hygiene.test.ts checks it).
import { createHash, createHmac } from 'node:crypto';
import { checkBytes } from '../arguments.js';
import type { HashProvider, MacKey } from './hash.js';

function bytes(digest: Uint8Array): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

function hmac(key: Uint8Array, message: Uint8Array[]): Uint8Array {
  const h = createHmac('md5', key);
  for (const part of message) h.update(part);
  return bytes(h.digest());
}

export const nodeHashProvider: HashProvider = {
  name: 'node:crypto',
  md5(...message) {
    const h = createHash('md5');
    for (const part of message) h.update(part);
    return bytes(h.digest());
  },
  hmacMd5: (key, ...message) => hmac(key, message),
  // OpenSSL prepares the key pads itself, and fast: a prepared key only keeps its own copy of the key.
  macKey(key): MacKey {
    const copy = key.slice();
    return {
      mac: (...message) => {
        for (const part of message) checkBytes(part, 'HMAC input');
        return hmac(copy, message);
      },
    };
  },
};
