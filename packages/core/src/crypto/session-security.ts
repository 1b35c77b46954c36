// The session keys of MS-NLMP 3.4.5.2 (SIGNKEY) and 3.4.5.3 (SEALKEY), where the 40/56/128-bit
// weakening lives. HTTP authentication signs and seals nothing, so the client does not call these;
// they are here, under the spec's names and with its 4.2 vectors, for callers that do.
import { checkBytes, checkFlags, checkInteger } from '../arguments.js';
import { NtlmError } from '../errors.js';
import { NegotiateFlags } from '../messages/flags.js';
import { md5 } from './hash.js';

/** The direction a SIGNKEY or SEALKEY is for: client-to-server or server-to-client. */
export type Mode = 'Client' | 'Server';

/** The null-terminated ASCII constants ("...magic constant" and its NUL). */
function magic(text: string): Uint8Array {
  const out = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const MAGIC = {
  Client: {
    sign: magic('session key to client-to-server signing key magic constant'),
    seal: magic('session key to client-to-server sealing key magic constant'),
  },
  Server: {
    sign: magic('session key to server-to-client signing key magic constant'),
    seal: magic('session key to server-to-client sealing key magic constant'),
  },
} as const;

/** NTLMSSP_REVISION_W2K3, the NTLMRevisionCurrent of every current Windows. */
export const NTLMSSP_REVISION_W2K3 = 15;

function checkMode(mode: unknown): Mode {
  if (mode !== 'Client' && mode !== 'Server')
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', "mode must be 'Client' or 'Server'");
  return mode;
}

/** SIGNKEY(NegFlg, ExportedSessionKey, Mode): undefined (NIL) without extended session security. */
export function signkey(flags: number, exportedSessionKey: Uint8Array, mode: Mode): Uint8Array | undefined {
  flags = checkFlags(flags, 'flags');
  checkBytes(exportedSessionKey, 'exportedSessionKey', 16);
  const m = checkMode(mode);
  if (!(flags & NegotiateFlags.EXTENDED_SESSIONSECURITY)) return undefined;
  return md5(exportedSessionKey, MAGIC[m].sign);
}

/**
 * SEALKEY(NegFlg, ExportedSessionKey, Mode). With extended session security: 128, 56 or 40 bits of the
 * key, hashed with the direction's constant. Without it: 56 or 40 bits padded to 64 (LM_KEY, or DATAGRAM
 * from NTLM revision W2K3 on), else the whole key.
 */
export function sealkey(
  flags: number,
  exportedSessionKey: Uint8Array,
  mode: Mode,
  revision = NTLMSSP_REVISION_W2K3,
): Uint8Array {
  const F = NegotiateFlags;
  flags = checkFlags(flags, 'flags');
  const key = checkBytes(exportedSessionKey, 'exportedSessionKey', 16);
  const m = checkMode(mode);
  checkInteger(revision, 'revision', 0, 255);
  if (flags & F.EXTENDED_SESSIONSECURITY) {
    const bits = flags & F.NEGOTIATE_128 ? key : flags & F.NEGOTIATE_56 ? key.subarray(0, 7) : key.subarray(0, 5);
    return md5(bits, MAGIC[m].seal);
  }
  if (flags & F.LM_KEY || (flags & F.DATAGRAM && revision >= NTLMSSP_REVISION_W2K3)) {
    const out = new Uint8Array(8);
    if (flags & F.NEGOTIATE_56) {
      out.set(key.subarray(0, 7));
      out[7] = 0xa0;
    } else {
      out.set(key.subarray(0, 5));
      out.set([0xe5, 0x38, 0xb0], 5);
    }
    return out;
  }
  return key.slice();
}
