// NEGOTIATE_MESSAGE (Type 1, MS-NLMP 2.2.1.1).
import { checkFieldLength, checkFlags, checkOptions, checkString } from '../arguments.js';
import { oemDecode, oemEncode } from '../bytes.js';
import { DEFAULT_NEGOTIATE_FLAGS, NegotiateFlags } from './flags.js';
import { NEGOTIATE, VERSION_LENGTH } from './layout.js';
import { openMessage, payloadStart } from './reader.js';
import { decodeVersion, DEFAULT_VERSION, versionField, type NtlmVersion } from './version.js';
import { MessageWriter } from './writer.js';

/** Options of `createNegotiateMessage`; all optional. */
export interface NegotiateOptions {
  /**
   * Defaults to DEFAULT_NEGOTIATE_FLAGS (see packages/core/README.md, "The flags we send"); VERSION is always
   * added, and OEM_DOMAIN_SUPPLIED / OEM_WORKSTATION_SUPPLIED when those fields are given.
   */
  flags?: number;
  /** Sent in the clear (OEM) only when given; most clients send neither. */
  domain?: string;
  /** The client's workstation name, sent in the clear (OEM) only when given. */
  workstation?: string;
  /** The Version field; defaults to DEFAULT_VERSION. */
  version?: NtlmVersion;
}

function oemField(value: string | undefined, name: string): Uint8Array {
  if (value === undefined || value === '') return new Uint8Array(0);
  const bytes = oemEncode(checkString(value, name));
  checkFieldLength(bytes.length, name);
  return bytes;
}

/** Always 40 bytes or more: the Version field is always written (gss-ntlmssp rejects shorter messages). */
export function createNegotiateMessage(options: NegotiateOptions = {}): Uint8Array {
  const o = checkOptions(options, 'createNegotiateMessage options', true);
  let flags = (o.flags === undefined ? DEFAULT_NEGOTIATE_FLAGS : checkFlags(o.flags, 'flags')) | NegotiateFlags.VERSION;
  const domain = oemField(o.domain, 'domain');
  const workstation = oemField(o.workstation, 'workstation');
  if (domain.length) flags |= NegotiateFlags.OEM_DOMAIN_SUPPLIED;
  if (workstation.length) flags |= NegotiateFlags.OEM_WORKSTATION_SUPPLIED;
  const w = new MessageWriter(NEGOTIATE.length, NEGOTIATE.type);
  w.u32(NEGOTIATE.flags, flags);
  w.field(NEGOTIATE.domain, domain, 'DomainName');
  w.field(NEGOTIATE.workstation, workstation, 'Workstation');
  w.bytes(NEGOTIATE.version, versionField(o.version ?? DEFAULT_VERSION));
  return w.finish();
}

/** A parsed NEGOTIATE (Type 1) message. */
export interface NegotiateMessage {
  /** The message type: 1. */
  type: 1;
  /** The NegotiateFlags the client asked for. */
  flags: number;
  /** The OEM DomainName field, '' when absent. */
  domain: string;
  /** The OEM Workstation field, '' when absent. */
  workstation: string;
  /** The Version field, when the VERSION flag is set and the message has one. */
  version?: NtlmVersion;
}

/** The NegotiateFlags of a Type 1 message (signature and type checked), without reading the rest. */
export function negotiateFlags(bytes: Uint8Array): number {
  return openMessage(bytes, NEGOTIATE.type, 'NEGOTIATE message').u32(NEGOTIATE.flags);
}

/** Parses a Type 1 message (a server's view; also accepts curl's 32-byte form without Version). */
export function parseNegotiateMessage(bytes: Uint8Array): NegotiateMessage {
  const r = openMessage(bytes, NEGOTIATE.type, 'NEGOTIATE message');
  const flags = r.u32(NEGOTIATE.flags);
  const hasFields = bytes.length >= NEGOTIATE.version;
  const domain = hasFields ? r.field(NEGOTIATE.domain, 'DomainName') : undefined;
  const workstation = hasFields ? r.field(NEGOTIATE.workstation, 'Workstation') : undefined;
  const message: NegotiateMessage = {
    type: 1,
    flags,
    domain: domain ? oemDecode(domain.bytes) : '',
    workstation: workstation ? oemDecode(workstation.bytes) : '',
  };
  // The Version field exists only where no payload starts before its end.
  const end = NEGOTIATE.version + VERSION_LENGTH;
  if (flags & NegotiateFlags.VERSION && payloadStart([domain, workstation], bytes.length) >= end) {
    message.version = decodeVersion(r.slice(NEGOTIATE.version, VERSION_LENGTH));
  }
  return message;
}
