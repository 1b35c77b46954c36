// NtlmDispatcher: an undici Agent whose factory makes, per origin, a dispatcher of pinned single-connection
// Clients that answer NTLM challenges (origin-pool.ts); the handshake itself is the machine of
// @ntlmkit/core/http, driven by a handler per request (request.ts).
import type { ConnectionOptions } from 'node:tls';
import { Agent, Dispatcher, type buildConnector } from 'undici';
import { NtlmError, type Credentials } from '@ntlmkit/core';
import {
  Identity,
  NtlmHttpEngine,
  normaliseOrigin,
  routeKey,
  validateOptions,
  validateProxyOptions,
  type NtlmHttpOptions,
  type OptionCheck,
  type ProxyOptions,
  type Route,
} from '@ntlmkit/core/http';
import { Connector, logger, openTunnel, type ConnectOptions } from '@ntlmkit/core/node';
import { NtlmOriginPool, type PoolHost, type RequestContext } from './origin-pool.js';
import { MODERN_HANDLERS } from './request.js';
import type { SlotConnectOptions } from './slot.js';

/** Options of `NtlmDispatcher`: the shared NTLM options (NtlmHttpOptions) and undici's connection settings. */
export interface NtlmDispatcherOptions extends NtlmHttpOptions {
  /**
   * TLS and socket options for the connections (`ca`, `rejectUnauthorized`, `cert`, `key`, `servername`, …).
   * ALPN is always http/1.1.
   */
  connect?: buildConnector.BuildOptions;
  /** How long an idle connection is kept when the server sends no Keep-Alive hint (ms). Default 4000, as undici. */
  keepAliveTimeout?: number;
  /** The longest an idle connection is kept, whatever the server's hint (ms). Default 600000, as undici. */
  keepAliveMaxTimeout?: number;
  /**
   * Where requests that carry no credentials go (origins outside `origins`). Default: unauthenticated pinned
   * connections, within the budget.
   */
  fallback?: Dispatcher;
  /** A forward proxy (HTTP in absolute form, HTTPS through CONNECT), with its own NTLM credentials. */
  proxy?: ProxyOptions & {
    /** Read HTTPS_PROXY, HTTP_PROXY and NO_PROXY (unless `noProxy` is given) when `uri` is not given. Default true. */
    fromEnv?: boolean;
    /** TLS options for an https: proxy. */
    tls?: ConnectionOptions;
  };
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null;
const nonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const OWN_OPTIONS: Record<string, OptionCheck> = {
  connect: [isObject, 'an object of TLS and socket options'],
  keepAliveTimeout: [nonNegative, 'a number of milliseconds'],
  keepAliveMaxTimeout: [nonNegative, 'a number of milliseconds'],
  fallback: [(v) => isObject(v) && typeof (v as Dispatcher).dispatch === 'function', 'an undici Dispatcher'],
};

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** How a view dispatches through its NtlmDispatcher (not public: views are the only callers). */
const DISPATCH_AS = Symbol('ntlmkit.dispatchAs');

/**
 * An error thrown while a request was being dispatched, told to its handler as undici's dispatchers do
 * (undici 7: onError, and false; undici 8: onResponseError, and true); thrown when the handler has no
 * such callback.
 */
function deliverDispatchError(handler: Dispatcher.DispatchHandler, error: unknown): boolean {
  const h = handler as {
    onError?(error: unknown): void;
    onResponseError?(controller: null, error: unknown): void;
  };
  if (MODERN_HANDLERS) {
    if (typeof h.onResponseError !== 'function') throw error;
    h.onResponseError(null, error);
    return true;
  }
  if (typeof h.onError !== 'function') throw error;
  h.onError(error);
  return false;
}

type Events = 'connect' | 'disconnect' | 'connectionError' | 'drain';

/**
 * An undici Dispatcher that answers `401 WWW-Authenticate: NTLM` (or `Negotiate` carrying raw NTLM) on a
 * pinned connection, keeps a pool of authenticated connections, binds the TLS channel (EPA) to the
 * certificate of the socket that authenticates, and sends request bodies once.
 */
export class NtlmDispatcher extends Agent {
  readonly #engine: NtlmHttpEngine;
  readonly #options: NtlmDispatcherOptions;
  readonly #pools = new Set<NtlmOriginPool>();
  /** The open pools by undici's Agent key, for the views' requests (which need not go through the Agent). */
  readonly #byKey = new Map<string, NtlmOriginPool>();
  /** A view's context handed over to the pool the Agent dispatches these options to. */
  #handoffOpts: Dispatcher.DispatchOptions | undefined;
  #handoffContext: RequestContext | undefined;
  readonly #connectors = new Map<string, buildConnector.connector>();
  readonly #host: PoolHost;

