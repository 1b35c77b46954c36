// The server side of NTLM, transport-neutral: NEGOTIATE in, CHALLENGE out, AUTHENTICATE verified, as
// strictly as MS-NLMP 3.2.5.1 reads (each rule is at the function that applies it; the session-key rule
// is also in packages/core/README.md, "Session key and MIC"). One NtlmAcceptor per connection: NTLM
// authenticates the connection, not the request. The rules are written here from the specification,
// not taken from the client (only vector-tested primitives come from @ntlmkit/core), so that the
// server catches a client's mistakes instead of sharing them.
import {
  AvFlags,
  AvId,
  NegotiateFlags,
  NtlmError,
  avFlagsValue,
  bytesEqual,
  computeResponseV1,
  createChallengeMessage,
  dateToFiletime,
  decodeUtf16le,
  decryptRandomSessionKey,
  filetimeToMs,
  findAvPair,
  hmacMd5,
  mic as computeMic,
  ntowfv2FromHash,
  parseAuthenticateMessage,
  parseNegotiateMessage,
  toHex,
  utf16le,
  type AuthenticateMessage,
  type AvPair,
  type NtlmVersion,
} from '@ntlmkit/core/internal';
import type { UserEntry, Users } from './users.js';

/**
 * Channel binding checks over TLS, as IIS's extendedProtection tokenChecking: `none` ignores bindings, `allow`
 * checks one when present, `require` demands one. A wrong binding fails except with `none`; an all-zero one
 * counts as none (MS-NLMP 2.2.2.1): accepted by `allow`, refused by `require`.
 */
export type TokenChecking = 'none' | 'allow' | 'require';
/** The client's MsvAvChannelBindings: ours (`present`), none, all-zero, or another value (`wrong`). */
export type ChannelBindingStatus = 'present' | 'absent' | 'zero' | 'wrong';
/** The dialect of an AUTHENTICATE, as the acceptor read it. */
export type ServerDialect = 'NTLMv2' | 'NTLMv1' | 'NTLMv1-ESS' | 'anonymous';
/** Which reading of the session-key rule the acceptor applies (see `lenientSessionKey`). */
export type SessionKeyReading = 'strict' | 'lenient';
/** The key a MIC was checked with: the decrypted EncryptedRandomSessionKey, or the KeyExchangeKey itself. */
export type MicKey = 'random-session-key' | 'key-exchange-key';

/** The names a CHALLENGE carries: its TargetName (the NetBIOS domain) and AV pairs. */
export interface TargetNames {
  /** MsvAvNbDomainName, and the TargetName. */
  netbiosDomain: string;
  /** MsvAvNbComputerName. */
  netbiosComputer: string;
  /** MsvAvDnsDomainName. */
  dnsDomain: string;
  /** MsvAvDnsComputerName. */
  dnsComputer: string;
  /** MsvAvDnsTreeName, sent only when given. */
  dnsTree?: string;
}

/**
 * What an NtlmAcceptor checks against (`createNtlmServer` and `createNtlmProxy` build it from their options,
 * with the defaults).
 */
