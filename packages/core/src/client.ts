// The client side of MS-NLMP 3.1.5.1.2: from a CHALLENGE to the AUTHENTICATE message.
import {
  checkBoolean,
  checkBytes,
  checkFieldLength,
  checkFlags,
  checkFunction,
  checkInteger,
  checkOptions,
  checkResult,
  checkString,
  MAX_FIELD,
} from './arguments.js';
import { isAllZero, utf16le } from './bytes.js';
import { channelBindingFromCertificate, type CertificateInput } from './channel-binding.js';
import { computeResponseV1, computeResponseV2 } from './crypto/compute-response.js';
import { encryptRandomSessionKey, randomSessionKeyCounts } from './crypto/key-exchange.js';
import { kxkey } from './crypto/kxkey.js';
import { mic as computeMic, MIC_OFFSET } from './crypto/mic.js';
import { lmowfv1 } from './crypto/ntowf.js';
import { PreparedCredentials, preparedFor, type Credentials } from './credentials.js';
import { NtlmError } from './errors.js';
import { textEncoder, writeAuthenticate } from './messages/authenticate.js';
import {
  AvFlags,
  AvId,
  avFlagsValue,
  avPairsLength,
  checkAvPairs,
  dateToFiletime,
  u32le,
  writeAvPairs,
  type AvPair,
} from './messages/av-pairs.js';
import { parseChallengeMessage, type Challenge } from './messages/challenge.js';
import { DEFAULT_NEGOTIATE_FLAGS, NegotiateFlags } from './messages/flags.js';
import { negotiateFlags } from './messages/negotiate.js';
import { DEFAULT_VERSION, type NtlmVersion } from './messages/version.js';
import { randomBytes } from './random.js';

/**
 * Windows' LmCompatibilityLevel, client side (what the level means here, for the NEGOTIATE and the AUTHENTICATE):
 * - 0: LM + NTLMv1 responses, never NTLMv2 session security: the NEGOTIATE does not ask for
 *   EXTENDED_SESSIONSECURITY (ESS), so it is not negotiated and the AUTHENTICATE does not carry it.
 * - 1: LM + NTLMv1; ESS asked for, and used (the NTLM2 session response) when the server grants it.
 * - 2: NTLMv1 only (the NT response in both fields, NoLMResponseNTLMv1); ESS as at level 1.
 * - 3, 4, 5: NTLMv2 only (4 and 5 differ from 3 on domain controllers only); ESS asked for and echoed.
 * At every level the AUTHENTICATE's flags are those negotiated (2.2.1.3): asked for and granted. A flag the
 * server grants unasked (ESS at level 0 included) is not negotiated; an ESS that a caller's own NEGOTIATE
 * asked for at level 0 and the server granted is negotiated, and used (3.3.1), as the spec says.
 */
export type LmCompatibilityLevel = 0 | 1 | 2 | 3 | 4 | 5;

/** The dialect of an AUTHENTICATE: NTLMv2, NTLMv1, NTLMv1 with ESS (NTLM2 session response), or anonymous. */
export type Dialect = 'NTLMv2' | 'NTLMv1' | 'NTLMv1-ESS' | 'anonymous';

/** Who authenticates: the credentials themselves, or prepared ones (see prepareCredentials). */
export type AuthenticateOptions = AuthenticateParams &
  (
    | Credentials
    | {
        /** Credentials from `prepareCredentials`, instead of `username` and `password` or `ntHash`. */
        credentials: PreparedCredentials;
      }
  );

/** What `createAuthenticateMessage` takes besides the credentials. */
export interface AuthenticateParams {
  /** The NEGOTIATE message exactly as sent: the MIC covers it, and its flags are what we asked for. */
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
   * Send a MIC (and set MsvAvFlags bit 0x2). Default: for NTLMv2 when the server sent MsvAvTimestamp,
   * as MS-NLMP 3.1.5.1.2 says; needs `negotiate`.
   */
  mic?: boolean;
  /** Override the negotiated flags (the MS-NLMP 4.2 vectors pass the spec's). */
  flags?: number;
  /** The Version field of the AUTHENTICATE; defaults to DEFAULT_VERSION. */
  version?: NtlmVersion;
  /** Test hook: a fixed 8-byte client challenge instead of a random one. */
  clientChallenge?: Uint8Array;
  /** Test hook: a fixed 16-byte random session key, used only where the random key counts (see README). */
  randomSessionKey?: Uint8Array;
  /** Test hook: the NTLMv2 blob's 8-byte FILETIME, instead of the server's MsvAvTimestamp or the clock. */
  timestamp?: Uint8Array;
  /** Test hook: the clock, in ms since 1970 (default `Date.now`); read only when no timestamp is given or sent. */
  now?: () => number;
  /** Test hook: a source of `size` random bytes for whatever is not fixed (default: the CSPRNG). */
  random?: (size: number) => Uint8Array;
  /** Called with a human-readable note when something is left out (e.g. a certificate without a binding). */
  onWarning?: (message: string) => void;
}

