// NEGOTIATE_MESSAGE (Type 1, MS-NLMP 2.2.1.1).
import { oemDecode, oemEncode } from '../bytes.js';
import { DEFAULT_NEGOTIATE_FLAGS, NegotiateFlags } from './flags.js';
import { openMessage } from './reader.js';
import { decodeVersion, DEFAULT_VERSION, encodeVersion, type NtlmVersion } from './version.js';
import { MessageWriter } from './writer.js';

export interface NegotiateOptions {
  /** Defaults to a Windows client's flags; see DEFAULT_NEGOTIATE_FLAGS. */
  flags?: number;
  /** Sent in the clear (OEM) only when given; most clients send neither. */
  domain?: string;
  workstation?: string;
  version?: NtlmVersion;
}

/** Always 40 bytes or more: the Version field is always written (gss-ntlmssp rejects shorter messages). */
export function createNegotiateMessage(options: NegotiateOptions = {}): Uint8Array {
  let flags = (options.flags ?? DEFAULT_NEGOTIATE_FLAGS) | NegotiateFlags.VERSION;
  const domain = options.domain ? oemEncode(options.domain) : new Uint8Array(0);
  const workstation = options.workstation ? oemEncode(options.workstation) : new Uint8Array(0);
  if (domain.length) flags |= NegotiateFlags.OEM_DOMAIN_SUPPLIED;
  if (workstation.length) flags |= NegotiateFlags.OEM_WORKSTATION_SUPPLIED;
  const w = new MessageWriter(40, 1);
  w.u32(12, flags);
  w.field(16, domain);
  w.field(24, workstation);
  w.bytes(32, encodeVersion(options.version ?? DEFAULT_VERSION));
  return w.finish();
}

export interface NegotiateMessage {
  type: 1;
  flags: number;
  domain: string;
  workstation: string;
  version?: NtlmVersion;
}

/** Parses a Type 1 message (a server's view; also accepts curl's 32-byte form without Version). */
export function parseNegotiateMessage(bytes: Uint8Array): NegotiateMessage {
  const r = openMessage(bytes, 1, 'NEGOTIATE message');
  const flags = r.u32(12);
  const hasFields = bytes.length >= 32;
  const domain = hasFields ? r.field(16, 'DomainName') : undefined;
  const workstation = hasFields ? r.field(24, 'Workstation') : undefined;
  const message: NegotiateMessage = {
    type: 1,
    flags,
    domain: domain ? oemDecode(domain.bytes) : '',
    workstation: workstation ? oemDecode(workstation.bytes) : '',
  };
  // The Version field exists only where no payload starts before byte 40.
  const payloadStart = Math.min(
    ...[domain, workstation].filter((f) => f && f.bytes.length > 0).map((f) => f!.offset),
    bytes.length,
  );
  if (flags & NegotiateFlags.VERSION && payloadStart >= 40) message.version = decodeVersion(r.slice(32, 8));
  return message;
}
