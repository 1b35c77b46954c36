// The NTLM handshake of one HTTP request as a machine, without I/O: an adapter tells it what happened
// (a response head, a transport failure, a leg about to be written) and it says what to do next — send
// a leg (with these headers, with or without the body, on this or a fresh connection), deliver the
// response to the caller, or fail. State changes only inside these steps.
//
// A request has up to two authentication layers: a forward proxy's (407, Proxy-Authorization), consulted
// first, and the origin's (401, Authorization). Each layer runs at most one handshake per request, and the
// whole request gets at most one fresh attempt on a new connection: that is the one retry rule.
import { toBase64 } from '../bytes.js';
import { describeTokenRedacted } from '../decode.js';
import type { CertificateInput } from '../channel-binding.js';
import { NtlmContext, type ClientMechanism } from '../context.js';
import { NtlmError } from '../errors.js';
import { parseAuthenticateHeaders, selectNtlmOffer, type NtlmOffer, type NtlmScheme } from './authenticate-header.js';
import type { ConnectionAuth } from './connection-auth.js';
import type { Identity } from './identity.js';
import type { OriginMemory } from './origin-memory.js';

/** What the machine needs of a response. */
export interface ResponseHead {
  /** The HTTP status code. */
  status: number;
  /** The values of a response header, by lower-case name. */
  header(name: string): readonly string[];
  /** The server closes the connection after this response (`Connection: close`, or the socket ended). */
  closing: boolean;
}

/** What the machine reads of the pinned connection. */
export interface ConnectionView {
  /** What the connection has proven to the origin (401). */
  readonly auth: ConnectionAuth;
  /** What the connection has proven to a forward proxy (407). */
  readonly proxyAuth: ConnectionAuth;
  /** Changes whenever another socket is behind the pinned connection. */
  readonly generation: number;
  /** The TLS peer certificate of the current socket (for EPA), if it is TLS. */
  peerCertificate(): CertificateInput | undefined;
}

/** What `RequestFlow` says to do next: send a leg, deliver the response, or fail with an error. */
export type Action =
  /**
   * Write a leg: the caller's request with these headers added, its body or `Content-Length: 0`. `fresh`: on a
   * new connection. `negotiating`: the leg carries a NEGOTIATE, so its connection must stay open for the next
   * leg (ask for keep-alive even where the caller or the method would not).
   */
  | {
      readonly kind: 'send';
      readonly headers: Readonly<Record<string, string>>;
      readonly withBody: boolean;
      readonly fresh: boolean;
      readonly negotiating: boolean;
    }
  /** Hand the response of this leg to the caller. */
  | { readonly kind: 'deliver' }
  /** Reject the request with `error`. */
  | { readonly kind: 'fail'; readonly error: Error };

/** One authentication layer of a request: an origin's (401) or a forward proxy's (407). */
export interface LayerOptions {
  /** 401 for an origin, 407 for a forward proxy. */
  status: 401 | 407;
  /** The origin (or the proxy's origin) the credentials go to. */
  target: string;
  /** The credentials this layer authenticates with. */
  identity: Identity;
  /** The SPN for MsvAvTargetName, computed when a handshake starts. */
  spn: () => string | undefined;
  /** Passed to the NTLM context; default 3 (NTLMv2 only). */
  lmCompatibilityLevel?: 0 | 1 | 2 | 3 | 4 | 5;
  /** Where the target is remembered as wanting NTLM. */
  memory: OriginMemory;
  /** Send the NEGOTIATE with the first leg to a target not yet known to want NTLM (unless it declined NTLM). */
  preemptive: boolean;
  /** A refused AUTHENTICATE fails with ERR_NTLM_AUTH_FAILED instead of passing the refusal on. */
  throwOnAuthFailure: boolean;
  /** A fresh mechanism for one handshake; NTLM by default (the one place a second mechanism would plug in). */
  mechanism?: (identity: Identity, spn: string | undefined) => ClientMechanism;
  /** Called with a human-readable note when something is left out (e.g. a certificate without a binding). */
  onWarning?: (message: string) => void;
  /** Log every token: the NEGOTIATE and CHALLENGE in full, the AUTHENTICATE with its responses redacted. */
  logTokens?: boolean;
}