/**
 * What the ExportedSessionKey is, and so which key the MIC was computed with: a random key sent under
 * KEY_EXCH (when the server negotiated SIGN or SEAL with it), or the KeyExchangeKey itself.
 */
export type SessionKeySource = 'random-session-key' | 'key-exchange-key';

/** What `buildAuthenticateMessage` returns: the message and the facts and keys behind it. */
export interface AuthenticateResult {
  /** The AUTHENTICATE message, MIC included. */
  message: Uint8Array;
  /** The dialect the responses were computed in. */
  dialect: Dialect;
  /** The NegotiateFlags the AUTHENTICATE carries. */
  flags: number;
  /** The 16-byte MIC, when one was sent. */
  mic?: Uint8Array;
  /** The MsvAvChannelBindings value sent, if any (never all-zero). */
  channelBinding?: Uint8Array;
  /** ExportedSessionKey (16 bytes): the MIC's key (see `sessionKeySource`). */
  exportedSessionKey: Uint8Array;
  /** SessionBaseKey (16 bytes; zeros for anonymous). */
  sessionBaseKey: Uint8Array;
  /** KeyExchangeKey (KXKEY, MS-NLMP 3.4.5.1); for NTLMv2 the SessionBaseKey. */
  keyExchangeKey: Uint8Array;
  /** Which key the ExportedSessionKey, and so the MIC key, is. */
  sessionKeySource: SessionKeySource;
}

const F = NegotiateFlags;

/** Flags that describe the NEGOTIATE's own fields or the server: never echoed in an AUTHENTICATE. */
const NOT_ECHOED =
  F.OEM_DOMAIN_SUPPLIED |
  F.OEM_WORKSTATION_SUPPLIED |
  F.TARGET_TYPE_DOMAIN |
  F.TARGET_TYPE_SERVER |
  0x00040000 /* TARGET_TYPE_SHARE */ |
  0x00004000; /* LOCAL_CALL */

/**
 * NegotiateFlags of the AUTHENTICATE (2.2.1.3: "the flags negotiated in the previous messages"): what
 * the server selected of what we asked for; its character set (2.2.2.5: neither is SEC_E_INVALID_TOKEN);
 * TARGET_INFO when it sent target info (as Windows and .NET clients do); ESS over LM_KEY. The level does not
 * remove ESS here: at level 0 it is not asked for (negotiateFlagsForLevel), so not negotiated.
 */
export function authenticateFlags(
  server: number,
  requested: number,
  level: LmCompatibilityLevel,
  anonymous: boolean,
): number {
  if (!(server & (F.UNICODE | F.OEM))) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_TOKEN',
      'the CHALLENGE selects neither Unicode nor OEM strings (MS-NLMP 2.2.2.5)',
    );
  }
  let flags = server & requested & ~NOT_ECHOED;
  flags = server & F.UNICODE ? (flags | F.UNICODE) & ~F.OEM : (flags | F.OEM) & ~F.UNICODE;
  flags |= F.NTLM | F.VERSION;
  if (server & F.TARGET_INFO && level >= 3) flags |= F.TARGET_INFO;
  if (flags & F.EXTENDED_SESSIONSECURITY) flags &= ~F.LM_KEY;
  if (anonymous) flags |= F.ANONYMOUS;
  return flags >>> 0;
}

/**
 * The flags a NEGOTIATE asks for at this level: `flags` (default DEFAULT_NEGOTIATE_FLAGS), without
 * EXTENDED_SESSIONSECURITY at level 0 (see LmCompatibilityLevel).
 */
export function negotiateFlagsForLevel(level: LmCompatibilityLevel, flags: number = DEFAULT_NEGOTIATE_FLAGS): number {
  checkInteger(level, 'lmCompatibilityLevel', 0, 5);
  const asked = checkFlags(flags, 'flags');
  return (level === 0 ? asked & ~F.EXTENDED_SESSIONSECURITY : asked) >>> 0;
}

