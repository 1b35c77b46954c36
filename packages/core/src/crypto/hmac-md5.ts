// HMAC_MD5(K, M) (RFC 2104, MS-NLMP 6) on @noble/hashes' MD5. Built directly on one-shot md5 calls:
// NTLM hashes many short messages, and a generic HMAC object costs more than the hashing itself.
import { md5 } from '@noble/hashes/legacy.js';

const BLOCK = 64;

export function hmacMd5(key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  const k = new Uint8Array(BLOCK);
  k.set(key.length > BLOCK ? md5(key) : key);
  let length = 0;
  for (const part of message) length += part.length;
  const inner = new Uint8Array(BLOCK + length);
  for (let i = 0; i < BLOCK; i++) inner[i] = k[i]! ^ 0x36;
  let offset = BLOCK;
  for (const part of message) {
    inner.set(part, offset);
    offset += part.length;
  }
  const outer = new Uint8Array(BLOCK + 16);
  for (let i = 0; i < BLOCK; i++) outer[i] = k[i]! ^ 0x5c;
  outer.set(md5(inner), BLOCK);
  return md5(outer);
}
