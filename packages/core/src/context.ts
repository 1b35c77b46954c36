// One NTLM security context on the client side: the NEGOTIATE it sent (the MIC covers it) and what
// came of the CHALLENGE. The bytes are in messages/ and client.ts; the state of a handshake lives here
// and nowhere else (the HTTP engine and the component-style Ntlm class both step one of these).
import { checkOptions } from './arguments.js';
import type { CertificateInput } from './channel-binding.js';
import {
  buildAuthenticateMessage,
  negotiateFlagsForLevel,
  type AuthenticateResult,
  type Dialect,
  type LmCompatibilityLevel,
} from './client.js';
import { preparedFor, type Credentials, type PreparedCredentials } from './credentials.js';
import { NtlmError } from './errors.js';
import { AvId, findAvPair } from './messages/av-pairs.js';
import { decodeUtf16le } from './bytes.js';
import { parseChallengeMessage } from './messages/challenge.js';
import { DEFAULT_NEGOTIATE_FLAGS } from './messages/flags.js';
import { createNegotiateMessage, type NegotiateOptions } from './messages/negotiate.js';
import type { NtlmVersion } from './messages/version.js';

/** What a client authentication mechanism does: an initial token, then answers to the server's tokens. */
export interface ClientMechanism {
  /** The mechanism's name as HTTP schemes carry it (`NTLM`; SPNEGO or Kerberos could follow). */
  readonly name: string;
  /** `initial` before the first token, `continue` while the server owes a token, `complete` after the last. */
  readonly state: 'initial' | 'continue' | 'complete';
  /** The first token (with no input) or the answer to the server's token. */
  step(input?: Uint8Array, channel?: ChannelInfo): Uint8Array;
  /** What the last token carried, for diagnostics (never secrets). */
  readonly summary?: AuthenticateSummary | undefined;
}

/** What the transport knows about the channel at the time of a step. */
export interface ChannelInfo {
  /** The TLS peer certificate of the connection that carries the handshake (EPA). */
  serverCertificate?: CertificateInput;
}

/** Options of an `NtlmContext`: the credentials and how the AUTHENTICATE is made. */
export interface NtlmContextOptions {
  /** Read when the AUTHENTICATE is made (the NEGOTIATE needs none). */
  credentials: Credentials | PreparedCredentials;
  /** MsvAvTargetName, e.g. `HTTP/server.example.com`. */
  spn?: string;
  /** Default 3: NTLMv2 only. Read for the NEGOTIATE (level 0 asks for no ESS) and the AUTHENTICATE. */
  lmCompatibilityLevel?: LmCompatibilityLevel;
  /** Send a MIC when the spec says so (default true). */
  mic?: boolean;
  /** NEGOTIATE flags and Version; defaults as createNegotiateMessage. At level 0 ESS is never asked for. */
  negotiate?: NegotiateOptions;
  /** Version written into the AUTHENTICATE. */
  version?: NtlmVersion;
  /** A ready 16-byte MsvAvChannelBindings value, instead of a certificate at step time. */
  channelBindings?: Uint8Array;
  /** Called with a human-readable note when something is left out (e.g. a certificate without a binding). */
  onWarning?: (message: string) => void;
  /** Test hook: a fixed 8-byte client challenge (see createAuthenticateMessage). */
  clientChallenge?: Uint8Array;
  /** Test hook: a fixed 16-byte random session key (see createAuthenticateMessage). */
  randomSessionKey?: Uint8Array;
  /** Test hook: the clock, in ms since 1970 (see createAuthenticateMessage). */
  now?: () => number;
}

/** An AUTHENTICATE and what went into it: nothing secret (the keys stay inside the context). */
export type NtlmStepResult = Omit<AuthenticateResult, 'exportedSessionKey' | 'sessionBaseKey' | 'keyExchangeKey'>;

/** What the server said about itself in its CHALLENGE: names only, for diagnostics. */
export interface ServerNames {
  /** The CHALLENGE's TargetName (usually the NetBIOS domain). */
  targetName: string;
  /** MsvAvNbDomainName, when sent. */
  netbiosDomain?: string;
  /** MsvAvDnsDomainName, when sent. */
  dnsDomain?: string;
  /** MsvAvNbComputerName, when sent. */
  netbiosComputer?: string;
  /** MsvAvDnsComputerName, when sent. */
  dnsComputer?: string;
}

/** What the AUTHENTICATE carried, without keys or responses. */
export interface AuthenticateSummary {
  /** The user name sent. */
  user: string;
  /** The domain sent (possibly empty). */
  domain: string;
  /** The dialect of the responses. */
  dialect: Dialect;
  /** Whether a MIC was sent. */
  mic: boolean;
  /** Whether a channel binding (MsvAvChannelBindings) was sent. */
  channelBinding: boolean;
  /** The SPN of the options, when one was given. */
  spn?: string;
  /** What the server said about itself in its CHALLENGE. */
  server: ServerNames;
}

function serverNames(challenge: ReturnType<typeof parseChallengeMessage>): ServerNames {
  const name = (id: number) => {
    const pair = findAvPair(challenge.targetInfo, id);
    return pair ? decodeUtf16le(pair.value) : undefined;
  };
  const names: ServerNames = { targetName: challenge.targetName };
  const add = (key: Exclude<keyof ServerNames, 'targetName'>, id: number) => {
    const value = name(id);
    if (value !== undefined) names[key] = value;
  };
  add('netbiosDomain', AvId.NbDomainName);
  add('dnsDomain', AvId.DnsDomainName);
  add('netbiosComputer', AvId.NbComputerName);
  add('dnsComputer', AvId.DnsComputerName);
  return names;
}