/** A parsed CHALLENGE from a caller, checked as far as we use it. */
function checkChallenge(value: unknown): Challenge {
  if (value instanceof Uint8Array) return parseChallengeMessage(value);
  const c = checkOptions(value as Challenge, 'challenge');
  checkFlags(c.flags, 'challenge.flags');
  checkBytes(c.serverChallenge, 'challenge.serverChallenge', 8);
  checkAvPairs(c.targetInfo, 'challenge.targetInfo');
  checkBytes(c.raw, 'challenge.raw');
  if (c.timestamp !== undefined) checkBytes(c.timestamp, 'challenge.timestamp', 8);
  return c;
}

function optionalBytes(value: unknown, length: number, name: string): Uint8Array | undefined {
  return value === undefined ? undefined : checkBytes(value, name, length);
}

function resolveCredentials(options: AuthenticateOptions): PreparedCredentials {
  if ('credentials' in options && options.credentials !== undefined) {
    const given: unknown = options.credentials;
    if (given instanceof PreparedCredentials) return given;
    return preparedFor(checkOptions(given as Credentials, 'credentials'));
  }
  return new PreparedCredentials(options as Credentials);
}

/**
 * The AV pairs the client sends (3.1.5.1.2): the server's in order, without the TargetName and
 * ChannelBindings it may have sent (ours replace them), with bit 0x2 of its MsvAvFlags set exactly when
 * a MIC is sent and bit 0x4 never; one MsvAvFlags pair only.
 */
function clientAvPairs(
  challenge: Challenge,
  withMic: boolean,
  channelBinding: Uint8Array | undefined,
  spn: Uint8Array | undefined,
): AvPair[] {
  const pairs: AvPair[] = [];
  let flagsSeen = false;
  for (const pair of challenge.targetInfo) {
    if (pair.id === AvId.TargetName || pair.id === AvId.ChannelBindings) continue;
    if (pair.id === AvId.Flags) {
      if (flagsSeen) continue;
      flagsSeen = true;
      let value = avFlagsValue(pair) & ~(AvFlags.UNTRUSTED_SPN_SOURCE | AvFlags.MIC_PRESENT);
      if (withMic) value |= AvFlags.MIC_PRESENT;
      pairs.push({ id: AvId.Flags, value: u32le(value) });
      continue;
    }
    pairs.push(pair);
  }
  if (withMic && !flagsSeen) pairs.push({ id: AvId.Flags, value: u32le(AvFlags.MIC_PRESENT) });
  if (channelBinding) pairs.push({ id: AvId.ChannelBindings, value: channelBinding });
  if (spn !== undefined) pairs.push({ id: AvId.TargetName, value: spn });
  return pairs;
}

function resolveChannelBinding(
  options: AuthenticateOptions,
  onWarning: ((message: string) => void) | undefined,
): Uint8Array | undefined {
  if (options.channelBindings !== undefined) {
    const value = checkBytes(options.channelBindings, 'channelBindings', 16);
    if (isAllZero(value)) {
      throw new NtlmError(
        'ERR_NTLM_INVALID_ARGUMENT',
        'an all-zero channel binding is never sent: omit channelBindings instead',
      );
    }
    return value;
  }
  if (options.serverCertificate === undefined) return undefined;
  try {
    return channelBindingFromCertificate(options.serverCertificate);
  } catch (error) {
    if (error instanceof NtlmError && error.code === 'ERR_NTLM_NO_CHANNEL_BINDING') {
      onWarning?.(`${error.message}; the AUTHENTICATE message carries no channel binding`);
      return undefined;
    }
    throw error;
  }
}

interface Responses {
  lmChallengeResponse: Uint8Array;
  ntChallengeResponse: Uint8Array;
  sessionBaseKey: Uint8Array;
  /** LMOWFv1 for the NTLMv1 keys that need it (LM_KEY, REQUEST_NON_NT_SESSION_KEY). */
  lmowf?: Uint8Array;
}

interface SessionKeys {
  exportedSessionKey: Uint8Array;
  /** The EncryptedRandomSessionKey field. */
  encrypted: Uint8Array;
  source: SessionKeySource;
}

