// The server side of NTLM, transport-neutral: NEGOTIATE in, CHALLENGE out, AUTHENTICATE verified.
// One NtlmAcceptor per connection: NTLM authenticates the connection, not the request.
import {
  AvFlags, AvId, NegotiateFlags, avFlagsValue, bytesEqual, computeResponseV1, createChallengeMessage, dateToFiletime,
  decodeUtf16le, decryptRandomSessionKey, filetimeToMs, findAvPair, hmacMd5, mic as computeMic, ntowfv2FromHash,
  parseAuthenticateMessage, parseNegotiateMessage, utf16le, type AuthenticateMessage, type AvPair, type NtlmVersion,
} from '@ntlmkit/core';
import type { Users } from './users.js';

export type TokenChecking = 'none' | 'allow' | 'require';
export type ChannelBindingStatus = 'present' | 'absent' | 'zero' | 'wrong';
export type ServerDialect = 'NTLMv2' | 'NTLMv1' | 'NTLMv1-ESS' | 'anonymous';

export interface TargetNames {
  netbiosDomain: string;
  netbiosComputer: string;
  dnsDomain: string;
  dnsComputer: string;
  dnsTree?: string;
}

export interface AcceptorPolicy {
  users: Users;
  /** Server side LmCompatibilityLevel: 5 (default) NTLMv2 only; 4 also NTLMv1; 0-3 also LM. */
  lmCompatibilityLevel: number;
  tokenChecking: TokenChecking;
  /** The MsvAvChannelBindings value expected on this connection (TLS only). */
  expectedChannelBinding?: Uint8Array;
  /** Whether this connection is TLS: channel bindings only mean something there. */
  tls: boolean;
  /** Accepted MsvAvTargetName values (case-insensitive); when set, a matching SPN is required. */
  spns?: string[];
  maxClockSkewMs: number;
  targetNames: TargetNames;
  version: NtlmVersion;
  allowAnonymous: boolean;
  /** Set of NTProofStr values seen recently, shared by all connections (replay detection). */
  seenProofs: Set<string>;
  now: () => number;
  random: (size: number) => Uint8Array;
}

export interface AuthOutcome {
  ok: boolean;
  user?: string;
  domain?: string;
  dialect?: ServerDialect;
  mic: boolean;
  channelBinding: ChannelBindingStatus;
  spn?: string;
  reason?: string;
}

interface Pending {
  negotiate: Uint8Array;
  challenge: Uint8Array;
  serverChallenge: Uint8Array;
  timestamp: Uint8Array;
}

function targetInfo(names: TargetNames, timestamp: Uint8Array): AvPair[] {
  const pairs: AvPair[] = [
    { id: AvId.NbDomainName, value: utf16le(names.netbiosDomain) },
    { id: AvId.NbComputerName, value: utf16le(names.netbiosComputer) },
    { id: AvId.DnsDomainName, value: utf16le(names.dnsDomain) },
    { id: AvId.DnsComputerName, value: utf16le(names.dnsComputer) },
  ];
  if (names.dnsTree) pairs.push({ id: AvId.DnsTreeName, value: utf16le(names.dnsTree) });
  pairs.push({ id: AvId.Timestamp, value: timestamp });
  return pairs;
}

export class NtlmAcceptor {
  private pending: Pending | undefined;

  constructor(private readonly policy: AcceptorPolicy) {}

  /** Whether a CHALLENGE is waiting for its AUTHENTICATE on this connection. */
  get negotiating(): boolean {
    return this.pending !== undefined;
  }

  /** Answers a NEGOTIATE with a CHALLENGE (throws NtlmError on a malformed message). */
  challenge(negotiate: Uint8Array): Uint8Array {
    const request = parseNegotiateMessage(negotiate);
    const F = NegotiateFlags;
    let flags = F.NTLM | F.TARGET_INFO | F.VERSION | F.TARGET_TYPE_DOMAIN | F.REQUEST_TARGET;
    flags |= request.flags & F.UNICODE ? F.UNICODE : F.OEM;
    for (const bit of [F.ALWAYS_SIGN, F.EXTENDED_SESSIONSECURITY, F.NEGOTIATE_128, F.NEGOTIATE_56, F.KEY_EXCH, F.SIGN, F.SEAL]) {
      if (request.flags & bit) flags |= bit;
    }
    const serverChallenge = this.policy.random(8);
    const timestamp = dateToFiletime(this.policy.now());
    const challenge = createChallengeMessage({
      flags: flags >>> 0,
      serverChallenge,
      targetName: this.policy.targetNames.netbiosDomain,
      targetInfo: targetInfo(this.policy.targetNames, timestamp),
      version: this.policy.version,
    });
    this.pending = { negotiate: negotiate.slice(), challenge, serverChallenge, timestamp };
    return challenge;
  }

