// Decodes any NTLM token (Type 1, 2 or 3) into a readable description: what users paste
// from a browser trace, a server log or `curl -v`. The responses in an AUTHENTICATE can be
// cracked offline, so describeTokenRedacted shows only their lengths.
import { fromBase64, isAllZero, toHex } from './bytes.js';
import { NtlmError } from './errors.js';
import { parseAuthenticateMessage, type AuthenticateMessage } from './messages/authenticate.js';
import {
  AvFlags,
  AvId,
  avFlagsValue,
  avIdName,
  describeAvValue,
  findAvPair,
  type AvPair,
} from './messages/av-pairs.js';
import { parseChallengeMessage } from './messages/challenge.js';
import { flagNames } from './messages/flags.js';
import { parseNegotiateMessage } from './messages/negotiate.js';
import { messageType } from './messages/reader.js';
import { formatVersion } from './messages/version.js';

/** A token decoded for reading, as `decodeToken` returns it. */
export interface DecodedToken {
  /** The message type. */
  type: 1 | 2 | 3;
  /** The message type's name. */
  name: 'NEGOTIATE' | 'CHALLENGE' | 'AUTHENTICATE';
  /** The message's length in bytes. */
  length: number;
  /** The fields in order, as [label, readable value] (AV pairs as indented labels). */
  fields: [string, string][];
}

type Fields = [string, string][];

const HEADER_PREFIX = /^(?:[<>]\s*)?(?:proxy-authorization|proxy-authenticate|authorization|www-authenticate)\s*:\s*/i;

function tokenBytes(token: Uint8Array | string): Uint8Array {
  if (token instanceof Uint8Array) return token;
  if (typeof token !== 'string')
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'a token must be bytes, base64 or a header value');
  return fromBase64(
    token
      .trim()
      .replace(HEADER_PREFIX, '')
      .replace(/^(?:NTLM|Negotiate)\s+/i, ''),
  );
}

function avLines(pairs: AvPair[]): Fields {
  return pairs.map((p) => [`  ${avIdName(p.id)}`, describeAvValue(p)]);
}

function flagsLine(flags: number): [string, string] {
  return ['flags', `0x${flags.toString(16).padStart(8, '0')} ${flagNames(flags).join('|')}`];
}

/** `16 bytes, redacted` when redacting, else the hex (or what `full` says). */
function secret(bytes: Uint8Array, redact: boolean, full = toHex(bytes)): string {
  if (bytes.length === 0) return '(none)';
  return redact ? `${bytes.length} bytes, redacted` : full;
}

function dialectOf(m: AuthenticateMessage): string {
  if (m.ntlmv2) return 'NTLMv2';
  if (m.ntChallengeResponse.length === 0) return 'anonymous';
  const lm = m.lmChallengeResponse;
  if (lm.length === 24 && isAllZero(lm.subarray(8)))
    return 'NTLMv1 with extended session security (NTLM2 session response)';
  return 'NTLMv1';
}

function authenticateFields(m: AuthenticateMessage, redact: boolean): Fields {
  const lm = m.lmChallengeResponse;
  const nt = m.ntChallengeResponse;
  const lmText =
    lm.length === 0
      ? '0 bytes'
      : isAllZero(lm)
        ? `${lm.length} bytes (zero)`
        : secret(lm, redact, `${lm.length} bytes ${toHex(lm)}`);
  const ntText = redact
    ? secret(nt, true)
    : m.ntlmv2 || nt.length === 0
      ? `${nt.length} bytes`
      : `${nt.length} bytes ${toHex(nt)}`;
  const fields: Fields = [
    flagsLine(m.flags),
    ['dialect', dialectOf(m)],
    ['domain', m.domain],
    ['user', m.user],
    ['workstation', m.workstation],
    ['LM response', lmText],
    ['NT response', ntText],
    ['encrypted session key', secret(m.encryptedRandomSessionKey, redact)],
    ['version', m.version ? formatVersion(m.version) : '(absent)'],
  ];
  const v2 = m.ntlmv2;
  if (!v2) return fields;
  const micSent = (avFlagsValue(findAvPair(v2.avPairs, AvId.Flags)) & AvFlags.MIC_PRESENT) !== 0 && m.mic !== undefined;
  const cb = findAvPair(v2.avPairs, AvId.ChannelBindings);
  const cbText = !cb
    ? '(absent)'
    : isAllZero(cb.value)
      ? 'zero (unbound)'
      : redact
        ? `present (${cb.value.length} bytes)`
        : toHex(cb.value);
  fields.push(['MIC', micSent ? secret(m.mic!, redact) : '(absent)'], ['channel binding', cbText]);
  if (redact) {
    const spn = findAvPair(v2.avPairs, AvId.TargetName);
    fields.push(
      ['NTProofStr', secret(v2.ntProofStr, true)],
      ['NT response blob', secret(v2.blob, true)],
      ['target name (SPN)', spn ? describeAvValue(spn) : '(absent)'],
      ['AV pairs', `${v2.avPairs.length}: ${v2.avPairs.map((p) => avIdName(p.id)).join(', ')}`],
    );
  } else {
    fields.push(
      ['NTProofStr', toHex(v2.ntProofStr)],
      ['client challenge', toHex(v2.clientChallenge)],
      ['time', describeAvValue({ id: AvId.Timestamp, value: v2.time })],
      ['AV pairs', `${v2.avPairs.length}`],
      ...avLines(v2.avPairs),
    );
  }
  return fields;
}