  /** Every option is checked here: a wrong one is an NtlmError (ERR_NTLM_INVALID_ARGUMENT). */
  constructor(options: NtlmDispatcherOptions = {}) {
    validateOptions(options, OWN_OPTIONS);
    validateProxyOptions(options.proxy, 'proxy');
    const ref: { self?: NtlmDispatcher } = {};
    super({
      factory: (origin: string | URL, agentOptions?: { allowH2?: boolean }) =>
        ref.self!.#createPool(String(origin), agentOptions?.allowH2 !== false),
    });
    ref.self = this;
    this.#options = { ...options };
    this.#engine = new NtlmHttpEngine(this.#options, logger(options.debug));
    // undici's Agent reads its stats from dispatchers that are not ours; ours are kept here. An own property,
    // so that the declaration stays undici's (an accessor over its property would not type-check for users).
    Object.defineProperty(this, 'stats', { get: () => this.#stats(), enumerable: false, configurable: true });
    this.#host = {
      engine: this.#engine,
      connector: (route, origin) => this.#connector(route, origin),
      keepAliveTimeout: options.keepAliveTimeout ?? 4000,
      keepAliveMaxTimeout: options.keepAliveMaxTimeout ?? 600_000,
      fallback: options.fallback,
      emit: (event: Events, origin, targets, error) => {
        (this.emit as (event: string, ...args: unknown[]) => boolean)(event, origin, [this, ...targets], error);
      },
      handedOver: (opts) => (opts === this.#handoffOpts ? this.#handoffContext : undefined),
      ended: (pool) => {
        if (this.#byKey.get(pool.agentKey) === pool) this.#byKey.delete(pool.agentKey);
        // Counted (connectionCount, stats) until its connections have ended.
        void pool.closed?.then(() => this.#pools.delete(pool));
      },
    };
  }

  /**
   * `direct`: the pool the Agent uses for this origin's ordinary requests (undici 8 keeps another one for
   * allowH2: false).
   */
  #createPool(origin: string, direct: boolean): NtlmOriginPool {
    const pool = new NtlmOriginPool(this.#host, origin);
    this.#pools.add(pool);
    if (direct) this.#byKey.set(origin, pool);
    return pool;
  }

  /**
   * A view's request: straight to the origin's pool when the Agent has one open (the Agent would do only that),
   * else through the Agent (which makes the pool, or refuses as a closed dispatcher does), the context handed
   * over beside the options.
   */
  [DISPATCH_AS](
    context: RequestContext,
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const origin = (opts as { origin?: unknown } | null)?.origin;
    const pool = typeof origin === 'string' || origin instanceof URL ? this.#byKey.get(String(origin)) : undefined;
    if (
      pool &&
      !pool.ended &&
      !this.closed &&
      !this.destroyed &&
      typeof handler === 'object' &&
      handler !== null &&
      // undici 7's Agent turns a second-style handler into a first-style one first; let it.
      (MODERN_HANDLERS || typeof (handler as { onRequestStart?: unknown }).onRequestStart !== 'function') &&
      (opts as { allowH2?: boolean }).allowH2 !== false &&
      !(opts as { dispatcher?: unknown }).dispatcher
    ) {
      try {
        return pool.dispatchAs(context, opts, handler);
      } catch (error) {
        return deliverDispatchError(handler, error);
      }
    }
    const saved = [this.#handoffOpts, this.#handoffContext] as const;
    this.#handoffOpts = opts;
    this.#handoffContext = context;
    try {
      return this.dispatch(opts, handler);
    } finally {
      [this.#handoffOpts, this.#handoffContext] = saved;
    }
  }

  #connector(route: Route, origin: string): buildConnector.connector {
    const key = routeKey(route, origin);
    let connector = this.#connectors.get(key);
    if (connector) return connector;
    const { socketPath, ...connect } = (this.#options.connect ?? {}) as buildConnector.BuildOptions & {
      socketPath?: string;
    };
    const tls = new Connector({ ...(connect as ConnectOptions), ...(socketPath ? { path: socketPath } : {}) });
    const target = (opts: { protocol: string; hostname: string; port?: string | number }) => ({
      protocol: opts.protocol,
      hostname: opts.hostname,
      port: Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80),
    });
    if (route.kind === 'tunnel') {
      // TLS to the origin inside a CONNECT tunnel, its identity checked as on a direct connection.
      const proxy = route.proxy;
      const origin_ = new URL(origin);
      // The connect timeout covers the whole setup (proxy connection, CONNECT exchange, TLS to the origin),
      // as undici's covers a connect; the slot's signal (it is closed: its request was aborted) ends it at once.
      connector = (opts, callback) => {
        const layer = this.#engine.proxyLayer(proxy);
        const signal = (opts as SlotConnectOptions).signal;
        openTunnel({
          proxy,
          target: origin_,
          ...(layer ? { layer } : {}),
          ...(this.#options.proxy?.tls ? { proxyTls: this.#options.proxy.tls } : {}),
          timeoutMs: (connect as { timeout?: number }).timeout ?? 10_000,
          ...(signal ? { signal } : {}),
          secure: (socket) => tls.connect(target(opts), socket, signal),
          log: this.#engine.log,
        }).then(
          (socket) => callback(null, socket as never),
          (error: Error) => callback(error, null),
        );
      };
    } else {
      // Directly, or to a forward proxy (whose own TLS options apply).
      const to = route.kind === 'forward' ? new Connector({ ...this.#options.proxy?.tls }) : tls;
      // The slot's signal ends a connect in progress (its request was aborted): its socket goes at once, so
      // that the connections open never outnumber `connections` while the pool gives the place to the next.
      connector = (opts, callback) => {
        to.connect(target(opts), undefined, (opts as SlotConnectOptions).signal).then(
          (socket) => callback(null, socket as never),
          (error: Error) => callback(error, null),
        );
      };
    }
    this.#connectors.set(key, connector);
    return connector;
  }

  /**
   * A dispatcher that authenticates as `credentials` and shares this one's connections budget, origin
   * memory and options; cheap enough to make per request. Connections authenticated for other
   * credentials never serve it. Closing it closes nothing (the connections are this dispatcher's).
   */
  withCredentials(credentials: Credentials): Dispatcher {
    return new NtlmView(this, { identity: new Identity(credentials) });
  }

  /** A view that sends credentials only to `origins` (the fetch wrapper keeps one per origin). */
  scoped(origins: readonly string[], base: RequestContext = {}): Dispatcher {
    if (!Array.isArray(origins))
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', '`origins` must be an array of origins');
    return new NtlmView(this, { ...base, scope: origins.map(normaliseOrigin) });
  }

  /** Open connections, per origin or in all (for observability and tests). */
  connectionCount(origin?: string): number {
    const wanted = origin === undefined ? undefined : normaliseOrigin(origin);
    let n = 0;
    for (const pool of this.#pools) if (wanted === undefined || pool.origin === wanted) n += pool.connectionCount();
    return n;
  }

  /**
   * Statistics per origin, as undici's Agent gives them (`stats[origin]`: connected, free, pending, queued,
   * running, size).
   */
  #stats(): Record<string, NtlmOriginPool['stats']> {
    const all: Record<string, NtlmOriginPool['stats']> = {};
    for (const pool of this.#pools) all[pool.origin] = pool.stats;
    return all;
  }

  /** `{ user, domain, origins?, proxyUser? }`: no password or hash. */
  toJSON(): Record<string, unknown> {
    const identity = this.#engine.identity;
    return {
      user: identity?.user,
      domain: identity?.domain,
      ...(this.#options.origins ? { origins: this.#options.origins.map(String) } : {}),
      ...(this.#engine.proxyIdentity ? { proxyUser: this.#engine.proxyIdentity.name } : {}),
    };
  }

  /** What `util.inspect` shows: the class name and `toJSON()`. */
  [INSPECT](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}

/** withCredentials and scoped views: the parent's connections, with a per-request NTLM context. */
class NtlmView extends Dispatcher {
  constructor(
    private readonly parent: NtlmDispatcher,
    private readonly context: RequestContext,
  ) {
    super();
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.parent[DISPATCH_AS](this.context, opts, handler);
  }

  /** A view of the same credentials limited to `origins`. */
  scoped(origins: readonly string[]): Dispatcher {
    return this.parent.scoped(origins, this.context);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (!callback) return Promise.resolve();
    queueMicrotask(callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b;
    if (!callback) return Promise.resolve();
    queueMicrotask(callback);
  }

  toJSON(): Record<string, unknown> {
    return {
      ...this.parent.toJSON(),
      ...(this.context.identity ? this.context.identity.toJSON() : {}),
      ...(this.context.scope ? { scope: this.context.scope } : {}),
    };
  }

  [INSPECT](): string {
    return `NtlmDispatcher view ${JSON.stringify(this.toJSON())}`;
  }
}

/** Options of `NtlmProxyAgent`: NtlmDispatcher's, with the proxy's options at the top level. */
export interface NtlmProxyAgentOptions extends Omit<NtlmDispatcherOptions, 'proxy'> {
  /** The proxy, e.g. `http://proxy.corp.example:3128`; default HTTPS_PROXY / HTTP_PROXY. */
  uri?: string;
  /** Credentials for the proxy's 407 (separate from the origin's `credentials`). */
  proxyCredentials?: Credentials;
  /** Hosts that bypass the proxy; default NO_PROXY when `uri` is not given either. */
  noProxy?: string;
  /** Read HTTPS_PROXY, HTTP_PROXY and NO_PROXY (unless `noProxy` is given) when `uri` is not given. Default true. */
  fromEnv?: boolean;
  /** TLS options for an https: proxy. */
  proxyTls?: ConnectionOptions;
}

/** NtlmProxyAgent's own options, checked under the names the caller wrote. */
const PROXY_AGENT_OPTIONS: Record<string, OptionCheck> = {
  uri: [(v) => typeof v === 'string', 'a string (the proxy URL)'],
  proxyCredentials: [isObject, 'an object { username, password | ntHash, domain?, workstation? }'],
  noProxy: [(v) => typeof v === 'string', 'a string (NO_PROXY syntax)'],
  fromEnv: [(v) => typeof v === 'boolean', 'true or false'],
  proxyTls: [isObject, 'an object of TLS options'],
};

/**
 * NTLM through a forward proxy: plain HTTP in absolute form on an authenticated proxy connection, HTTPS
 * through a CONNECT tunnel whose 407 handshake uses the proxy credentials; origin NTLM (and EPA with the
 * origin's own certificate) inside. Usable wherever a Dispatcher is.
 */
export class NtlmProxyAgent extends NtlmDispatcher {
  constructor(options: NtlmProxyAgentOptions = {}) {
    if (!options || typeof options !== 'object')
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'NtlmProxyAgent options must be an object');
    validateOptions(options, PROXY_AGENT_OPTIONS);
    const { uri, proxyCredentials, noProxy, fromEnv, proxyTls, ...rest } = options;
    super({
      ...rest,
      proxy: {
        ...(uri !== undefined ? { uri } : {}),
        ...(proxyCredentials !== undefined ? { credentials: proxyCredentials } : {}),
        ...(noProxy !== undefined ? { noProxy } : {}),
        ...(fromEnv !== undefined ? { fromEnv } : {}),
        ...(proxyTls !== undefined ? { tls: proxyTls } : {}),
      },
    });
  }
}