  /** Verifies an AUTHENTICATE against the CHALLENGE this connection issued. A challenge is used once. */
  authenticate(bytes: Uint8Array): AuthOutcome {
    const pending = this.pending;
    this.pending = undefined;
    const outcome: AuthOutcome = { ok: false, mic: false, channelBinding: 'absent' };
    if (!pending) return { ...outcome, reason: 'AUTHENTICATE without a CHALLENGE on this connection' };
    let message: AuthenticateMessage;
    try {
      message = parseAuthenticateMessage(bytes);
    } catch (error) {
      return { ...outcome, reason: `malformed AUTHENTICATE: ${(error as Error).message}` };
    }
    outcome.user = message.user;
    outcome.domain = message.domain;
    if (message.ntChallengeResponse.length === 0 && message.user === '') {
      outcome.dialect = 'anonymous';
      return this.policy.allowAnonymous ? { ...outcome, ok: true } : { ...outcome, reason: 'anonymous authentication is not allowed' };
    }
    const entry = this.policy.users.find(message.user, message.domain);
    if (!entry) return { ...outcome, reason: 'unknown user' };
    outcome.user = entry.name;

    if (message.ntlmv2) {
      outcome.dialect = 'NTLMv2';
      const v2 = message.ntlmv2;
      const key = ntowfv2FromHash(entry.ntHash, message.user, message.domain);
      const proof = hmacMd5(key, pending.serverChallenge, v2.blob);
      if (!bytesEqual(proof, v2.ntProofStr)) return { ...outcome, reason: 'wrong password (NTProofStr does not match)' };
      const proofKey = Array.from(v2.ntProofStr, (b) => b.toString(16).padStart(2, '0')).join('');
      if (this.policy.seenProofs.has(proofKey)) return { ...outcome, reason: 'replayed AUTHENTICATE' };
      this.policy.seenProofs.add(proofKey);
      if (this.policy.seenProofs.size > 100_000) this.policy.seenProofs.clear();
      const clientTime = filetimeToMs(v2.time);
      const echoesOurs = bytesEqual(v2.time, pending.timestamp);
      if (!echoesOurs && Math.abs(clientTime - this.policy.now()) > this.policy.maxClockSkewMs) {
        return { ...outcome, reason: 'stale response: the client time is outside the allowed clock skew' };
      }
      const sessionBaseKey = hmacMd5(key, v2.ntProofStr);

      const micWanted = (avFlagsValue(findAvPair(v2.avPairs, AvId.Flags)) & AvFlags.MIC_PRESENT) !== 0;
      if (micWanted) {
        if (!message.mic) return { ...outcome, reason: 'MsvAvFlags announces a MIC but the message has no room for one' };
        const exported = message.flags & NegotiateFlags.KEY_EXCH && message.encryptedRandomSessionKey.length === 16
          ? decryptRandomSessionKey(sessionBaseKey, message.encryptedRandomSessionKey)
          : sessionBaseKey;
        if (!bytesEqual(computeMic(exported, pending.negotiate, pending.challenge, bytes), message.mic)) {
          return { ...outcome, reason: 'bad MIC' };
        }
        outcome.mic = true;
      }

      const cbReason = this.checkChannelBinding(findAvPair(v2.avPairs, AvId.ChannelBindings), outcome);
      if (cbReason) return { ...outcome, reason: cbReason };

      const target = findAvPair(v2.avPairs, AvId.TargetName);
      if (target) outcome.spn = decodeUtf16le(target.value);
      if (this.policy.spns) {
        if (!outcome.spn) return { ...outcome, reason: 'SPN required: no MsvAvTargetName' };
        const accepted = this.policy.spns.some((s) => s.toLowerCase() === outcome.spn!.toLowerCase());
        if (!accepted) return { ...outcome, reason: `SPN ${outcome.spn} is not accepted here` };
      }
    } else {
      if (this.policy.lmCompatibilityLevel >= 5) return { ...outcome, dialect: 'NTLMv1', reason: 'NTLMv1 refused (server accepts NTLMv2 only)' };
      const lm = message.lmChallengeResponse;
      const ess = (message.flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) !== 0 && lm.length === 24;
      outcome.dialect = ess ? 'NTLMv1-ESS' : 'NTLMv1';
      const expected = computeResponseV1({
        responseKeyNT: entry.ntHash,
        responseKeyLM: new Uint8Array(16),
        serverChallenge: pending.serverChallenge,
        clientChallenge: ess ? lm.subarray(0, 8) : new Uint8Array(8),
        extendedSessionSecurity: ess,
      });
      if (!bytesEqual(expected.ntChallengeResponse, message.ntChallengeResponse)) {
        return { ...outcome, reason: 'wrong password (NTLMv1 response does not match)' };
      }
      if (this.policy.tls && this.policy.tokenChecking === 'require') {
        return { ...outcome, reason: 'channel binding required, but NTLMv1 cannot carry one' };
      }
    }
    return { ...outcome, ok: true };
  }

  private checkChannelBinding(pair: AvPair | undefined, outcome: AuthOutcome): string | undefined {
    if (!pair) outcome.channelBinding = 'absent';
    else if (pair.value.every((b) => b === 0)) outcome.channelBinding = 'zero';
    else if (this.policy.expectedChannelBinding && bytesEqual(pair.value, this.policy.expectedChannelBinding)) outcome.channelBinding = 'present';
    else outcome.channelBinding = 'wrong';
    if (!this.policy.tls || this.policy.tokenChecking === 'none') return undefined;
    if (outcome.channelBinding === 'wrong') return 'wrong channel binding';
    if (outcome.channelBinding === 'zero') return 'all-zero channel binding over TLS';
    if (outcome.channelBinding === 'absent' && this.policy.tokenChecking === 'require') return 'channel binding required (tokenChecking: require)';
    return undefined;
  }
}