export interface AcceptorPolicy {
  /** The user table the AUTHENTICATE is checked against. */
  users: Users;
  /**
   * Server-side LmCompatibilityLevel: 5 (default) NTLMv2 only; 4 and below also NTLMv1, with or without
   * ESS (its NT response is checked). LM-only responses are never accepted.
   */
  lmCompatibilityLevel: number;
  /** Channel binding checks, over TLS only. */
  tokenChecking: TokenChecking;
  /** The MsvAvChannelBindings value expected on this connection (TLS only). */
  expectedChannelBinding?: Uint8Array;
  /** Whether this connection is TLS: channel bindings only mean something there. */
  tls: boolean;
  /** Accepted MsvAvTargetName values (case-insensitive); when set, a matching SPN is required. */
  spns?: string[];
  /** How far the client's time (or the age of an echoed CHALLENGE timestamp) may be off, in ms. */
  maxClockSkewMs: number;
  /** The names the CHALLENGE carries. */
  targetNames: TargetNames;
  /** The Version field of the CHALLENGE. */
  version: NtlmVersion;
  /** Accept an anonymous AUTHENTICATE (empty user and responses). */
  allowAnonymous: boolean;
  /** Set of NTProofStr values seen recently, shared by all connections (replay detection). */
  seenProofs: Set<string>;
  /** The clock, in ms since the epoch: the CHALLENGE's timestamp and the skew check. */
  now: () => number;
  /** The random source of the 8-byte server challenges. */
  random: (size: number) => Uint8Array;
  /** How every CHALLENGE of this policy differs from the default (a `challenge(…, shape)` call overrides it). */
  challengeShape?: ChallengeShape;
  /**
   * Default false: MS-NLMP's rule (3.2.5.1.2), the EncryptedRandomSessionKey counts only when KEY_EXCH and
   * SIGN or SEAL are negotiated, otherwise ExportedSessionKey = KeyExchangeKey. true emulates
   * gss-ntlmssp and Samba, where KEY_EXCH alone makes it count.
   */
  lenientSessionKey?: boolean;
  /** Refuse an NTLMv2 AUTHENTICATE without a MIC. Default false: curl sends none and must keep working. */
  requireMic?: boolean;
}

/** What the acceptor made of an AUTHENTICATE. */
export interface AuthOutcome {
  /** Whether the client authenticated. */
  ok: boolean;
  /** The user: as written in the user table when found, else as the client sent it. */
  user?: string;
  /** The domain as the client sent it. */
  domain?: string;
  /** The dialect, once the message was read that far. */
  dialect?: ServerDialect;
  /** Whether a MIC was checked (and matched, when ok). */
  mic: boolean;
  /** The channel binding the client sent, compared with the server certificate's. */
  channelBinding: ChannelBindingStatus;
  /** The client's MsvAvTargetName, when sent. */
  spn?: string;
  /** Why the AUTHENTICATE was refused (absent when ok). */
  reason?: string;
  /** The reading of the session-key rule applied (`lenientSessionKey`). */
  reading: SessionKeyReading;
  /** Which key the MIC was checked with, when a MIC was checked. */
  micKey?: MicKey;
}

/**
 * How a CHALLENGE may differ from what this acceptor sends by default, to test clients against other
 * servers' habits.
 */
export interface ChallengeShape {
  /** false: no MsvAvTimestamp (servers before Windows Vista/2008 send none; clients then send no MIC). */
  timestamp?: boolean;
  /** Flags withheld even when the client asked for them: a server that ignores 2.2.2.5's echo rules. */
  withhold?: number;
}

/** What the AUTHENTICATE is checked against: the NEGOTIATE and CHALLENGE of this connection. */
export interface IssuedChallenge {
  negotiate: Uint8Array;
  challenge: Uint8Array;
  serverChallenge: Uint8Array;
  /** The CHALLENGE's NegotiateFlags. */
  flags: number;
  /** MsvAvTimestamp sent, if any. */
  timestamp?: Uint8Array;
  /** When the CHALLENGE was issued (policy.now()). */
  issuedAt: number;
}

const F = NegotiateFlags;

/**
 * The CHALLENGE's flags (3.2.5.1.1 and 2.2.2.5): UNICODE if asked for, else OEM (neither: the NEGOTIATE
 * is refused); SIGN, SEAL, ALWAYS_SIGN, KEY_EXCH and ESS echoed when asked for; 56 and 128 echoed only
 * with SIGN or SEAL ("otherwise ignored"); REQUEST_TARGET echoed, with a TargetName always supplied.
 * Never offered, because this acceptor does not implement them: LM_KEY (ESS is preferred anyway),
 * DATAGRAM, IDENTIFY, REQUEST_NON_NT_SESSION_KEY. KEY_EXCH is echoed even without SIGN or SEAL, as Windows
 * does: that is exactly the case where the two readings of the session-key rule differ.
 */
