// The HTTP side of NTLM for one client: its options and credentials (copied when it is made), which
// origins receive credentials, what it has learnt about them, its connection budget, and the machine for
// each request. Adapters bring the transport: pinned connections (PinnedSlot) and the legs the machine asks for.
import type { Credentials } from '../credentials.js';
import { NtlmError } from '../errors.js';
import { Identity } from './identity.js';
import { RequestFlow, isIdempotent, isSafe, type LayerOptions } from './machine.js';
import {
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_REPLAY_BYTES,
  normaliseOrigin,
  spnFor,
  type NtlmHttpOptions,
} from './options.js';
import { OriginMemory } from './origin-memory.js';
import { ConnectionBudget } from './pool.js';
import { routeFor, type Env, type ProxyOptions, type Route } from './proxy.js';

/** The options of an `NtlmHttpEngine`: the shared options and the proxy. */
export interface EngineOptions extends NtlmHttpOptions {
  /** A forward proxy; without `uri`, `fromEnv` (default true) reads HTTP(S)_PROXY and NO_PROXY. None: direct. */
  proxy?: ProxyOptions & { fromEnv?: boolean };
}

/** One request, as `NtlmHttpEngine.flow` takes it. */
export interface FlowRequest {
  /** The request's origin (`https://host:port`). */
  origin: string;
  /** The request URL, built only when a handshake needs it (the SPN rule may look at it). */
  url: () => URL;
  /** How the request reaches its origin (`engine.route`). */
  route: Route;
  /** Who this request authenticates as (the client's credentials, or the request's own); none: no origin layer. */
  identity: Identity | undefined;
  /** The request method (undefined: GET). */
  method: string | undefined;
  /** Whether the request has a body, and whether it can be sent more than once (`bodyFacts`). */
  body: { present: boolean; replayable: boolean };
}

/** One client's HTTP side of NTLM: options, credentials, origin policy and memory, budget, a machine per request. */
export class NtlmHttpEngine {
  /** A shallow copy of the options the engine was made with. */
  readonly options: Readonly<EngineOptions>;
  /** The client's own credentials (absent when every request brings its own, or for a proxy alone). */
  readonly identity: Identity | undefined;
  /** The proxy's credentials (`proxy.credentials`), if any. */
  readonly proxyIdentity: Identity | undefined;
  /** Origins known to want NTLM. */
  readonly memory = new OriginMemory();
  /** Proxies known to want NTLM. */
  readonly proxyMemory = new OriginMemory();
  /** The client's connection budget (`maxConnections`, default 256). */
  readonly budget: ConnectionBudget;
  private readonly explicit: ReadonlySet<string> | undefined;
  private first: string | undefined;
  private readonly refused = new Set<string>();

  /** Takes options already checked (`validateOptions`); `log` receives the handshake steps. */
  constructor(
    options: EngineOptions,
    readonly log: (message: string) => void,
  ) {
    this.options = { ...options };
    this.identity = options.credentials ? new Identity(options.credentials) : undefined;
    this.proxyIdentity = options.proxy?.credentials ? new Identity(options.proxy.credentials) : undefined;
    this.explicit = options.origins ? new Set(options.origins.map(normaliseOrigin)) : undefined;
    this.budget = new ConnectionBudget(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  }

  /** Connections per origin: `connections`, default 16. */
  get connections(): number {
    return this.options.connections ?? DEFAULT_CONNECTIONS;
  }

  /** How much of a streamed body is read ahead so that it can be sent again. */
  get maxReplayBytes(): number {
    return this.options.maxReplayBytes ?? DEFAULT_MAX_REPLAY_BYTES;
  }

  /** The route for a request URL under the `proxy` option, `env` read for HTTP(S)_PROXY and NO_PROXY. */
  route(url: URL, env: Env): Route {
    return routeFor(url, this.options.proxy, env);
  }

  /**
   * Whether origin credentials go to `origin`: an origin listed in `origins`; without the option, the origins
   * the caller asks for directly (`scope`: the origin of a fetch or axios call), or else the first origin this
   * client is used with. A redirect never extends it.
   */
  allows(origin: string, scope?: readonly string[]): boolean {
    let ok: boolean;
    if (scope) ok = scope.includes(origin) && (!this.explicit || this.explicit.has(origin));
    else if (this.explicit) ok = this.explicit.has(origin);
    else ok = (this.first ??= origin) === origin;
    if (!ok && !this.refused.has(origin)) {
      this.refused.add(origin);
      this.log(
        `${origin}: no credentials go there (${this.explicit ? 'not in `origins`' : scope ? 'not the origin the request was made for' : `credentials go to ${this.first}, the first origin used`}); list it in \`origins\` to authenticate to it`,
      );
    }
    return ok;
  }

  /** An origin known to want NTLM gets the NEGOTIATE first, so its body is sent once and need not be replayable. */
  knows(origin: string): boolean {
    return (
      this.memory.scheme(origin) !== undefined || (this.options.preemptive === true && !this.memory.declined(origin))
    );
  }

  /** The machine for one request. */
  flow(r: FlowRequest): RequestFlow {
    const proxy =
      r.route.kind === 'forward' && this.proxyIdentity
        ? this.layer(407, r.route.proxy.origin, this.proxyIdentity, this.proxyMemory, () => undefined)
        : undefined;
    const origin = r.identity
      ? this.layer(401, r.origin, r.identity, this.memory, () => spnFor(this.options, r.url()))
      : undefined;
    return new RequestFlow({
      ...(origin ? { origin } : {}),
      ...(proxy ? { proxy } : {}),
      body: r.body,
      idempotent: isIdempotent(r.method),
      safe: isSafe(r.method),
      log: this.log,
    });
  }

  /** The proxy layer of a CONNECT exchange (core/node's tunnel). */
  proxyLayer(proxy: URL): LayerOptions | undefined {
    return this.proxyIdentity
      ? this.layer(407, proxy.origin, this.proxyIdentity, this.proxyMemory, () => undefined)
      : undefined;
  }

  private layer(
    status: 401 | 407,
    target: string,
    identity: Identity,
    memory: OriginMemory,
    spn: () => string | undefined,
  ): LayerOptions {
    const o = this.options;
    return {
      status,
      target,
      identity,
      spn,
      memory,
      preemptive: status === 401 && o.preemptive === true,
      throwOnAuthFailure: o.throwOnAuthFailure === true,
      ...(o.lmCompatibilityLevel !== undefined ? { lmCompatibilityLevel: o.lmCompatibilityLevel } : {}),
      ...(o.debugTokens ? { logTokens: true } : {}),
      onWarning: this.log,
    };
  }

  /** An identity for per-request credentials (a copy: later changes to `credentials` change nothing). */
  static identity(credentials: Credentials): Identity {
    if (!credentials || typeof credentials !== 'object') {
      throw new NtlmError(
        'ERR_NTLM_INVALID_ARGUMENT',
        'credentials must be an object: { username, password | ntHash, domain?, workstation? }',
      );
    }
    return new Identity(credentials);
  }
}
