// MD5 and HMAC-MD5 behind one seam. @noble/hashes serves every runtime; `@ntlmkit/core/node` installs
// node:crypto's (OpenSSL's default provider: MD5 and HMAC are there, only MD4 is legacy), which is
// several times faster for NTLM's short messages. Both produce the same bytes; the tests run the
// MS-NLMP vectors against each. The choice is kept on globalThis, so that the ESM and the CommonJS
// build of this package (two module instances) use the same one.
import { md5 as nobleMd5 } from '@noble/hashes/legacy.js';
import type { Hash } from '@noble/hashes/utils.js';
import { checkBytes } from '../arguments.js';
import { NtlmError } from '../errors.js';

/** An HMAC-MD5 key used for several messages (NTOWFv2 signs NTProofStr and the session base key). */
export interface MacKey {
  /** HMAC_MD5(key, parts as if concatenated). */
  mac(...message: Uint8Array[]): Uint8Array;
}

/** An MD5 / HMAC-MD5 implementation, as `useHashProvider` installs it. */
export interface HashProvider {
  /** For diagnostics: `@noble/hashes` or `node:crypto`. */
  readonly name: string;
  /** MD5 of the parts, as if concatenated. */
  md5(...message: Uint8Array[]): Uint8Array;
  /** HMAC_MD5(key, parts as if concatenated). */
  hmacMd5(key: Uint8Array, ...message: Uint8Array[]): Uint8Array;
  /** The key prepared for several HMACs. */
  macKey(key: Uint8Array): MacKey;
}

const BLOCK = 64;
/** An MD5 state. (noble types `md5.create()` as a `Hash<any>`, whose `clone()` would be `any`.) */
type Md5 = Hash<Md5>;

function padded(key: Uint8Array, byte: number): Uint8Array {
  const pad = new Uint8Array(BLOCK).fill(byte);
  const k = key.length > BLOCK ? nobleMd5(key) : key;
  for (let i = 0; i < k.length; i++) pad[i]! ^= k[i]!;
  return pad;
}

/**
 * HMAC-MD5 (RFC 2104) on @noble/hashes' MD5, keeping the states after the padded inner and outer key
 * blocks: with NTLM's short messages those two MD5 blocks are a large part of the cost. (noble's own
 * `hmac.create(md5, key)` with `clone()` does the same but measured 5-8% slower: it clones both states.)
 */
export class HmacMd5Key implements MacKey {
  readonly #inner: Md5;
  readonly #outer: Md5;

  constructor(key: Uint8Array) {
    checkBytes(key, 'an HMAC key');
    this.#inner = nobleMd5.create().update(padded(key, 0x36)) as Md5;
    this.#outer = nobleMd5.create().update(padded(key, 0x5c)) as Md5;
  }

  /** HMAC_MD5(key, parts as if concatenated). */
  mac(...message: Uint8Array[]): Uint8Array {
    const inner = this.#inner.clone();
    for (const part of message) inner.update(checkBytes(part, 'HMAC input'));
    return this.#outer.clone().update(inner.digest()).digest();
  }
}

/** MD5 and HMAC-MD5 from @noble/hashes: the default, in any runtime. */
export const nobleHashProvider: HashProvider = {
  name: '@noble/hashes',
  md5(...message) {
    const h = nobleMd5.create();
    for (const part of message) h.update(part);
    return h.digest();
  },
  hmacMd5(key, ...message) {
    return new HmacMd5Key(key).mac(...message);
  },
  macKey: (key) => new HmacMd5Key(key),
};

// One holder object for the whole process, found through a registered symbol by each copy of this module.
const SLOT = Symbol.for('ntlmkit.hashProvider.v1');
type Holder = { provider: HashProvider };
const holder: Holder = ((globalThis as { [SLOT]?: Holder })[SLOT] ??= { provider: nobleHashProvider });

function current(): HashProvider {
  return holder.provider;
}

/** Chooses the MD5/HMAC-MD5 implementation for every copy of this library in the process. */
export function useHashProvider(provider: HashProvider): void {
  if (
    typeof provider?.md5 !== 'function' ||
    typeof provider.hmacMd5 !== 'function' ||
    typeof provider.macKey !== 'function'
  ) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'a hash provider needs md5, hmacMd5 and macKey');
  }
  holder.provider = provider;
}

/** The implementation in use. */
export function hashProvider(): HashProvider {
  return current();
}

/** MD5 of the parts, as if concatenated, by the implementation in use. */
export function md5(...message: Uint8Array[]): Uint8Array {
  for (const part of message) checkBytes(part, 'MD5 input');
  return current().md5(...message);
}

/** HMAC_MD5(K, M) of MS-NLMP 6, with M given in parts; K as bytes or as a prepared key. */
export function hmacMd5(key: Uint8Array | MacKey, ...message: Uint8Array[]): Uint8Array {
  for (const part of message) checkBytes(part, 'HMAC input');
  if (key instanceof Uint8Array) return current().hmacMd5(key, ...message);
  if (typeof (key as MacKey | undefined)?.mac !== 'function') checkBytes(key, 'an HMAC key');
  return key.mac(...message);
}

/** A key prepared for several MACs, by the implementation in use. */
export function macKey(key: Uint8Array): MacKey {
  return current().macKey(checkBytes(key, 'an HMAC key'));
}