export function challengeFlags(requested: number): number {
  if (!(requested & (F.UNICODE | F.OEM))) {
    throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'the NEGOTIATE asks for neither Unicode nor OEM (MS-NLMP 2.2.2.5)');
  }
  let flags = F.NTLM | F.TARGET_INFO | F.VERSION | F.TARGET_TYPE_DOMAIN;
  flags |= requested & F.UNICODE ? F.UNICODE : F.OEM;
  flags |= requested & (F.REQUEST_TARGET | F.SIGN | F.SEAL | F.ALWAYS_SIGN | F.KEY_EXCH | F.EXTENDED_SESSIONSECURITY);
  if (requested & (F.SIGN | F.SEAL)) flags |= requested & (F.NEGOTIATE_56 | F.NEGOTIATE_128);
  return flags >>> 0;
}

function targetInfo(names: TargetNames, timestamp: Uint8Array | undefined): AvPair[] {
  const pairs: AvPair[] = [
    { id: AvId.NbDomainName, value: utf16le(names.netbiosDomain) },
    { id: AvId.NbComputerName, value: utf16le(names.netbiosComputer) },
    { id: AvId.DnsDomainName, value: utf16le(names.dnsDomain) },
    { id: AvId.DnsComputerName, value: utf16le(names.dnsComputer) },
  ];
  if (names.dnsTree) pairs.push({ id: AvId.DnsTreeName, value: utf16le(names.dnsTree) });
  if (timestamp) pairs.push({ id: AvId.Timestamp, value: timestamp });
  return pairs;
}

function readingOf(policy: AcceptorPolicy): SessionKeyReading {
  return policy.lenientSessionKey ? 'lenient' : 'strict';
}

/** A CHALLENGE for `negotiate` (throws NtlmError on a malformed or unanswerable NEGOTIATE). */
export function issueChallenge(
  policy: AcceptorPolicy,
  negotiate: Uint8Array,
  shape: ChallengeShape = {},
): IssuedChallenge {
  const request = parseNegotiateMessage(negotiate);
  const flags = (challengeFlags(request.flags) & ~(shape.withhold ?? 0)) >>> 0;
  const serverChallenge = policy.random(8);
  if (!(serverChallenge instanceof Uint8Array) || serverChallenge.length !== 8) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'policy.random must return the 8 bytes asked for');
  }
  const issuedAt = policy.now();
  const timestamp = shape.timestamp === false ? undefined : dateToFiletime(issuedAt);
  const challenge = createChallengeMessage({
    flags,
    serverChallenge,
    targetName: policy.targetNames.netbiosDomain,
    targetInfo: targetInfo(policy.targetNames, timestamp),
    version: policy.version,
  });
  return {
    negotiate: negotiate.slice(),
    challenge,
    serverChallenge: serverChallenge.slice(),
    flags,
    timestamp,
    issuedAt,
  };
}

/** Verifies an AUTHENTICATE against the CHALLENGE it answers (3.2.5.1.2). */
export function verifyAuthenticate(policy: AcceptorPolicy, issued: IssuedChallenge, bytes: Uint8Array): AuthOutcome {
  const reading = readingOf(policy);
  const outcome: AuthOutcome = { ok: false, mic: false, channelBinding: 'absent', reading };
  const refuse = (reason: string): AuthOutcome => ({ ...outcome, ok: false, reason });
  let message: AuthenticateMessage;
  try {
    message = parseAuthenticateMessage(bytes);
  } catch (error) {
    return refuse(`malformed AUTHENTICATE: ${(error as Error).message}`);
  }
  outcome.user = message.user;
  outcome.domain = message.domain;
  // "If the user name and response are empty, the server authenticates the client as ANONYMOUS."
  const lm = message.lmChallengeResponse;
  const emptyLm = lm.length === 0 || (lm.length === 1 && lm[0] === 0);
  if (message.user === '' && message.ntChallengeResponse.length === 0 && emptyLm) {
    outcome.dialect = 'anonymous';
    return policy.allowAnonymous ? { ...outcome, ok: true } : refuse('anonymous authentication is not allowed');
  }
  const entry = policy.users.find(message.user, message.domain);
  if (!entry) return refuse('unknown user');
  outcome.user = entry.name;
  // NegFlg: what was negotiated, i.e. what the CHALLENGE offered and the AUTHENTICATE kept.
  const negotiated = (issued.flags & message.flags) >>> 0;
  const reason = message.ntlmv2
    ? verifyNtlmV2(policy, issued, message, bytes, entry, negotiated, outcome)
    : verifyNtlmV1(policy, issued, message, entry, negotiated, outcome);
  return reason === undefined ? { ...outcome, ok: true } : refuse(reason);
}