/** The session key rule (see packages/core/README.md, "Session key and MIC"). */
function exchangeKeys(
  challengeFlags: number,
  flags: number,
  keyExchangeKey: Uint8Array,
  randomKey: () => Uint8Array,
): SessionKeys {
  // KEY_EXCH with SIGN or SEAL, in what the server offered and in what we send: every reading of the
  // spec (3.2.5.1.2 requires SIGN or SEAL; gss-ntlmssp and Samba do not) takes the random key.
  if (randomSessionKeyCounts(challengeFlags) && randomSessionKeyCounts(flags)) {
    const random = randomKey();
    return {
      exportedSessionKey: random,
      encrypted: encryptRandomSessionKey(keyExchangeKey, random),
      source: 'random-session-key',
    };
  }
  // KEY_EXCH alone: a strict server ignores the EncryptedRandomSessionKey and a lenient one decrypts it.
  // Sending RC4K(KeyExchangeKey, KeyExchangeKey) makes both arrive at the KeyExchangeKey.
  const keyExchanged = ((challengeFlags | flags) & F.KEY_EXCH) !== 0;
  const encrypted = keyExchanged ? encryptRandomSessionKey(keyExchangeKey, keyExchangeKey) : new Uint8Array(0);
  return { exportedSessionKey: keyExchangeKey, encrypted, source: 'key-exchange-key' };
}

/** Computes the AUTHENTICATE (Type 3) for a CHALLENGE (MS-NLMP 3.1.5.1.2), with the dialect, flags and keys. */
export function buildAuthenticateMessage(options: AuthenticateOptions): AuthenticateResult {
  const o = checkOptions(options, 'createAuthenticateMessage options');
  if (o.challenge === undefined) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'createAuthenticateMessage needs the server `challenge`');
  }
  const challenge = checkChallenge(o.challenge);
  const level = (
    o.lmCompatibilityLevel === undefined ? 3 : checkInteger(o.lmCompatibilityLevel, 'lmCompatibilityLevel', 0, 5)
  ) as LmCompatibilityLevel;
  const random = o.random === undefined ? randomBytes : checkFunction<(size: number) => Uint8Array>(o.random, 'random');
  const fresh = random === randomBytes ? randomBytes : (size: number) => checkResult(random(size), 'random', size);
  const now = o.now === undefined ? Date.now : checkFunction<() => number>(o.now, 'now');
  const onWarning =
    o.onWarning === undefined ? undefined : checkFunction<(note: string) => void>(o.onWarning, 'onWarning');
  const negotiate = o.negotiate === undefined ? undefined : checkBytes(o.negotiate, 'negotiate');
  const spn = o.spn === undefined ? undefined : utf16le(checkString(o.spn, 'spn'));
  if (spn) checkFieldLength(spn.length, 'spn');
  const clientChallenge = optionalBytes(o.clientChallenge, 8, 'clientChallenge') ?? fresh(8);
  const fixedSessionKey = optionalBytes(o.randomSessionKey, 16, 'randomSessionKey');
  const fixedTime = optionalBytes(o.timestamp, 8, 'timestamp');
  const version = o.version ?? DEFAULT_VERSION;

  const prepared = resolveCredentials(o);
  const credentials = prepared.resolved();
  // What was asked for: the NEGOTIATE sent, or the one we would have sent at this level.
  const requested = negotiate ? negotiateFlags(negotiate) : negotiateFlagsForLevel(level);
  const flags =
    o.flags === undefined
      ? authenticateFlags(challenge.flags, requested, level, credentials.anonymous)
      : checkFlags(o.flags, 'flags');
  const ntlmv2 = level >= 3 && !credentials.anonymous;
  const withMic = ntlmv2 && (o.mic === undefined ? challenge.timestamp !== undefined : checkBoolean(o.mic, 'mic'));
  if (withMic && !negotiate) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'the MIC covers the NEGOTIATE message: pass `negotiate` (the bytes sent) or set `mic: false`',
    );
  }
  const text = textEncoder(flags);
  const domain = text(credentials.domain);
  const user = text(credentials.user);
  const workstation = text(credentials.workstation);
  checkFieldLength(domain.length, 'domain');
  checkFieldLength(user.length, 'username');
  checkFieldLength(workstation.length, 'workstation');

  let dialect: Dialect;
  let responses: Responses;
  let channelBinding: Uint8Array | undefined;
  if (credentials.anonymous) {
    dialect = 'anonymous';
    // 3.3.1/3.3.2: no NT response, LM = Z(1); no key material.
    responses = {
      lmChallengeResponse: new Uint8Array(1),
      ntChallengeResponse: new Uint8Array(0),
      sessionBaseKey: new Uint8Array(16),
    };
  } else if (ntlmv2) {
    dialect = 'NTLMv2';
    channelBinding = resolveChannelBinding(o, onWarning);
    const pairs = clientAvPairs(challenge, withMic, channelBinding, spn);
    const serverNameLength = avPairsLength(pairs);
    if (16 + 28 + serverNameLength + 4 > MAX_FIELD) {
      throw new NtlmError(
        'ERR_NTLM_FIELD_OUT_OF_RANGE',
        `the NTLMv2 response would carry ${serverNameLength} bytes of AV pairs (the server's target info and ours); ` +
          `an NTLM field holds at most ${MAX_FIELD}`,
      );
    }
    const serverName = new Uint8Array(serverNameLength);
    writeAvPairs(serverName, 0, pairs);
    const responseKey = prepared.ntlmv2Key().key;
    // 3.1.5.1.2: the server's MsvAvTimestamp when it sent one, else the current time.
    const time = fixedTime ?? challenge.timestamp ?? dateToFiletime(checkNow(now()));
    responses = computeResponseV2({
      responseKeyNT: responseKey,
      responseKeyLM: responseKey,
      serverChallenge: challenge.serverChallenge,
      clientChallenge,
      time,
      serverName,
      // 3.1.5.1.2: with MsvAvTimestamp the client sends Z(24) instead of the LMv2 response.
      zeroLmResponse: challenge.timestamp !== undefined,
    });
  } else {
    responses = ntlmv1Responses(flags, level, credentials, challenge.serverChallenge, clientChallenge);
    dialect = flags & F.EXTENDED_SESSIONSECURITY ? 'NTLMv1-ESS' : 'NTLMv1';
  }

  const keyExchangeKey =
    credentials.anonymous || ntlmv2
      ? responses.sessionBaseKey // 3.4.5.1: NTLMv2's KeyExchangeKey is its SessionBaseKey; anonymous has no key
      : kxkey({
          flags,
          sessionBaseKey: responses.sessionBaseKey,
          lmChallengeResponse: responses.lmChallengeResponse,
          serverChallenge: challenge.serverChallenge,
          lmowf: responses.lmowf ?? new Uint8Array(16),
          ntlmv2: false,
        });
  const keys = exchangeKeys(challenge.flags, flags, keyExchangeKey, () => fixedSessionKey ?? fresh(16));

  const message = writeAuthenticate({
    flags,
    lmChallengeResponse: responses.lmChallengeResponse,
    ntChallengeResponse: responses.ntChallengeResponse,
    domain,
    user,
    workstation,
    encryptedRandomSessionKey: keys.encrypted,
    version,
    withMic,
  });
  const result: AuthenticateResult = {
    message,
    dialect,
    flags,
    exportedSessionKey: keys.exportedSessionKey,
    sessionBaseKey: responses.sessionBaseKey,
    keyExchangeKey,
    sessionKeySource: keys.source,
  };
  if (withMic) {
    result.mic = computeMic(keys.exportedSessionKey, negotiate!, challenge.raw, message);
    message.set(result.mic, MIC_OFFSET);
  }
  if (channelBinding) result.channelBinding = channelBinding;
  return result;
}