/** What `RequestFlow` needs to know of one request. */
export interface FlowOptions {
  /** The origin's layer; absent when no credentials go to this origin. */
  origin?: LayerOptions;
  /** A forward proxy's layer (plain HTTP through a proxy with credentials). */
  proxy?: LayerOptions;
  /** Whether the request has a body, and whether it can be sent more than once. */
  body: { present: boolean; replayable: boolean };
  /** RFC 9110 9.2.2: a request that may be sent again after it reached the server. */
  idempotent: boolean;
  /**
   * RFC 9110 9.2.1: a read-only method. Only such a request goes again after its handshake leg, sent without the
   * body, got the final answer: that leg was not the same request (9.2.2 speaks of identical ones), and an empty
   * PUT or DELETE may have had its effect.
   */
  safe?: boolean;
  /** Receives each step of the handshake (no secrets). */
  log: (message: string) => void;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const IDEMPOTENT = new Set([...SAFE, 'PUT', 'DELETE']);

/** Whether a method is idempotent (RFC 9110 9.2.2). */
export function isIdempotent(method: string | undefined): boolean {
  return IDEMPOTENT.has((method ?? 'GET').toUpperCase());
}

/** Whether a method is safe (RFC 9110 9.2.1): read-only, whatever its body. */
export function isSafe(method: string | undefined): boolean {
  return SAFE.has((method ?? 'GET').toUpperCase());
}

const CONNECTION_ERRORS = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_CLOSED',
  'ERR_NTLM_CONNECTION_CLOSED',
  'ECONNABORTED',
]);

/** Errors that mean the socket went away under the request (undici, Node), as opposed to a refusal or a bug. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code);
}

function offerOf(values: readonly string[]): NtlmOffer {
  return selectNtlmOffer(parseAuthenticateHeaders(values));
}

function ntlmMechanism(o: LayerOptions): (identity: Identity, spn: string | undefined) => ClientMechanism {
  return (identity, spn) =>
    new NtlmContext({
      credentials: identity.prepared(),
      ...(spn !== undefined ? { spn } : {}),
      ...(o.lmCompatibilityLevel !== undefined ? { lmCompatibilityLevel: o.lmCompatibilityLevel } : {}),
      ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    });
}

type Verdict =
  /** Not this layer's business, or its business is done: the next layer (or the caller) takes the response. */
  | { kind: 'pass' }
  /** Send the leg again with this layer's new header. */
  | { kind: 'resend'; fresh: boolean }
  /** The connection cannot carry the handshake on: a fresh attempt (if the request has one left). */
  | { kind: 'retry'; reason: string }
  | { kind: 'fail'; error: Error };

const PASS: Verdict = { kind: 'pass' };

/** One authentication layer of one request. */
class Layer {
  /** `plain`: no handshake leg of ours in flight; `negotiate`/`authenticate`: that message is on the leg. */
  phase: 'plain' | 'negotiate' | 'authenticate' | 'done' = 'plain';
  /** This layer's credentials header on the current leg. */
  header: string | undefined;
  /** The generation the current leg must go out on (an authenticated socket, or the CHALLENGE's). */
  pinnedTo: number | undefined;
  private sentOn = -1;
  private scheme: NtlmScheme = 'NTLM';
  private context: ClientMechanism | undefined;
  private reused = false;
  private readonly mechanism: (identity: Identity, spn: string | undefined) => ClientMechanism;

  constructor(
    readonly o: LayerOptions,
    private readonly log: (message: string) => void,
  ) {
    this.mechanism = o.mechanism ?? ntlmMechanism(o);
  }

  private auth(conn: ConnectionView): ConnectionAuth {
    return this.o.status === 407 ? conn.proxyAuth : conn.auth;
  }

  private get challengeHeader(): string {
    return this.o.status === 407 ? 'proxy-authenticate' : 'www-authenticate';
  }

  get headerName(): string {
    return this.o.status === 407 ? 'proxy-authorization' : 'authorization';
  }

  /** The first leg of the request on `conn` (undefined: a connection not opened yet). */
  begin(conn: ConnectionView | undefined): void {
    this.context = undefined;
    if (conn && this.auth(conn).isAuthenticatedFor(this.o.identity.key, conn.generation)) {
      this.plain(conn.generation);
      this.reused = true;
      return;
    }
    const known =
      this.o.memory.scheme(this.o.target) ??
      (this.o.preemptive && !this.o.memory.declined(this.o.target) ? 'NTLM' : undefined);
    if (known) this.negotiate(known);
    else this.plain(undefined);
  }

  private plain(pinnedTo: number | undefined): void {
    this.phase = 'plain';
    this.header = undefined;
    this.pinnedTo = pinnedTo;
    this.reused = false;
  }

