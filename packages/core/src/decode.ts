// Decodes any NTLM token (Type 1, 2 or 3) into a readable description: what users paste
// from a browser trace or a server log. Secrets in a token are hashes, shown as hex.
import { fromBase64, isAllZero, toHex } from './bytes.js';
import { NtlmError } from './errors.js';
import { parseAuthenticateMessage } from './messages/authenticate.js';
import { AvFlags, AvId, avFlagsValue, avIdName, describeAvValue, findAvPair, type AvPair } from './messages/av-pairs.js';
import { parseChallengeMessage } from './messages/challenge.js';
import { flagNames } from './messages/flags.js';
import { parseNegotiateMessage } from './messages/negotiate.js';
import { messageType } from './messages/reader.js';
import { formatVersion } from './messages/version.js';

export interface DecodedToken {
  type: 1 | 2 | 3;
  name: 'NEGOTIATE' | 'CHALLENGE' | 'AUTHENTICATE';
  length: number;
  fields: [string, string][];
}

function avLines(pairs: AvPair[]): [string, string][] {
  return pairs.map((p) => [`  ${avIdName(p.id)}`, describeAvValue(p)]);
}

/** Accepts raw bytes, base64, or a header value such as `NTLM TlRMTVNT...` / `Negotiate ...`. */
export function decodeToken(token: Uint8Array | string): DecodedToken {
  let bytes: Uint8Array;
  if (typeof token !== 'string' && !(token instanceof Uint8Array)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'a token must be bytes, base64 or a header value');
  }
  if (typeof token === 'string') {
    const text = token.trim().replace(/^(?:(?:proxy-)?(?:authorization|www-authenticate|proxy-authenticate):\s*)?(?:NTLM|Negotiate)\s+/i, '');
    bytes = fromBase64(text);
  } else bytes = token;
  const type = messageType(bytes);
  const flagsLine = (flags: number): [string, string] => ['flags', `0x${flags.toString(16).padStart(8, '0')} ${flagNames(flags).join('|')}`];
  if (type === 1) {
    const m = parseNegotiateMessage(bytes);
    const fields: [string, string][] = [flagsLine(m.flags), ['domain', m.domain || '(none)'], ['workstation', m.workstation || '(none)']];
    fields.push(['version', m.version ? formatVersion(m.version) : '(absent)']);
    return { type: 1, name: 'NEGOTIATE', length: bytes.length, fields };
  }
  if (type === 2) {
    const m = parseChallengeMessage(bytes);
    const fields: [string, string][] = [
      flagsLine(m.flags),
      ['server challenge', toHex(m.serverChallenge)],
      ['target name', m.targetName],
      ['timestamp', m.timestampMs !== undefined ? describeAvValue({ id: AvId.Timestamp, value: m.timestamp! }) : '(absent)'],
      ['version', m.version ? formatVersion(m.version) : '(absent)'],
      ['target info', `${m.targetInfo.length} AV pair(s)`],
      ...avLines(m.targetInfo),
    ];
    return { type: 2, name: 'CHALLENGE', length: bytes.length, fields };
  }
  if (type === 3) {
    const m = parseAuthenticateMessage(bytes);
    const v2 = m.ntlmv2;
    const dialect = v2
      ? 'NTLMv2'
      : m.ntChallengeResponse.length === 0
        ? 'anonymous'
        : m.lmChallengeResponse.length === 24 && isAllZero(m.lmChallengeResponse.subarray(8))
          ? 'NTLMv1 with extended session security (NTLM2 session response)'
          : 'NTLMv1';
    const fields: [string, string][] = [
      flagsLine(m.flags),
      ['dialect', dialect],
      ['domain', m.domain],
      ['user', m.user],
      ['workstation', m.workstation],
      ['LM response', `${m.lmChallengeResponse.length} bytes${isAllZero(m.lmChallengeResponse) ? ' (zero)' : ''}`],
      ['NT response', `${m.ntChallengeResponse.length} bytes`],
      ['encrypted session key', m.encryptedRandomSessionKey.length ? toHex(m.encryptedRandomSessionKey) : '(none)'],
      ['version', m.version ? formatVersion(m.version) : '(absent)'],
    ];
    if (v2) {
      const micFlag = (avFlagsValue(findAvPair(v2.avPairs, AvId.Flags)) & AvFlags.MIC_PRESENT) !== 0;
      const cb = findAvPair(v2.avPairs, AvId.ChannelBindings);
      fields.push(
        ['MIC', micFlag && m.mic ? toHex(m.mic) : '(absent)'],
        ['channel binding', cb ? (isAllZero(cb.value) ? 'zero (unbound)' : toHex(cb.value)) : '(absent)'],
        ['NTProofStr', toHex(v2.ntProofStr)],
        ['client challenge', toHex(v2.clientChallenge)],
        ['time', describeAvValue({ id: AvId.Timestamp, value: v2.time })],
        ['AV pairs', `${v2.avPairs.length}`],
        ...avLines(v2.avPairs),
      );
    }
    return { type: 3, name: 'AUTHENTICATE', length: bytes.length, fields };
  }
  throw new NtlmError('ERR_NTLM_BAD_MESSAGE_TYPE', `unknown NTLM message type ${type}`);
}

/** A multi-line text rendering of decodeToken. */
export function describeToken(token: Uint8Array | string): string {
  const d = decodeToken(token);
  const width = d.fields.reduce((w, [k]) => Math.max(w, k.length), 0);
  return [`${d.name} (type ${d.type}, ${d.length} bytes)`, ...d.fields.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
