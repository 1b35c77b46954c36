// The one NTLM handshake logic every adapter shares. An adapter supplies `send` (one HTTP exchange
// on the connection pinned for this request) and gets back the response to hand to its caller.
import type { CertificateInput } from '../channel-binding.js';
import type { Credentials } from '../credentials.js';
import { NtlmError } from '../errors.js';
import { parseAuthenticateHeaders, selectNtlmOffer, type NtlmOffer, type NtlmScheme } from './authenticate-header.js';
import type { ConnectionAuth } from './connection-auth.js';
import type { OriginMemory } from './origin-memory.js';
import { spnFor, type NtlmHttpOptions } from './options.js';

export interface LegRequest {
  /** `Authorization` (or `Proxy-Authorization`) value for this leg; undefined sends the caller's headers. */
  authorization?: string;
  /** false: a handshake leg without the body (`Content-Length: 0`). */
  withBody: boolean;
  /**
   * Called with the response head. Return true to hand this response to the caller (the adapter
   * streams it through), false to take it: the adapter drains it and resolves with the head.
   */
  deliver: (status: number, challenges: string[], closing: boolean) => boolean;
}

export interface LegResult<R> {
  delivered: boolean;
  status: number;
  /** The `WWW-Authenticate` (or `Proxy-Authenticate`) values. */
  challenges: string[];
  /** The server said `Connection: close`, or the socket closed. */
  closing: boolean;
  /** What the adapter returns to its caller when `delivered`. */
  response?: R;
}

export interface ExchangeContext<R> {
  origin: string;
  url: URL;
  options: NtlmHttpOptions & { credentials: Credentials };
  credentialKey: string;
  auth: ConnectionAuth;
  memory: OriginMemory;
  /** 401 for an origin, 407 for a proxy. */
  challengeStatus: 401 | 407;
  bodyReplayable: boolean;
  send(leg: LegRequest): Promise<LegResult<R>>;
  peerCertificate(): CertificateInput | undefined;
  /** The connection this request is pinned to was replaced (for the one fresh attempt). */
  reconnect(): Promise<void>;
  /** Identifies the socket currently behind the pinned connection, to notice a silent reconnect. */
  connectionId(): unknown;
  log(message: string): void;
}

function offerOf(challenges: string[]): NtlmOffer {
  return selectNtlmOffer(parseAuthenticateHeaders(challenges));
}

/** Runs one request with NTLM: at most one handshake, never a retry loop. */
export async function runExchange<R>(ctx: ExchangeContext<R>): Promise<R> {
  const { auth, memory, origin, challengeStatus } = ctx;
  const wantsNtlm = (status: number, challenges: string[]) => status === challengeStatus && offerOf(challenges).kind !== 'none';

  // 1. A connection already authenticated for these credentials: just send.
  if (auth.isAuthenticatedFor(ctx.credentialKey)) {
    const r = await ctx.send({ withBody: true, deliver: (s, c) => !wantsNtlm(s, c) });
    if (r.delivered) return r.response as R;
    ctx.log(`${origin}: the server asks to authenticate the connection again`);
    auth.reset();
    return handshake(ctx, schemeOf(r.challenges), 'reauthenticate');
  }

  // 2. An origin known to want NTLM (or pre-emptive mode): NEGOTIATE first, two round trips.
  const known = memory.scheme(origin) ?? (ctx.options.preemptive ? 'NTLM' : undefined);
  if (known) return handshake(ctx, known, 'known');

  // 3. Unknown origin: the plain request; a 401 offering NTLM starts the handshake.
  const r = await ctx.send({ withBody: true, deliver: (s, c) => !wantsNtlm(s, c) });
  if (r.delivered) return r.response as R;
  const scheme = schemeOf(r.challenges);
  memory.remember(origin, scheme);
  ctx.log(`${origin}: ${challengeStatus} offers ${scheme}; remembered`);
  if (r.closing) await ctx.reconnect();
  return handshake(ctx, scheme, 'first');
}

function schemeOf(challenges: string[]): NtlmScheme {
  const offer = offerOf(challenges);
  return offer.kind === 'none' ? 'NTLM' : offer.scheme;
}

