// node:crypto's MD5 and HMAC-MD5 (OpenSSL's default provider), installed by `@ntlmkit/core/node`.
// Never imported from the isomorphic entry points (packages/core/test/hygiene.test.ts checks it).
//
// HMAC-MD5 is RFC 2104 over two one-shot `crypto.hash` calls (Node 20.12+), each digest taken as a latin1
// string (one char per byte) instead of a Buffer: for NTLM's short messages the Buffer, a native
// allocation, costs as much as the hash itself. Measured on Node 20: 0.56 µs per MD5 of 200 bytes
// against 1.03 µs with a Buffer, and an HMAC in about half the time of `createHmac`. The padded key
// blocks are made once per prepared key, and wiped from the scratch buffers after each use.
import * as nodeCrypto from 'node:crypto';
import { checkBytes } from '../arguments.js';
import type { HashProvider, MacKey } from './hash.js';

const { createHash, createHmac } = nodeCrypto;
type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'latin1') => string;
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

const BLOCK = 64;
let scratch = new Uint8Array(BLOCK + 2048);
const outer = new Uint8Array(BLOCK + 16);

function bytes(digest: Uint8Array): Uint8Array {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/** MD5 of `data` written into `out` at `at`. */
function md5Into(data: Uint8Array, out: Uint8Array, at: number): void {
  const digest = oneShot!('md5', data, 'latin1');
  for (let i = 0; i < 16; i++) out[at + i] = digest.charCodeAt(i);
}

function md5(message: Uint8Array[]): Uint8Array {
  const h = createHash('md5');
  for (const part of message) h.update(part);
  return bytes(h.digest());
}

/** K XOR ipad, then K XOR opad, in one 128-byte array (a key over 64 bytes is hashed first). */
function pads(key: Uint8Array): Uint8Array {
  const k = key.length > BLOCK ? md5([key]) : key;
  const both = new Uint8Array(2 * BLOCK);
  both.fill(0x36, 0, BLOCK);
  both.fill(0x5c, BLOCK);
  for (let i = 0; i < k.length; i++) {
    both[i]! ^= k[i]!;
    both[BLOCK + i]! ^= k[i]!;
  }
  return both;
}

/** HMAC with the padded key blocks already in scratch[0..64] and outer[0..64]. */
function hmacPadded(message: Uint8Array[]): Uint8Array {
  let at = BLOCK;
  for (const part of message) {
    scratch.set(part, at);
    at += part.length;
  }
  md5Into(scratch.subarray(0, at), outer, BLOCK);
  scratch.fill(0, 0, BLOCK);
  const mac = new Uint8Array(16);
  md5Into(outer, mac, 0);
  outer.fill(0, 0, BLOCK);
  return mac;
}

function reserve(message: Uint8Array[]): void {
  let length = BLOCK;
  for (const part of message) length += part.length;
  if (length > scratch.length) scratch = new Uint8Array(length * 2);
}

function hmacWithPads(both: Uint8Array, message: Uint8Array[]): Uint8Array {
  reserve(message);
  for (let i = 0; i < BLOCK; i++) {
    scratch[i] = both[i]!;
    outer[i] = both[BLOCK + i]!;
  }
  return hmacPadded(message);
}

function hmac(key: Uint8Array, message: Uint8Array[]): Uint8Array {
  if (oneShot) {
    reserve(message);
    const k = key.length > BLOCK ? md5([key]) : key;
    scratch.fill(0x36, 0, BLOCK);
    outer.fill(0x5c, 0, BLOCK);
    for (let i = 0; i < k.length; i++) {
      scratch[i]! ^= k[i]!;
      outer[i]! ^= k[i]!;
    }
    return hmacPadded(message);
  }
  const h = createHmac('md5', key);
  for (const part of message) h.update(part);
  return bytes(h.digest());
}

/** MD5 and HMAC-MD5 from node:crypto; `@ntlmkit/core/node` installs it with `useHashProvider`. */
export const nodeHashProvider: HashProvider = {
  name: 'node:crypto',
  md5: (...message) => md5(message),
  hmacMd5: (key, ...message) => hmac(key, message),
  macKey(key): MacKey {
    const prepared = oneShot ? pads(key) : key.slice();
    return {
      mac: (...message) => {
        for (const part of message) checkBytes(part, 'HMAC input');
        return oneShot ? hmacWithPads(prepared, message) : hmac(prepared, message);
      },
    };
  },
};