  private negotiate(scheme: NtlmScheme): void {
    this.scheme = scheme;
    this.context = this.mechanism(this.o.identity, this.o.spn());
    const token = this.context.step();
    this.header = `${scheme} ${toBase64(token)}`;
    this.tokens('sent', token);
    this.phase = 'negotiate';
    this.pinnedTo = undefined;
    this.reused = false;
    this.log(`${this.o.target}: NEGOTIATE under ${scheme}`);
  }

  /** The current leg is about to be written on `generation`. */
  sending(generation: number): void {
    this.sentOn = generation;
  }

  /** Whether the current leg would leave the socket it depends on. */
  switched(generation: number): boolean {
    return this.pinnedTo !== undefined && this.pinnedTo !== generation;
  }

  /** The leg is a plain request on an authenticated connection (its socket changed before it was written). */
  get onAuthenticatedConnection(): boolean {
    return this.phase === 'plain' && this.reused;
  }

  response(head: ResponseHead, conn: ConnectionView, canResendBody: boolean): Verdict {
    // A proxy's 407 never reached the origin: the origin's layer has nothing to learn from it.
    if (this.o.status === 401 && head.status === 407) return PASS;
    const auth = this.auth(conn);
    switch (this.phase) {
      case 'plain': {
        if (head.status !== this.o.status) return PASS;
        const offer = offerOf(head.header(this.challengeHeader));
        if (offer.kind !== 'ntlm') return PASS;
        if (this.reused) {
          this.log(`${this.o.target}: asks to authenticate the connection again`);
          auth.clear();
        }
        if (this.o.memory.scheme(this.o.target) !== offer.scheme) {
          this.o.memory.remember(this.o.target, offer.scheme);
          this.log(`${this.o.target}: ${this.o.status} offers ${offer.scheme}; remembered`);
        }
        if (!canResendBody) {
          this.phase = 'done';
          return {
            kind: 'fail',
            error: new NtlmError(
              'ERR_NTLM_BODY_NOT_REPLAYABLE',
              `${this.o.target} asked for NTLM after the request body was sent, and the body (a stream) cannot be sent again; ` +
                'the target is now known, so sending the request again sends the body once, with the AUTHENTICATE',
              { status: head.status },
            ),
          };
        }
        this.negotiate(offer.scheme);
        // `Connection: close` with the first challenge is common: the handshake starts on a new connection.
        return { kind: 'resend', fresh: head.closing };
      }
      case 'negotiate': {
        if (head.status !== this.o.status) {
          this.phase = 'done';
          this.header = undefined;
          this.o.memory.forget(this.o.target);
          this.log(`${this.o.target}: answered the NEGOTIATE with ${head.status} without a challenge; forgotten`);
          return PASS;
        }
        const offer = offerOf(head.header(this.challengeHeader));
        if (offer.kind === 'not-ntlm') {
          this.phase = 'done';
          return {
            kind: 'fail',
            error: new NtlmError(
              'ERR_NTLM_NO_NTLM_CHALLENGE',
              offer.spnegoNtlm
                ? `${this.o.target} answered Negotiate with NTLM wrapped in SPNEGO: ntlmkit sends raw NTLM tokens ` +
                    '(as Windows servers accept under Negotiate), not SPNEGO. Ask for the NTLM scheme to be offered, or for ' +
                    'raw NTLM to be accepted under Negotiate'
                : `${this.o.target} answered Negotiate with a Kerberos (SPNEGO) token, not NTLM: it accepts only Kerberos for ` +
                    'these credentials. Use a Kerberos client, or ask for NTLM to be enabled for this service (IIS: Windows ' +
                    'Authentication providers NTLM and Negotiate)',
              { status: head.status },
            ),
          };
        }
        if (offer.kind !== 'ntlm' || !offer.token) {
          this.phase = 'done';
          const kerberos =
            this.scheme === 'Negotiate'
              ? '; a server that accepts only Kerberos under Negotiate answers this way: use a Kerberos client, or ask for NTLM to be enabled'
              : '';
          return {
            kind: 'fail',
            error: new NtlmError(
              'ERR_NTLM_NO_NTLM_CHALLENGE',
              `${this.o.target} answered the NEGOTIATE with ${head.status} but no NTLM CHALLENGE${kerberos}`,
              { status: head.status },
            ),
          };
        }
        this.tokens('received', offer.token);
        if (head.closing)
          return { kind: 'retry', reason: `${this.o.target} closed the connection after its CHALLENGE` };
        let token: Uint8Array;
        try {
          token = this.context!.step(offer.token, { serverCertificate: conn.peerCertificate() });
        } catch (error) {
          this.phase = 'done';
          return { kind: 'fail', error: error as Error };
        }
        this.header = `${this.scheme} ${toBase64(token)}`;
        this.tokens('sent', token);
        this.phase = 'authenticate';
        this.pinnedTo = this.sentOn;
        const s = this.context!.summary;
        this.log(
          `${this.o.target}: AUTHENTICATE (${s?.dialect}, MIC ${s?.mic ? 'yes' : 'no'}, channel binding ${s?.channelBinding ? 'yes' : 'no'}) as ${this.o.identity.name}`,
        );
        return { kind: 'resend', fresh: false };
      }
      case 'authenticate': {
        this.phase = 'done';
        this.header = undefined;
        if (head.status === this.o.status) {
          auth.clear();
          const error = this.refused(head.status);
          this.log(error.message);
          return this.o.throwOnAuthFailure ? { kind: 'fail', error } : PASS;
        }
        auth.authenticated(this.o.identity.key, this.sentOn, this.scheme, this.context?.summary);
        this.log(`${this.o.target}: authenticated (${head.status})`);
        return PASS;
      }
      default:
        return PASS;
    }
  }

