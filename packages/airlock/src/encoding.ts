// Percent-encoding as the gateway decodes it. Everything but RFC 3986's unreserved characters is
// escaped, so no separator of the control API ('&', '=', ',', '@', ':', '\') and no control character
// can survive an encoding level unescaped.
import { NtlmError } from '@ntlmkit/core';

export type CredentialEncoding = 'utf-8' | 'iso-8859-1';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function bytesOf(text: string, encoding: CredentialEncoding): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `a character at position ${i} cannot be written in ISO-8859-1`);
    out[i] = code;
  }
  return out;
}

export function percentEncode(text: string, encoding: CredentialEncoding = 'utf-8'): string {
  let out = '';
  for (const byte of bytesOf(text, encoding)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function percentDecode(text: string, encoding: CredentialEncoding = 'utf-8'): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', `invalid percent-escape at position ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = text.charCodeAt(i);
      if (code > 0x7e || code < 0x20) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', `unencoded character at position ${i}`);
      bytes.push(code);
    }
  }
  const array = Uint8Array.from(bytes);
  if (encoding === 'iso-8859-1') return String.fromCharCode(...array);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(array);
  } catch {
    throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'the decoded bytes are not UTF-8 (was it written as ISO-8859-1?)');
  }
}
