// RC4K(key, message) of MS-NLMP 3.1.5.1 (a one-time RC4 instance): the key exchange of the session key.
import { checkBytes } from '../arguments.js';
import { NtlmError } from '../errors.js';

// One state array, reinitialised by every call (JavaScript runs one call at a time).
const s = new Uint8Array(256);
const IDENTITY = Uint8Array.from({ length: 256 }, (_, i) => i);

/** RC4K(key, data): `data` encrypted (or decrypted) with a fresh RC4 keyed with `key`. */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBytes(key, 'an RC4 key');
  checkBytes(data, 'RC4 input');
  const n = key.length;
  if (n === 0) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an RC4 key must not be empty');
  s.set(IDENTITY);
  // The key schedule, two steps per turn (measurably faster in V8).
  for (let i = 0, j = 0, k = 0; i < 256; i += 2) {
    let t = s[i]!;
    j = (j + t + key[k]!) & 0xff;
    s[i] = s[j]!;
    s[j] = t;
    if (++k === n) k = 0;
    t = s[i + 1]!;
    j = (j + t + key[k]!) & 0xff;
    s[i + 1] = s[j]!;
    s[j] = t;
    if (++k === n) k = 0;
  }
  const out = new Uint8Array(data.length);
  for (let m = 0, i = 0, j = 0; m < data.length; m++) {
    i = (i + 1) & 0xff;
    const t = s[i]!;
    j = (j + t) & 0xff;
    const u = s[j]!;
    s[i] = u;
    s[j] = t;
    out[m] = data[m]! ^ s[(t + u) & 0xff]!;
  }
  return out;
}