  private tokens(direction: 'sent' | 'received', token: Uint8Array): void {
    if (!this.o.logTokens) return;
    let text: string;
    try {
      text = describeTokenRedacted(token);
    } catch (error) {
      text = `(not decodable: ${(error as Error).message})`;
    }
    this.log(`${this.o.target}: ${direction} ${text.replace(/\n/g, '\n    ')}`);
  }

  /** The refusal, with what helps find the cause (the most common one: the wrong domain). */
  private refused(status: number): NtlmError {
    const summary = this.context?.summary;
    const server = summary?.server;
    const sent = this.o.identity.domain;
    const domains = [server?.netbiosDomain, server?.dnsDomain].filter((d): d is string => !!d);
    const mismatch =
      domains.length > 0 &&
      !domains.some((d) => d.toLowerCase() === sent.toLowerCase()) &&
      !this.o.identity.user.includes('@');
    const hint = mismatch
      ? `; the user's domain "${sent || '(none)'}" is not the server's (${domains.join(' / ')}): check the domain (DOMAIN\\user or user@dns.domain)`
      : '';
    const details = {
      user: this.o.identity.user,
      domain: sent,
      serverDomain: server?.netbiosDomain,
      serverDnsDomain: server?.dnsDomain,
      dialect: summary?.dialect,
      mic: summary?.mic,
      channelBinding: summary?.channelBinding,
      spn: summary?.spn,
    };
    return new NtlmError(
      'ERR_NTLM_AUTH_FAILED',
      `${this.o.target} refused the NTLM credentials of ${this.o.identity.name} (${status}; ${summary?.dialect ?? 'NTLM'}, ` +
        `MIC ${summary?.mic ? 'sent' : 'not sent'}, channel binding ${summary?.channelBinding ? 'sent' : 'not sent'})${hint}`,
      { status, details },
    );
  }
}

/** The handshake of one request: its layers, its body, and its one fresh attempt. */
export class RequestFlow {
  private readonly origin: Layer | undefined;
  private readonly proxy: Layer | undefined;
  private readonly layers: Layer[];
  private retried = false;
  private bodySent = false;
  /** The leg last written carries the body (or the request has none): its answer is the request's answer. */
  private carries = true;
  /** The same for the leg planned next (it becomes `carries` when it is written). */
  private planned = true;
  private withBody = true;

  constructor(private readonly o: FlowOptions) {
    this.proxy = o.proxy ? new Layer(o.proxy, o.log) : undefined;
    this.origin = o.origin ? new Layer(o.origin, o.log) : undefined;
    this.layers = [this.proxy, this.origin].filter((l): l is Layer => l !== undefined);
  }

  /** The first leg, on `conn` (undefined: no connection is open yet). */
  start(conn: ConnectionView | undefined): Action {
    for (const layer of this.layers) layer.begin(conn);
    return this.send(false);
  }

