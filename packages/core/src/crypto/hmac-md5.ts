// HMAC_MD5(K, M) (RFC 2104, MS-NLMP 6) on @noble/hashes' MD5. Hashes the message parts in place
// (no concatenation), and HmacMd5Key keeps the padded-key states of a key used more than once:
// with NTLM's short messages, those two extra MD5 blocks are a large part of the cost.
import { md5 } from '@noble/hashes/legacy.js';

const BLOCK = 64;
type Md5 = ReturnType<typeof md5.create>;

function padded(key: Uint8Array, byte: number): Uint8Array {
  const pad = new Uint8Array(BLOCK).fill(byte);
  const k = key.length > BLOCK ? md5(key) : key;
  for (let i = 0; i < k.length; i++) pad[i]! ^= k[i]!;
  return pad;
}

/** An HMAC-MD5 key, ready for many messages. */
export class HmacMd5Key {
  readonly #inner: Md5;
  readonly #outer: Md5;

  constructor(key: Uint8Array) {
    this.#inner = md5.create().update(padded(key, 0x36));
    this.#outer = md5.create().update(padded(key, 0x5c));
  }

  mac(...message: Uint8Array[]): Uint8Array {
    const inner = this.#inner.clone();
    for (const part of message) inner.update(part);
    return this.#outer.clone().update(inner.digest()).digest();
  }
}

export function hmacMd5(key: Uint8Array | HmacMd5Key, ...message: Uint8Array[]): Uint8Array {
  if (key instanceof HmacMd5Key) return key.mac(...message);
  const inner = md5.create().update(padded(key, 0x36));
  for (const part of message) inner.update(part);
  return md5.create().update(padded(key, 0x5c)).update(inner.digest()).digest();
}
