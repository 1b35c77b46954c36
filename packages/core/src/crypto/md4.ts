// MD4 (RFC 1320) from js-md4: OpenSSL 3 keeps it in the legacy provider only, which we never load.
import md4Module from 'js-md4';
import { checkBytes } from '../arguments.js';

type Md4 = { arrayBuffer(message: Uint8Array | ArrayBuffer | string): ArrayBuffer };
// js-md4 is CommonJS; depending on the loader the function is the module or its `default`.
const impl = (md4Module as unknown as { default?: Md4 }).default ?? md4Module;

/** MD4 (RFC 1320) of `data`: 16 bytes. */
export function md4(data: Uint8Array): Uint8Array {
  return new Uint8Array(impl.arrayBuffer(checkBytes(data, 'MD4 input')));
}