  /**
   * The leg is about to be written on `conn`. Undefined: go ahead. An action: do not write this leg, do
   * that instead (the socket changed under a leg that depends on it, or a stream body would go twice).
   */
  sending(conn: ConnectionView): Action | undefined {
    const switched = this.layers.filter((l) => l.switched(conn.generation));
    if (switched.length) {
      if (switched.every((l) => l.onAuthenticatedConnection)) {
        // Nothing was written and nothing was spent: the new socket simply needs its own handshake.
        for (const layer of switched) layer.begin(conn);
        return this.send(false);
      }
      return this.retry('the connection was replaced between the CHALLENGE and the AUTHENTICATE');
    }
    if (this.withBody && this.o.body.present && !this.o.body.replayable) {
      if (this.bodySent) return this.bodyGoneTwice();
      this.bodySent = true;
    }
    // From now on a failure or an answer is this leg's.
    this.carries = this.planned;
    for (const layer of this.layers) layer.sending(conn.generation);
    return undefined;
  }

  /** A response head arrived on `conn`: the next leg, the response to deliver, or the failure. */
  response(head: ResponseHead, conn: ConnectionView): Action {
    const canResendBody = !this.o.body.present || this.o.body.replayable || !this.bodySent;
    for (const layer of this.layers) {
      const verdict = layer.response(head, conn, canResendBody);
      if (verdict.kind === 'resend') return this.send(verdict.fresh);
      if (verdict.kind === 'retry') return this.retry(verdict.reason);
      if (verdict.kind === 'fail') return verdict;
    }
    if (!this.carries) {
      // A bodiless handshake leg got the final answer: the server answers this request without NTLM. A refusal
      // (401/407) is the request's answer too; a safe request (GET with a body, say) goes now with its body;
      // any other is not sent again — the server may have run it without its body, and the leg it answered
      // was not the same request (an empty PUT may have created or emptied the resource).
      if (head.status === 401 || head.status === 407) return { kind: 'deliver' };
      if (!(this.o.safe ?? false)) {
        return {
          kind: 'fail',
          error: new NtlmError(
            'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED',
            `the server answered the request's NEGOTIATE leg (sent without the body) with ${head.status} instead of asking for NTLM: ` +
              'it may have processed the request without its body, so it is not sent again; the origin is forgotten, so the next request goes as it is',
            { status: head.status },
          ),
        };
      }
      this.o.log(`the request goes again with its body (the ${head.status} answered a handshake leg without it)`);
      return this.send(false);
    }
    return { kind: 'deliver' };
  }

  /**
   * The leg failed in transport; `sent`: it may have been written (wholly or in part). A leg that failed
   * before it was written failed to connect (refused, TLS, a proxy tunnel): that is the answer, not retried.
   */
  failure(error: Error, sent: boolean): Action {
    if (!sent || !isConnectionError(error)) return { kind: 'fail', error };
    const code = (error as { code?: string }).code;
    if (sent && this.carries && !(this.o.idempotent && (!this.o.body.present || this.o.body.replayable))) {
      return {
        kind: 'fail',
        error: new NtlmError(
          'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED',
          `the connection was lost after the request was sent (${code}); it may have been processed, so it is not sent again`,
          { cause: error },
        ),
      };
    }
    return this.retry(`the connection was lost (${code})`, error);
  }

  private retry(reason: string, cause?: Error): Action {
    if (this.retried) {
      return {
        kind: 'fail',
        error: new NtlmError(
          'ERR_NTLM_CONNECTION_CLOSED',
          `${reason}, again on a fresh connection; NTLM needs one connection for the whole handshake (check the server's keep-alive settings)`,
          cause ? { cause } : {},
        ),
      };
    }
    this.retried = true;
    this.o.log(`${reason}; one fresh attempt on a new connection`);
    for (const layer of this.layers) layer.begin(undefined);
    return this.send(true);
  }

  private send(fresh: boolean): Action {
    const headers: Record<string, string> = {};
    let negotiating = false;
    for (const layer of this.layers) {
      if (layer.header !== undefined) headers[layer.headerName] = layer.header;
      if (layer.phase === 'negotiate') negotiating = true;
    }
    // A NEGOTIATE leg goes without the body: the body goes once, with the AUTHENTICATE.
    const withBody = !negotiating;
    if (withBody && this.o.body.present && !this.o.body.replayable && this.bodySent) return this.bodyGoneTwice();
    this.withBody = withBody;
    this.planned = withBody || !this.o.body.present;
    return { kind: 'send', headers, withBody, fresh, negotiating };
  }

  private bodyGoneTwice(): Action {
    return {
      kind: 'fail',
      error: new NtlmError(
        'ERR_NTLM_BODY_NOT_REPLAYABLE',
        'the request body (a stream) was already sent and cannot be sent again',
      ),
    };
  }
}
