// NegotiateFlags (MS-NLMP 2.2.2.5).
import { NtlmError } from '../errors.js';

/** The NegotiateFlags bits (MS-NLMP 2.2.2.5), named after the spec's NTLMSSP_* names. */
export const NegotiateFlags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  DATAGRAM: 0x00000040,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  OEM_DOMAIN_SUPPLIED: 0x00001000,
  OEM_WORKSTATION_SUPPLIED: 0x00002000,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  IDENTIFY: 0x00100000,
  REQUEST_NON_NT_SESSION_KEY: 0x00400000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  KEY_EXCH: 0x40000000,
  NEGOTIATE_56: 0x80000000,
} as const;

/** The name of one NegotiateFlags bit, as `flagNames` returns it. */
export type NegotiateFlagName = keyof typeof NegotiateFlags;

/**
 * What our NEGOTIATE asks for: 0xe2088217, a Windows client's 0xe2088297 without LM_KEY. SIGN with KEY_EXCH
 * makes every server, of either reading of the session-key rule, key the MIC with the exchanged random
 * key (see packages/core/README.md, "The flags we send").
 */
export const DEFAULT_NEGOTIATE_FLAGS =
  (NegotiateFlags.UNICODE |
    NegotiateFlags.OEM |
    NegotiateFlags.REQUEST_TARGET |
    NegotiateFlags.SIGN |
    NegotiateFlags.NTLM |
    NegotiateFlags.ALWAYS_SIGN |
    NegotiateFlags.EXTENDED_SESSIONSECURITY |
    NegotiateFlags.VERSION |
    NegotiateFlags.NEGOTIATE_128 |
    NegotiateFlags.NEGOTIATE_56 |
    NegotiateFlags.KEY_EXCH) >>>
  0;

/** Names of the flags that are set, highest bit first (as Wireshark lists them). */
export function flagNames(flags: number): string[] {
  if (typeof flags !== 'number') throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'flags must be a number');
  return (Object.entries(NegotiateFlags) as [NegotiateFlagName, number][])
    .filter(([, bit]) => (flags & bit) >>> 0 === bit)
    .sort((a, b) => b[1] - a[1])
    .map(([name]) => name);
}