function decode(token: Uint8Array | string, redact: boolean): DecodedToken {
  const bytes = tokenBytes(token);
  const type = messageType(bytes);
  const length = bytes.length;
  if (type === 1) {
    const m = parseNegotiateMessage(bytes);
    const fields: Fields = [
      flagsLine(m.flags),
      ['domain', m.domain || '(none)'],
      ['workstation', m.workstation || '(none)'],
    ];
    fields.push(['version', m.version ? formatVersion(m.version) : '(absent)']);
    return { type: 1, name: 'NEGOTIATE', length, fields };
  }
  if (type === 2) {
    const m = parseChallengeMessage(bytes);
    const timestamp =
      m.timestampMs !== undefined ? describeAvValue({ id: AvId.Timestamp, value: m.timestamp! }) : '(absent)';
    const fields: Fields = [
      flagsLine(m.flags),
      ['server challenge', toHex(m.serverChallenge)],
      ['target name', m.targetName],
      ['timestamp', timestamp],
      ['version', m.version ? formatVersion(m.version) : '(absent)'],
      ['target info', `${m.targetInfo.length} AV pair(s)`],
      ...avLines(m.targetInfo),
    ];
    return { type: 2, name: 'CHALLENGE', length, fields };
  }
  if (type === 3) {
    return {
      type: 3,
      name: 'AUTHENTICATE',
      length,
      fields: authenticateFields(parseAuthenticateMessage(bytes), redact),
    };
  }
  throw new NtlmError('ERR_NTLM_BAD_MESSAGE_TYPE', `unknown NTLM message type ${type}`);
}

function render(d: DecodedToken): string {
  const width = d.fields.reduce((w, [k]) => Math.max(w, k.length), 0);
  return [
    `${d.name} (type ${d.type}, ${d.length} bytes)`,
    ...d.fields.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ].join('\n');
}

/** Accepts raw bytes, base64, or a header value such as `NTLM TlRMTVNT...` / `Negotiate ...`. */
export function decodeToken(token: Uint8Array | string): DecodedToken {
  return decode(token, false);
}

/** A multi-line text rendering of decodeToken: everything, the responses of an AUTHENTICATE included. */
export function describeToken(token: Uint8Array | string): string {
  return render(decode(token, false));
}

/**
 * Like describeToken, safe to log or share: a NEGOTIATE or CHALLENGE in full; an AUTHENTICATE with
 * its LM and NT responses, NTProofStr, NT response blob, encrypted session key and MIC replaced by
 * their lengths (an NTLMv2 response can be cracked offline). User, domain, workstation, flags,
 * dialect, SPN and whether a MIC and a channel binding were sent stay visible.
 */
export function describeTokenRedacted(token: Uint8Array | string): string {
  return render(decode(token, true));
}

/** One token found in free text by findNtlmTokens. */
export interface FoundToken {
  /** The base64 token. */
  token: string;
  /** 1-based line of the input it is on. */
  line: number;
  /** Where it came from, e.g. `> Authorization: NTLM` (curl's `>` sent, `<` received), or `NTLM`. */
  context: string;
  /** False for a `Negotiate` token that is not raw NTLM (SPNEGO or Kerberos). */
  ntlm: boolean;
}

// "NTLMSSP\0" in base64 starts with TlRMTVNTUA; a token after a scheme word is at least 20 characters.
const NTLM_BASE64 = 'TlRMTVNTUA';
const TOKEN = /(?<![A-Za-z0-9+/])(?:\b(NTLM|Negotiate)\s+)?([A-Za-z0-9+/]{20,}={0,2})(?![A-Za-z0-9+/=])/gi;
const HEADER_NAME = /(proxy-authorization|proxy-authenticate|authorization|www-authenticate)\s*:/i;

/**
 * Finds the NTLM tokens in text as users have it (header lines, `curl -v` output, a log, a HAR file),
 * in order: base64 after `NTLM` or `Negotiate`, and bare base64 that starts with `NTLMSSP\0`.
 */
export function findNtlmTokens(text: string): FoundToken[] {
  const found: FoundToken[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    const direction = /^\s*([<>])\s/.exec(lineText)?.[1];
    const header = HEADER_NAME.exec(lineText)?.[1];
    for (const m of lineText.matchAll(TOKEN)) {
      const scheme = m[1];
      const token = m[2]!;
      const ntlm = token.startsWith(NTLM_BASE64);
      if (!scheme && !ntlm) continue;
      const parts = [direction, header && `${header}:`, scheme && (/^ntlm$/i.test(scheme) ? 'NTLM' : 'Negotiate')];
      found.push({ token, line: index + 1, context: parts.filter(Boolean).join(' '), ntlm });
    }
  });
  return found;
}