/** The ResponseKeyNT whose NTProofStr matches, for the domain sent and then an empty UserDom (3.2.5.1.2). */
function v2ResponseKey(
  issued: IssuedChallenge,
  message: AuthenticateMessage,
  entry: UserEntry,
): Uint8Array | undefined {
  const v2 = message.ntlmv2!;
  for (const userDom of message.domain === '' ? [''] : [message.domain, '']) {
    const key = ntowfv2FromHash(entry.ntHash, message.user, userDom);
    if (bytesEqual(hmacMd5(key, issued.serverChallenge, v2.blob), v2.ntProofStr)) return key;
  }
  return undefined;
}

/** The NTLMv1 NtChallengeResponse the CHALLENGE `issued` expects from `entry`. */
function v1Expected(issued: IssuedChallenge, message: AuthenticateMessage, entry: UserEntry, ess: boolean): Uint8Array {
  return computeResponseV1({
    responseKeyNT: entry.ntHash,
    responseKeyLM: new Uint8Array(16),
    serverChallenge: issued.serverChallenge,
    clientChallenge: ess ? message.lmChallengeResponse.subarray(0, 8) : new Uint8Array(8),
    extendedSessionSecurity: ess,
  }).ntChallengeResponse;
}

/**
 * Whether the AUTHENTICATE's response proves the password against the CHALLENGE `issued` (nothing else is
 * checked): how a response to a superseded CHALLENGE is told from a wrong password.
 */
function provesAgainst(policy: AcceptorPolicy, issued: IssuedChallenge, bytes: Uint8Array): boolean {
  let message: AuthenticateMessage;
  try {
    message = parseAuthenticateMessage(bytes);
  } catch {
    return false;
  }
  const entry = policy.users.find(message.user, message.domain);
  if (!entry) return false;
  if (message.ntlmv2) return v2ResponseKey(issued, message, entry) !== undefined;
  if (message.ntChallengeResponse.length !== 24) return false;
  const ess = (issued.flags & message.flags & F.EXTENDED_SESSIONSECURITY) !== 0;
  if (ess && message.lmChallengeResponse.length !== 24) return false;
  return bytesEqual(v1Expected(issued, message, entry, ess), message.ntChallengeResponse);
}

function verifyNtlmV2(
  policy: AcceptorPolicy,
  issued: IssuedChallenge,
  message: AuthenticateMessage,
  bytes: Uint8Array,
  entry: UserEntry,
  negotiated: number,
  outcome: AuthOutcome,
): string | undefined {
  outcome.dialect = 'NTLMv2';
  const v2 = message.ntlmv2!;
  // 3.2.5.1.2: "NTLM servers SHOULD support NTLM clients which incorrectly use NIL for the UserDom for
  // calculating ResponseKeyNT and ResponseKeyLM": when the domain sent does not give the NTProofStr, an
  // empty UserDom is tried; the key that matched is the one the session key (and so the MIC) comes from.
  const responseKey = v2ResponseKey(issued, message, entry);
  if (!responseKey) return 'wrong password (NTProofStr does not match)';
  const proofKey = toHex(v2.ntProofStr);
  if (policy.seenProofs.has(proofKey)) return 'replayed AUTHENTICATE';
  policy.seenProofs.add(proofKey);
  if (policy.seenProofs.size > 100_000) policy.seenProofs.clear();

  // The client's time: the CHALLENGE's own timestamp echoed (then the CHALLENGE must be recent), or its clock.
  const now = policy.now();
  const echoed = issued.timestamp !== undefined && bytesEqual(v2.time, issued.timestamp);
  const clientTime = echoed ? issued.issuedAt : filetimeToMs(v2.time);
  if (!(Math.abs(now - clientTime) <= policy.maxClockSkewMs)) {
    return echoed
      ? 'stale CHALLENGE: it was issued longer ago than the allowed clock skew'
      : 'stale response: the client time is outside the allowed clock skew';
  }

  const micReason = checkMic(policy, issued, message, bytes, hmacMd5(responseKey, v2.ntProofStr), negotiated, outcome);
  if (micReason) return micReason;
  const cbReason = checkChannelBinding(policy, findAvPair(v2.avPairs, AvId.ChannelBindings), outcome);
  if (cbReason) return cbReason;
  const target = findAvPair(v2.avPairs, AvId.TargetName);
  if (target) outcome.spn = decodeUtf16le(target.value);
  if (policy.spns) {
    if (!outcome.spn) return 'SPN required: no MsvAvTargetName';
    const spn = outcome.spn.toLowerCase();
    if (!policy.spns.some((s) => s.toLowerCase() === spn)) return `SPN ${outcome.spn} is not accepted here`;
  }
  return undefined;
}

