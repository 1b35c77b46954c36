// RC4K(key, message) of MS-NLMP 3.1.5.1 (a one-time RC4 instance): the key exchange, and sealing keys' tests.
import { checkBytes } from '../arguments.js';
import { NtlmError } from '../errors.js';

export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  checkBytes(key, 'an RC4 key');
  checkBytes(data, 'RC4 input');
  if (key.length === 0) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an RC4 key must not be empty');
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    const t = s[i]!;
    s[i] = s[j]!;
    s[j] = t;
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    const t = s[i]!;
    s[i] = s[j]!;
    s[j] = t;
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}