/**
 * `step()` gives the NEGOTIATE; `step(challenge)` gives the AUTHENTICATE for it. A context is used for one
 * handshake; `reset()` makes it ready for another.
 */
export class NtlmContext implements ClientMechanism {
  readonly name = 'NTLM';
  readonly #options: NtlmContextOptions;
  #negotiate: Uint8Array | undefined;
  #state: 'initial' | 'continue' | 'complete' = 'initial';
  #summary: AuthenticateSummary | undefined;
  #result: NtlmStepResult | undefined;

  constructor(options: NtlmContextOptions) {
    if (!options || typeof options !== 'object')
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an NTLM context needs options with `credentials`');
    this.#options = options;
  }

  /** `initial`, then `continue` after the NEGOTIATE, `complete` after the AUTHENTICATE. */
  get state(): 'initial' | 'continue' | 'complete' {
    return this.#state;
  }

  /** The NEGOTIATE message sent, once stepped. */
  get negotiateMessage(): Uint8Array | undefined {
    return this.#negotiate;
  }

  /** What the AUTHENTICATE carried (dialect, MIC, channel binding) and the server's names. */
  get summary(): AuthenticateSummary | undefined {
    return this.#summary;
  }

  /** The last AUTHENTICATE and what went into it, without the session keys. */
  get result(): NtlmStepResult | undefined {
    return this.#result;
  }

  /**
   * With no input, the NEGOTIATE; with the server's CHALLENGE, the AUTHENTICATE. A context stepped first with
   * a CHALLENGE (no NEGOTIATE of its own) sends no MIC: the MIC covers a NEGOTIATE it does not have.
   */
  step(input?: Uint8Array, channel: ChannelInfo = {}): Uint8Array {
    if (this.#state === 'complete')
      throw new NtlmError('ERR_NTLM_WRONG_STATE', 'this NTLM context has already sent its AUTHENTICATE');
    if (input === undefined) {
      if (this.#state !== 'initial')
        throw new NtlmError('ERR_NTLM_WRONG_STATE', 'the NEGOTIATE was sent: the next step needs the server CHALLENGE');
      // The level decides what the NEGOTIATE asks for (level 0: no ESS), so that the AUTHENTICATE's flags,
      // those negotiated (MS-NLMP 2.2.1.3), agree with it.
      // (negotiateFlagsForLevel checks the level and the flags.)
      const o = this.#options;
      const negotiate = checkOptions(o.negotiate, 'negotiate options', true);
      const flags = negotiateFlagsForLevel(o.lmCompatibilityLevel ?? 3, negotiate.flags ?? DEFAULT_NEGOTIATE_FLAGS);
      this.#negotiate = createNegotiateMessage({ ...negotiate, flags });
      this.#state = 'continue';
      return this.#negotiate;
    }
    if (!(input instanceof Uint8Array))
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'the server CHALLENGE must be a Uint8Array');
    const challenge = parseChallengeMessage(input);
    if (!this.#options.credentials)
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an NTLM context needs `credentials`');
    const credentials = preparedFor(this.#options.credentials);
    const result = this.#authenticate(credentials, challenge, channel);
    const { exportedSessionKey: _e, sessionBaseKey: _s, keyExchangeKey: _k, ...visible } = result;
    this.#result = visible;
    this.#summary = {
      user: credentials.user,
      domain: credentials.domain,
      dialect: result.dialect,
      mic: result.mic !== undefined,
      channelBinding: result.channelBinding !== undefined,
      ...(this.#options.spn !== undefined ? { spn: this.#options.spn } : {}),
      server: serverNames(challenge),
    };
    this.#state = 'complete';
    return result.message;
  }

  #authenticate(
    credentials: PreparedCredentials,
    challenge: ReturnType<typeof parseChallengeMessage>,
    channel: ChannelInfo,
  ): AuthenticateResult {
    const o = this.#options;
    return buildAuthenticateMessage({
      credentials,
      ...(this.#negotiate ? { negotiate: this.#negotiate } : { mic: false }),
      challenge,
      ...(o.spn !== undefined ? { spn: o.spn } : {}),
      ...(o.channelBindings !== undefined ? { channelBindings: o.channelBindings } : {}),
      ...(o.channelBindings === undefined && channel.serverCertificate !== undefined
        ? { serverCertificate: channel.serverCertificate }
        : {}),
      ...(o.lmCompatibilityLevel !== undefined ? { lmCompatibilityLevel: o.lmCompatibilityLevel } : {}),
      ...(o.mic === false ? { mic: false } : {}),
      ...(o.version !== undefined ? { version: o.version } : {}),
      ...(o.clientChallenge !== undefined ? { clientChallenge: o.clientChallenge } : {}),
      ...(o.randomSessionKey !== undefined ? { randomSessionKey: o.randomSessionKey } : {}),
      ...(o.now !== undefined ? { now: o.now } : {}),
      ...(o.onWarning !== undefined ? { onWarning: o.onWarning } : {}),
    });
  }

  /** Forgets the handshake: the context is `initial` again, for another one. */
  reset(): void {
    this.#negotiate = undefined;
    this.#summary = undefined;
    this.#result = undefined;
    this.#state = 'initial';
  }
}