/**
 * The session key (3.4.5.1: NTLMv2's KeyExchangeKey is its SessionBaseKey) and the MIC: checked whenever
 * MsvAvFlags has bit 0x2, refused when that bit is set without room for a MIC, and required when the
 * policy says so.
 */
function checkMic(
  policy: AcceptorPolicy,
  issued: IssuedChallenge,
  message: AuthenticateMessage,
  bytes: Uint8Array,
  keyExchangeKey: Uint8Array,
  negotiated: number,
  outcome: AuthOutcome,
): string | undefined {
  const micPresent = (avFlagsValue(findAvPair(message.ntlmv2!.avPairs, AvId.Flags)) & AvFlags.MIC_PRESENT) !== 0;
  if (!micPresent) return policy.requireMic ? 'MIC required (requireMic), but MsvAvFlags announces none' : undefined;
  if (!message.mic) return 'MsvAvFlags announces a MIC but the message has no room for one';
  // Strict (MS-NLMP): KEY_EXCH and (SIGN or SEAL). Lenient (gss-ntlmssp, Samba): KEY_EXCH alone.
  const signOrSeal = (negotiated & (F.SIGN | F.SEAL)) !== 0;
  const keyExchanged = (negotiated & F.KEY_EXCH) !== 0 && (policy.lenientSessionKey === true || signOrSeal);
  let exportedSessionKey = keyExchangeKey;
  if (keyExchanged) {
    if (message.encryptedRandomSessionKey.length !== 16) {
      const length = message.encryptedRandomSessionKey.length;
      return `KEY_EXCH negotiated, but the EncryptedRandomSessionKey is ${length} bytes, not 16`;
    }
    exportedSessionKey = decryptRandomSessionKey(keyExchangeKey, message.encryptedRandomSessionKey);
  }
  const micKey: MicKey = keyExchanged ? 'random-session-key' : 'key-exchange-key';
  if (!bytesEqual(computeMic(exportedSessionKey, issued.negotiate, issued.challenge, bytes), message.mic)) {
    const key = micKey === 'random-session-key' ? 'the random session key' : 'the KeyExchangeKey';
    return `bad MIC (checked with ${key}, ${outcome.reading} reading of the session-key rule)`;
  }
  outcome.mic = true;
  outcome.micKey = micKey;
  return undefined;
}

function verifyNtlmV1(
  policy: AcceptorPolicy,
  issued: IssuedChallenge,
  message: AuthenticateMessage,
  entry: UserEntry,
  negotiated: number,
  outcome: AuthOutcome,
): string | undefined {
  const lm = message.lmChallengeResponse;
  const ess = (negotiated & F.EXTENDED_SESSIONSECURITY) !== 0;
  outcome.dialect = ess ? 'NTLMv1-ESS' : 'NTLMv1';
  if (policy.lmCompatibilityLevel >= 5) return 'NTLMv1 refused (server accepts NTLMv2 only)';
  if (message.ntChallengeResponse.length !== 24) return 'LM-only or malformed NTLMv1 response: not accepted';
  if (ess && lm.length !== 24) return 'NTLMv1 with ESS needs the client challenge in a 24-byte LM field';
  if (!bytesEqual(v1Expected(issued, message, entry, ess), message.ntChallengeResponse)) {
    return 'wrong password (NTLMv1 response does not match)';
  }
  if (policy.tls && policy.tokenChecking === 'require') return 'channel binding required, but NTLMv1 cannot carry one';
  return undefined;
}

