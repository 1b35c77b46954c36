// The HTTP side of NTLM for one client (one credential set, optionally one proxy credential set):
// which origins it authenticates, what it has learnt about them, and how one request runs on a
// pinned connection. Adapters supply the connection and one HTTP exchange (`send`), nothing else.
import type { CertificateInput } from '../channel-binding.js';
import type { Credentials } from '../credentials.js';
import type { ConnectionAuth } from './connection-auth.js';
import { credentialKey } from './credential-key.js';
import { runExchange } from './exchange.js';
import { originLegs, type RawSend } from './layers.js';
import { NtlmError } from '../errors.js';
import { DEFAULT_MAX_REPLAY_BYTES, normaliseOrigin, validateOptions, type NtlmHttpOptions } from './options.js';
import { OriginMemory } from './origin-memory.js';
import { routeFor, type Env, type ProxyOptions, type Route } from './proxy.js';

export interface EngineOptions extends Omit<NtlmHttpOptions, 'credentials'> {
  /** Origin credentials; optional only when a proxy is configured (proxy authentication alone). */
  credentials?: Credentials;
  proxy?: ProxyOptions & { fromEnv?: boolean };
}

/** What the engine needs of a pinned connection. */
export interface PinnedSlot {
  /** The origin's authentication of this connection. */
  readonly auth: ConnectionAuth;
  /** A forward proxy's authentication of this connection. */
  readonly proxyAuth: ConnectionAuth;
  connectionId(): unknown;
  reconnect(): Promise<void>;
  peerCertificate(): CertificateInput | undefined;
}

export class NtlmHttpEngine {
  readonly key: string | undefined;
  readonly proxyKey: string | undefined;
  /** Origins known to want NTLM. */
  readonly memory = new OriginMemory();
  /** Proxies known to want NTLM. */
  readonly proxyMemory = new OriginMemory();
  /** The `origins` allow-list, normalised once (undefined: any origin asked for). */
  private readonly origins: ReadonlySet<string> | undefined;

  constructor(readonly options: EngineOptions, readonly log: (message: string) => void) {
    if (options?.credentials || !options?.proxy) validateOptions(options as NtlmHttpOptions);
    this.key = options.credentials ? credentialKey(options.credentials) : undefined;
    this.proxyKey = options.proxy?.credentials ? credentialKey(options.proxy.credentials) : undefined;
    this.origins = options.origins ? new Set(options.origins.map(normaliseOrigin)) : undefined;
  }

  /** How much of a streamed body is read ahead so that it can be sent again. */
  get maxReplayBytes(): number {
    return this.options.maxReplayBytes ?? DEFAULT_MAX_REPLAY_BYTES;
  }

  route(url: URL, env: Env): Route {
    return routeFor(url, this.options.proxy, env);
  }

  /** Whether origin credentials go to this origin (and, for a scoped call, whether it is in scope). */
  authenticates(origin: string, scope?: readonly string[]): boolean {
    return this.key !== undefined && (!this.origins || this.origins.has(origin)) && (!scope || scope.includes(origin));
  }

  /** An origin known to want NTLM gets NEGOTIATE first, so its body is sent once and need not be replayable. */
  knows(origin: string): boolean {
    return this.memory.scheme(origin) !== undefined || this.options.preemptive === true;
  }

  /** The key a pool prefers connections by. */
  get slotKey(): string {
    return this.key ?? this.proxyKey ?? '';
  }

  /**
   * One request on a pinned connection: through the proxy's 407 exchange on a forward route, and the
   * origin's 401 exchange when `authenticate`; at most one handshake each, never a loop.
   */
  request<R>(p: { origin: string; url: URL; route: Route; authenticate: boolean; slot: PinnedSlot; bodyReplayable: boolean; send: RawSend<R> }): Promise<R> {
    const proxyCredentials = this.options.proxy?.credentials;
    const legs = originLegs(
      sendBodyOnce(p.send, p.bodyReplayable),
      p.route.kind === 'forward' && proxyCredentials
        ? {
            url: p.route.proxy,
            credentials: proxyCredentials,
            credentialKey: this.proxyKey!,
            auth: p.slot.proxyAuth,
            memory: this.proxyMemory,
            lmCompatibilityLevel: this.options.lmCompatibilityLevel,
            reconnect: () => p.slot.reconnect(),
            connectionId: () => p.slot.connectionId(),
            log: this.log,
          }
        : undefined,
      p.bodyReplayable,
    );
    if (!p.authenticate) return legs({ withBody: true, deliver: () => true }).then((r) => r.response as R);
    return runExchange<R>({
      origin: p.origin,
      url: p.url,
      options: this.options as NtlmHttpOptions,
      credentialKey: this.key!,
      auth: p.slot.auth,
      memory: this.memory,
      challengeStatus: 401,
      bodyReplayable: p.bodyReplayable,
      peerCertificate: () => p.slot.peerCertificate(),
      reconnect: () => p.slot.reconnect(),
      connectionId: () => p.slot.connectionId(),
      log: this.log,
      send: legs,
    });
  }
}

/** A body that cannot be replayed (a stream) goes out with one leg at most; a second is refused. */
function sendBodyOnce<R>(send: RawSend<R>, replayable: boolean): RawSend<R> {
  if (replayable) return send;
  let sent = false;
  return (auth, withBody, deliver) => {
    if (withBody && sent) {
      return Promise.reject(new NtlmError('ERR_NTLM_BODY_NOT_REPLAYABLE', 'the request body (a stream) was already sent and cannot be sent again'));
    }
    if (withBody) sent = true;
    return send(auth, withBody, deliver);
  };
}
