// The client side of MS-NLMP 3.1.5.1.2: from a CHALLENGE to the AUTHENTICATE message.
import { randomBytes } from './random.js';
import { utf16le } from './bytes.js';
import { channelBindingFromCertificate, type CertificateInput } from './channel-binding.js';
import { computeResponseV1, computeResponseV2 } from './crypto/compute-response.js';
import { encryptRandomSessionKey } from './crypto/key-exchange.js';
import { kxkey } from './crypto/kxkey.js';
import { mic as computeMic, MIC_OFFSET } from './crypto/mic.js';
import { lmowfv1 } from './crypto/ntowf.js';
import { PreparedCredentials, type Credentials } from './credentials.js';
import { NtlmError } from './errors.js';
import { encodeAuthenticateMessage } from './messages/authenticate.js';
import { AvFlags, AvId, avFlagsValue, dateToFiletime, encodeAvPairs, u32le, type AvPair } from './messages/av-pairs.js';
import { parseChallengeMessage, type Challenge } from './messages/challenge.js';
import { DEFAULT_NEGOTIATE_FLAGS, NegotiateFlags } from './messages/flags.js';
import { parseNegotiateMessage } from './messages/negotiate.js';
import { DEFAULT_VERSION, type NtlmVersion } from './messages/version.js';

/**
 * Windows' LmCompatibilityLevel, client side: 0 LM + NTLMv1, 1 LM + NTLMv1 with NTLM2 session
 * security (ESS) when negotiated, 2 NTLMv1 only (ESS when negotiated), 3-5 NTLMv2 only.
 */
export type LmCompatibilityLevel = 0 | 1 | 2 | 3 | 4 | 5;

export type Dialect = 'NTLMv2' | 'NTLMv1' | 'NTLMv1-ESS' | 'anonymous';

/** Who authenticates: the credentials themselves, or prepared ones (see prepareCredentials). */
export type AuthenticateOptions = AuthenticateParams & (Credentials | { credentials: PreparedCredentials });

export interface AuthenticateParams {
  /** The NEGOTIATE message exactly as sent: the MIC covers it. */
  negotiate?: Uint8Array;
  /** The server's CHALLENGE, as bytes or parsed. */
  challenge: Uint8Array | Challenge;
  /** Service principal name for MsvAvTargetName, e.g. `HTTP/server.example.com`. */
  spn?: string;
  /** The TLS server certificate of the connection, for the EPA channel binding. */
  serverCertificate?: CertificateInput;
  /** A ready 16-byte MsvAvChannelBindings value (instead of serverCertificate). */
  channelBindings?: Uint8Array;
  /** Default 3: NTLMv2 only. Lower levels are legacy and must be asked for. */
  lmCompatibilityLevel?: LmCompatibilityLevel;
  /**
   * Send a MIC (and set MsvAvFlags bit 0x2). Default: true for NTLMv2 when the server sent
   * target info; needs `negotiate`.
   */
  mic?: boolean;
  /** Override the negotiated flags (test vectors use this). */
  flags?: number;
  version?: NtlmVersion;
  /** Test hooks: fixed client challenge (8 bytes), random session key (16), FILETIME (8), clock. */
  clientChallenge?: Uint8Array;
  randomSessionKey?: Uint8Array;
  timestamp?: Uint8Array;
  now?: () => number;
  /** Called with a human-readable note when something is left out (e.g. a certificate without a binding). */
  onWarning?: (message: string) => void;
}

export interface AuthenticateResult {
  message: Uint8Array;
  dialect: Dialect;
  flags: number;
  mic?: Uint8Array;
  /** Whether MsvAvChannelBindings was sent (never all-zero). */
  channelBinding?: Uint8Array;
  exportedSessionKey: Uint8Array;
  sessionBaseKey: Uint8Array;
  keyExchangeKey: Uint8Array;
}