function checkChannelBinding(
  policy: AcceptorPolicy,
  pair: AvPair | undefined,
  outcome: AuthOutcome,
): string | undefined {
  if (!pair) outcome.channelBinding = 'absent';
  else if (pair.value.every((b) => b === 0)) outcome.channelBinding = 'zero';
  else if (policy.expectedChannelBinding && bytesEqual(pair.value, policy.expectedChannelBinding)) {
    outcome.channelBinding = 'present';
  } else outcome.channelBinding = 'wrong';
  if (!policy.tls || policy.tokenChecking === 'none') return undefined;
  if (outcome.channelBinding === 'wrong') return 'wrong channel binding';
  // MS-NLMP 2.2.2.1: an all-zero MsvAvChannelBindings means none was given (as Windows reads it,
  // SEC_CHANNEL_BINDINGS_RESULT_ABSENT: "omitted or consist entirely of zeroes"): `allow` accepts it as it
  // accepts none, `require` refuses it as it refuses none. It is still reported as `zero`.
  if (policy.tokenChecking === 'require') {
    if (outcome.channelBinding === 'absent') return 'channel binding required (tokenChecking: require)';
    if (outcome.channelBinding === 'zero') {
      return 'channel binding required (tokenChecking: require), but the client sent an all-zero one (none)';
    }
  }
  return undefined;
}

/** How many CHALLENGEs replaced by a restart are remembered, to name a late answer to one of them. */
const SUPERSEDED_KEPT = 4;

/** The server's NTLM side without HTTP, one per connection: `challenge(negotiate)`, then `authenticate(message)`. */
export class NtlmAcceptor {
  private pending: IssuedChallenge | undefined;
  /** CHALLENGEs a later NEGOTIATE replaced before they were answered (most recent last). */
  private superseded: IssuedChallenge[] = [];

  constructor(private readonly policy: AcceptorPolicy) {}

  /** Whether a CHALLENGE is waiting for its AUTHENTICATE on this connection. */
  get negotiating(): boolean {
    return this.pending !== undefined;
  }

  /** The reading of the session-key rule this acceptor applies. */
  get reading(): SessionKeyReading {
    return readingOf(this.policy);
  }

  /**
   * Answers a NEGOTIATE with a CHALLENGE (throws NtlmError on a malformed message). A NEGOTIATE while a
   * CHALLENGE is pending restarts the handshake (MS-NLMP does not forbid it): the new CHALLENGE replaces the
   * pending one, and an AUTHENTICATE that answers the replaced one is refused as such.
   */
  challenge(negotiate: Uint8Array, shape?: ChallengeShape): Uint8Array {
    const previous = this.pending;
    this.pending = undefined;
    const issued = issueChallenge(this.policy, negotiate, shape ?? this.policy.challengeShape);
    if (previous) this.superseded = [...this.superseded, previous].slice(-SUPERSEDED_KEPT);
    this.pending = issued;
    return issued.challenge;
  }

  /** Drops the pending CHALLENGE unanswered (the handshake ends: a later AUTHENTICATE has none to answer). */
  abandon(): void {
    this.pending = undefined;
    this.superseded = [];
  }

  /** Verifies an AUTHENTICATE against the CHALLENGE this acceptor issued. A CHALLENGE is answered once. */
  authenticate(bytes: Uint8Array): AuthOutcome {
    const pending = this.pending;
    const superseded = this.superseded;
    this.abandon();
    if (!pending) {
      const reason = 'AUTHENTICATE without a CHALLENGE on this connection';
      return { ok: false, mic: false, channelBinding: 'absent', reading: this.reading, reason };
    }
    const outcome = verifyAuthenticate(this.policy, pending, bytes);
    if (
      !outcome.ok &&
      superseded.length > 0 &&
      !provesAgainst(this.policy, pending, bytes) &&
      superseded.some((issued) => provesAgainst(this.policy, issued, bytes))
    ) {
      return { ...outcome, reason: 'AUTHENTICATE answers a superseded CHALLENGE (a later NEGOTIATE replaced it)' };
    }
    return outcome;
  }
}