function checkNow(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'now must return milliseconds since 1970');
  }
  return ms;
}

/** ComputeResponse of 3.3.1 with Windows' level semantics; LMOWF only where a key or response needs it. */
function ntlmv1Responses(
  flags: number,
  level: LmCompatibilityLevel,
  credentials: ReturnType<PreparedCredentials['resolved']>,
  serverChallenge: Uint8Array,
  clientChallenge: Uint8Array,
): Responses {
  const ess = (flags & F.EXTENDED_SESSIONSECURITY) !== 0;
  const wantsLm = level < 2 && !ess;
  const lmKeys = !ess && (flags & (F.LM_KEY | F.REQUEST_NON_NT_SESSION_KEY)) !== 0;
  if ((wantsLm || lmKeys) && credentials.password === undefined) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'an LM response or an LM_KEY/REQUEST_NON_NT_SESSION_KEY key needs the password, not only its NT hash ' +
        '(use lmCompatibilityLevel 2 or higher, and no LM_KEY)',
    );
  }
  const lmowf = credentials.password === undefined ? new Uint8Array(16) : lmowfv1(credentials.password);
  const response = computeResponseV1({
    responseKeyNT: credentials.ntHash,
    responseKeyLM: lmowf,
    serverChallenge,
    clientChallenge,
    extendedSessionSecurity: ess,
    noLmResponse: !wantsLm,
  });
  return { ...response, lmowf };
}

/** The AUTHENTICATE (Type 3) message for a CHALLENGE: `buildAuthenticateMessage(options).message`. */
export function createAuthenticateMessage(options: AuthenticateOptions): Uint8Array {
  return buildAuthenticateMessage(options).message;
}