function fixedLength(value: Uint8Array | undefined, length: number, name: string): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${name} must be ${length} bytes`);
  }
  return value;
}

function negotiatedFlags(challenge: Challenge, options: AuthenticateOptions, level: LmCompatibilityLevel, anonymous: boolean): number {
  if (options.flags !== undefined) return options.flags >>> 0;
  const requested = options.negotiate ? parseNegotiateMessage(options.negotiate).flags : DEFAULT_NEGOTIATE_FLAGS;
  let flags = challenge.flags & requested;
  if (challenge.flags & NegotiateFlags.UNICODE) flags = (flags | NegotiateFlags.UNICODE) & ~NegotiateFlags.OEM;
  else flags = (flags | NegotiateFlags.OEM) & ~NegotiateFlags.UNICODE;
  flags |= NegotiateFlags.NTLM | NegotiateFlags.VERSION;
  if (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) flags &= ~NegotiateFlags.LM_KEY;
  if (level === 0) flags &= ~NegotiateFlags.EXTENDED_SESSIONSECURITY;
  if (anonymous) flags |= NegotiateFlags.ANONYMOUS;
  return flags >>> 0;
}

/** The AV pairs the client echoes: the server's in order, without TargetName/ChannelBindings, plus ours. */
function clientAvPairs(challenge: Challenge, withMic: boolean, channelBinding: Uint8Array | undefined, spn: string | undefined): AvPair[] {
  const pairs: AvPair[] = [];
  let flagsSeen = false;
  for (const pair of challenge.targetInfo) {
    if (pair.id === AvId.TargetName || pair.id === AvId.ChannelBindings) continue;
    if (pair.id === AvId.Flags) {
      flagsSeen = true;
      let value = avFlagsValue(pair) & ~AvFlags.UNTRUSTED_SPN_SOURCE;
      if (withMic) value |= AvFlags.MIC_PRESENT;
      pairs.push({ id: AvId.Flags, value: u32le(value) });
      continue;
    }
    pairs.push(pair);
  }
  if (withMic && !flagsSeen) pairs.push({ id: AvId.Flags, value: u32le(AvFlags.MIC_PRESENT) });
  if (channelBinding) pairs.push({ id: AvId.ChannelBindings, value: channelBinding });
  if (spn !== undefined) pairs.push({ id: AvId.TargetName, value: utf16le(spn) });
  return pairs;
}

function resolveChannelBinding(options: AuthenticateOptions): Uint8Array | undefined {
  if (options.channelBindings !== undefined) {
    const value = fixedLength(options.channelBindings, 16, 'channelBindings')!;
    if (value.every((b) => b === 0)) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an all-zero channel binding is never sent: omit channelBindings instead');
    }
    return value;
  }
  if (options.serverCertificate === undefined) return undefined;
  try {
    return channelBindingFromCertificate(options.serverCertificate);
  } catch (error) {
    if (error instanceof NtlmError && error.code === 'ERR_NTLM_NO_CHANNEL_BINDING') {
      options.onWarning?.(`${error.message}; the AUTHENTICATE message carries no channel binding`);
      return undefined;
    }
    throw error;
  }
}

export function buildAuthenticateMessage(options: AuthenticateOptions): AuthenticateResult {
  if (!options || options.challenge === undefined) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'createAuthenticateMessage needs the server `challenge`');
  const challenge = options.challenge instanceof Uint8Array ? parseChallengeMessage(options.challenge) : options.challenge;
  const level = options.lmCompatibilityLevel ?? 3;
  if (![0, 1, 2, 3, 4, 5].includes(level)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'lmCompatibilityLevel must be 0 to 5');
  const prepared = 'credentials' in options && options.credentials instanceof PreparedCredentials ? options.credentials : new PreparedCredentials(options as Credentials);
  const credentials = prepared.resolved();
  const clientChallenge = fixedLength(options.clientChallenge, 8, 'clientChallenge') ?? randomBytes(8);
  const flags = negotiatedFlags(challenge, options, level, credentials.anonymous);
  const ntlmv2 = level >= 3 && !credentials.anonymous;
  const withMic = ntlmv2 && (options.mic ?? challenge.targetInfo.length > 0);
  if (withMic && !options.negotiate) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'the MIC covers the NEGOTIATE message: pass `negotiate` (the bytes sent) or set `mic: false`');
  }

  let lmChallengeResponse: Uint8Array;
  let ntChallengeResponse: Uint8Array;
  let sessionBaseKey: Uint8Array;
  let lmowf: Uint8Array = new Uint8Array(16);
  let channelBinding: Uint8Array | undefined;
  let dialect: Dialect;
  if (credentials.anonymous) {
    dialect = 'anonymous';
    lmChallengeResponse = new Uint8Array(1);
    ntChallengeResponse = new Uint8Array(0);
    sessionBaseKey = new Uint8Array(16);
  } else if (ntlmv2) {
    dialect = 'NTLMv2';
    channelBinding = resolveChannelBinding(options);
    const responseKey = prepared.ntlmv2Key();
    lmowf = responseKey.bytes;
    const time = fixedLength(options.timestamp, 8, 'timestamp') ?? challenge.timestamp ?? dateToFiletime((options.now ?? Date.now)());
    const response = computeResponseV2({
      responseKeyNT: responseKey.key,
      responseKeyLM: responseKey.key,
      serverChallenge: challenge.serverChallenge,
      clientChallenge,
      time,
      serverName: encodeAvPairs(clientAvPairs(challenge, withMic, channelBinding, options.spn)),
      zeroLmResponse: challenge.timestamp !== undefined,
    });
    ({ lmChallengeResponse, ntChallengeResponse, sessionBaseKey } = response);
  } else {
    const ess = (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) !== 0;
    dialect = ess ? 'NTLMv1-ESS' : 'NTLMv1';
    const wantsLm = level < 2 && !ess;
    if (wantsLm && credentials.password === undefined) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an LM response needs the password, not only its NT hash (use lmCompatibilityLevel 2 or higher)');
    }
    if (credentials.password !== undefined) lmowf = lmowfv1(credentials.password);
    const response = computeResponseV1({
      responseKeyNT: credentials.ntHash,
      responseKeyLM: lmowf,
      serverChallenge: challenge.serverChallenge,
      clientChallenge,
      extendedSessionSecurity: ess,
      noLmResponse: !wantsLm,
    });
    ({ lmChallengeResponse, ntChallengeResponse, sessionBaseKey } = response);
  }

  const keyExchangeKey = kxkey({ flags, sessionBaseKey, lmChallengeResponse, serverChallenge: challenge.serverChallenge, lmowf, ntlmv2 });
  let exportedSessionKey: Uint8Array = keyExchangeKey;
  let encryptedRandomSessionKey: Uint8Array = new Uint8Array(0);
  if (flags & NegotiateFlags.KEY_EXCH) {
    exportedSessionKey = fixedLength(options.randomSessionKey, 16, 'randomSessionKey') ?? randomBytes(16);
    encryptedRandomSessionKey = encryptRandomSessionKey(keyExchangeKey, exportedSessionKey);
  }

  const message = encodeAuthenticateMessage({
    flags,
    lmChallengeResponse,
    ntChallengeResponse,
    domain: credentials.domain,
    user: credentials.user,
    workstation: credentials.workstation,
    encryptedRandomSessionKey,
    version: options.version ?? DEFAULT_VERSION,
    withMic,
  });
  const result: AuthenticateResult = { message, dialect, flags, exportedSessionKey, sessionBaseKey, keyExchangeKey };
  if (withMic) {
    result.mic = computeMic(exportedSessionKey, options.negotiate!, challenge.raw, message);
    message.set(result.mic, MIC_OFFSET);
  }
  if (channelBinding) result.channelBinding = channelBinding;
  return result;
}

export function createAuthenticateMessage(options: AuthenticateOptions): Uint8Array {
  return buildAuthenticateMessage(options).message;
}