async function handshake<R>(ctx: ExchangeContext<R>, scheme: NtlmScheme, why: 'known' | 'first' | 'reauthenticate'): Promise<R> {
  if (why !== 'known' && !ctx.bodyReplayable) {
    throw new NtlmError(
      'ERR_NTLM_BODY_NOT_REPLAYABLE',
      `${ctx.origin} asked for NTLM after the request body was sent, and the body (a stream) cannot be sent again; ` +
        'the origin is now known, so a retry sends the body once, with the AUTHENTICATE',
    );
  }
  for (let attempt = 1; ; attempt++) {
    const negotiate = ctx.auth.negotiateHeader(scheme, ctx.credentialKey);
    ctx.log(`${ctx.origin}: NEGOTIATE under ${scheme} (attempt ${attempt})`);
    let challengeLeg: LegResult<R>;
    try {
      challengeLeg = await ctx.send({ authorization: negotiate, withBody: false, deliver: () => false });
    } catch (error) {
      if (attempt === 1 && isConnectionError(error)) {
        ctx.auth.reset();
        await ctx.reconnect();
        continue;
      }
      throw error;
    }
    if (challengeLeg.status !== ctx.challengeStatus) {
      // The origin answered the bodiless request without asking: send the real one, as is.
      ctx.auth.reset();
      ctx.log(`${ctx.origin}: NEGOTIATE answered with ${challengeLeg.status}; sending the request without NTLM`);
      const plain = await ctx.send({ withBody: true, deliver: () => true });
      return plain.response as R;
    }
    const offer = offerOf(challengeLeg.challenges);
    if (offer.kind !== 'ntlm' || !offer.token) {
      ctx.auth.reset();
      throw new NtlmError(
        'ERR_NTLM_NO_NTLM_CHALLENGE',
        offer.kind === 'not-ntlm'
          ? `${ctx.origin} answered Negotiate with a token that is not NTLM (Kerberos only?); NTLM cannot continue`
          : `${ctx.origin} answered NEGOTIATE with ${ctx.challengeStatus} but no NTLM CHALLENGE`,
      );
    }
    // The server said close, or the transport already dropped the socket (and with it our state).
    if (challengeLeg.closing || ctx.auth.state !== 'negotiating') {
      // A connection closed after the CHALLENGE cannot be resumed: one fresh attempt.
      ctx.auth.reset();
      if (attempt === 1) {
        ctx.log(`${ctx.origin}: connection closed after the CHALLENGE; one fresh attempt`);
        await ctx.reconnect();
        continue;
      }
      throw new NtlmError('ERR_NTLM_CONNECTION_CLOSED', `${ctx.origin} closed the connection after the CHALLENGE twice; NTLM needs one connection for the whole handshake`);
    }
    const authorization = ctx.auth.authenticateHeader(offer.token, ctx.options.credentials, {
      peerCertificate: ctx.peerCertificate(),
      spn: spnFor(ctx.options, ctx.url),
      lmCompatibilityLevel: ctx.options.lmCompatibilityLevel,
      onWarning: ctx.log,
    });
    ctx.log(`${ctx.origin}: AUTHENTICATE (${ctx.auth.last?.dialect}, MIC ${ctx.auth.last?.mic ? 'yes' : 'no'}, channel binding ${ctx.auth.last?.channelBinding ? 'yes' : 'no'})`);
    let failed = false;
    let switched = false;
    const socketOfChallenge = ctx.connectionId();
    let final: LegResult<R>;
    try {
      final = await ctx.send({
        authorization,
        withBody: true,
        deliver: (status) => {
          // The transport reconnected under us: the AUTHENTICATE reached a socket that never saw the NEGOTIATE.
          switched = ctx.connectionId() !== socketOfChallenge;
          if (switched) return false;
          failed = status === ctx.challengeStatus;
          // A proxy's 407 means the origin never saw the AUTHENTICATE.
          if (failed || status === 407) ctx.auth.reset();
          else ctx.auth.authenticated();
          return !(failed && ctx.options.throwOnAuthFailure);
        },
      });
    } catch (error) {
      ctx.auth.reset();
      if (attempt === 1 && isConnectionError(error) && ctx.bodyReplayable) {
        ctx.log(`${ctx.origin}: connection lost during AUTHENTICATE; one fresh attempt`);
        await ctx.reconnect();
        continue;
      }
      if (isConnectionError(error)) {
        throw new NtlmError('ERR_NTLM_CONNECTION_CLOSED', `${ctx.origin} closed the connection during the NTLM handshake`, { cause: error });
      }
      throw error;
    }
    if (switched) {
      ctx.auth.reset();
      if (attempt === 1 && ctx.bodyReplayable) {
        ctx.log(`${ctx.origin}: the connection was replaced between CHALLENGE and AUTHENTICATE; one fresh attempt`);
        await ctx.reconnect();
        continue;
      }
      throw new NtlmError('ERR_NTLM_CONNECTION_CLOSED', `${ctx.origin} did not keep the connection open from CHALLENGE to AUTHENTICATE (check its keep-alive settings); NTLM needs one connection for the whole handshake`);
    }
    ctx.log(`${ctx.origin}: ${failed ? `AUTHENTICATE refused (${final.status})` : `authenticated (${final.status})`}`);
    if (!final.delivered) {
      throw new NtlmError('ERR_NTLM_AUTH_FAILED', `${ctx.origin} refused the NTLM credentials (${final.status})`);
    }
    return final.response as R;
  }
}

/** Errors that mean the socket went away under us (undici, Node). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED' ||
    code === 'ERR_NTLM_CONNECTION_CLOSED'
  );
}
