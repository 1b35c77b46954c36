// NtlmDispatcher: an undici Dispatcher that answers NTLM challenges on pinned connections.
import { Agent, Dispatcher, type buildConnector } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { NtlmError, type Credentials } from '@ntlmkit/core';
import {
  normaliseOrigin, NtlmHttpEngine, routeKey, type Env, type NtlmHttpOptions, type ProxyOptions, type RawHead, type RawResult, type RawSend, type Route,
} from '@ntlmkit/core/http';
import { tunnelOpener } from '@ntlmkit/core/node';
import { bufferWithin, isReplayable } from './body.js';
import { logger } from './debug.js';
import { RequestController, toNewStyle, type NewStyleHandler } from './handler.js';
import { flattenHeaders, headerValues, withoutHeaders, type HeaderInput } from './headers.js';
import { OriginPool, type Slot } from './pool.js';

export interface NtlmDispatcherOptions extends Omit<NtlmHttpOptions, 'credentials'> {
  /** Origin credentials. Optional only with a proxy (proxy authentication alone). */
  credentials?: Credentials;
  /** TLS and socket options for connections (ca, rejectUnauthorized, cert, key, …). ALPN is always http/1.1. */
  connect?: buildConnector.BuildOptions;
  /** Idle keep-alive timeout of authenticated connections (ms). */
  keepAliveTimeout?: number;
  /** Where requests to origins outside `origins` go (default: a plain undici Agent with the same `connect`). */
  fallback?: Dispatcher;
  /** A forward proxy (HTTP via absolute URIs, HTTPS via CONNECT), with its own NTLM credentials. */
  proxy?: ProxyOptions & {
    /** Read HTTP_PROXY / HTTPS_PROXY / NO_PROXY when `uri` is not given. Default true. */
    fromEnv?: boolean;
    /** TLS options for an https: proxy. */
    tls?: ConnectionOptions;
  };
}

type DispatchOptions = Dispatcher.DispatchOptions;

export class NtlmDispatcher extends Dispatcher {
  private readonly options: NtlmDispatcherOptions;
  private readonly engine: NtlmHttpEngine;
  private readonly pools = new Map<string, OriginPool>();
  private readonly fallback: Dispatcher;
  private readonly ownsFallback: boolean;
  private closed = false;

  constructor(options: NtlmDispatcherOptions) {
    super();
    this.engine = new NtlmHttpEngine(options, logger(options?.debug));
    this.options = options;
    this.ownsFallback = !options.fallback;
    this.fallback = options.fallback ?? new Agent(options.connect ? { connect: options.connect } : {});
  }

  /** Connections currently open per origin (for observability and tests). */
  connectionCount(origin?: string): number {
    const wanted = origin ? normaliseOrigin(origin) : undefined;
    let n = 0;
    for (const [key, pool] of this.pools) if (!wanted || key.endsWith(wanted)) n += pool.size;
    return n;
  }

  /** A view of this dispatcher that authenticates only to `origins` (the fetch wrapper uses one per call). */
  scoped(origins: readonly string[]): Dispatcher {
    return new ScopedDispatcher(this, origins.map(normaliseOrigin));
  }

  override dispatch(opts: DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.dispatchWithin(opts, handler, undefined);
    return true;
  }

  /** @internal */
  dispatchWithin(opts: DispatchOptions, handler: Dispatcher.DispatchHandler, scope: readonly string[] | undefined): void {
    if (this.closed) throw new NtlmError('ERR_NTLM_WRONG_STATE', 'the NTLM dispatcher is closed');
    const origin = normaliseOrigin(opts.origin as string | URL);
    const url = new URL(String(opts.path ?? '/'), origin);
    const route = this.engine.route(url, process.env as Env);
    const allowed = this.engine.authenticates(origin, scope);
    if ((!allowed && route.kind === 'direct') || opts.upgrade || opts.method === 'CONNECT') {
      this.fallback.dispatch(opts, handler);
      return;
    }
    const user = toNewStyle(handler);
    const controller = new RequestController();
    this.run(origin, url, route, allowed, opts, user, controller).catch((error: Error) => {
      try {
        user.onResponseError?.(controller as never, error);
      } catch {
        // the caller's handler has nowhere else to report it
      }
    });
  }

  private pool(origin: string, route: Route): OriginPool {
    const id = routeKey(route, origin);
    let pool = this.pools.get(id);
    if (!pool) {
      pool = new OriginPool(origin, this.options.connections ?? Infinity, {
        ...(this.options.connect ? { connect: this.options.connect } : {}),
        ...(this.options.keepAliveTimeout !== undefined ? { keepAliveTimeout: this.options.keepAliveTimeout } : {}),
        ...(route.kind === 'forward' ? { clientOrigin: route.proxy.origin } : {}),
        tunnel: tunnelOpener(this.engine, route, new URL(origin), this.options.proxy?.tls),
      });
      this.pools.set(id, pool);
    }
    return pool;
  }

  private async run(origin: string, url: URL, route: Route, ntlm: boolean, opts: DispatchOptions, user: NewStyleHandler, controller: RequestController): Promise<void> {
    let started = false;
    const start = (leg: Dispatcher.DispatchController, context: unknown) => {
      controller.attach(leg);
      if (!started) {
        started = true;
        user.onRequestStart?.(controller as never, context);
      }
    };
    const known = ntlm && this.engine.knows(origin);
    // A stream to an origin not known to want NTLM may have to be sent twice: keep it within a bound.
    const prepared = known || isReplayable(opts.body)
      ? { body: opts.body, replayable: isReplayable(opts.body) }
      : await bufferWithin(opts.body, this.engine.maxReplayBytes);
    let baseHeaders = flattenHeaders(opts.headers as HeaderInput);
    let base: DispatchOptions = opts;
    if (route.kind === 'forward') {
      // Absolute-form request to the proxy; Proxy-Connection for proxies that predate HTTP/1.1.
      base = { ...opts, origin: route.proxy.origin, path: url.href };
      baseHeaders = [...withoutHeaders(baseHeaders, ['host', 'proxy-connection']), 'host', url.host, 'proxy-connection', 'keep-alive'];
    }
    const hasBody = prepared.body !== null && prepared.body !== undefined;

    const pool = this.pool(origin, route);
    const slot = await pool.acquire(this.engine.slotKey);
    // Freed as soon as the delivered response ends, before the caller hears of it: a request the
    // caller sends next must find this connection idle.
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        pool.release(slot);
      }
    };
    // One HTTP exchange on the pinned connection, with whichever authorization headers the layers set.
    const send: RawSend<void> = (auth, withBody, deliver) => {
      if (controller.aborted) return Promise.reject(controller.reason);
      let flat = withoutHeaders(baseHeaders, Object.keys(auth));
      for (const [k, v] of Object.entries(auth)) flat.push(k, v);
      let body: unknown = null;
      if (withBody) body = prepared.body;
      else if (hasBody) {
        flat = [...withoutHeaders(flat, ['content-length', 'transfer-encoding', 'expect']), 'content-length', '0'];
      }
      return this.leg(slot, { ...base, headers: flat, body: body as DispatchOptions['body'] }, deliver, user, start, release);
    };

    try {
      await this.engine.request<void>({
        origin,
        url,
        route,
        authenticate: ntlm,
        bodyReplayable: prepared.replayable,
        send,
        slot: {
          auth: slot.auth,
          proxyAuth: slot.proxyAuth,
          connectionId: () => slot.generation,
          reconnect: () => slot.reconnect(),
          peerCertificate: () => slot.peerCertificate,
        },
      });
    } finally {
      release();
    }
  }

  /** One HTTP exchange on the slot's connection; delivered responses stream to the caller's handler. */
  private leg(
    slot: Slot,
    opts: DispatchOptions,
    deliver: (head: RawHead) => boolean,
    user: NewStyleHandler,
    start: (c: Dispatcher.DispatchController, context: unknown) => void,
    release: () => void,
  ): Promise<RawResult<void>> {
    return new Promise((resolve, reject) => {
      let delivered = false;
      let head: RawHead = { status: 0, header: () => [], closing: false };
      const handler: NewStyleHandler = {
        onRequestStart: (controller, context) => start(controller, context),
        onRequestUpgrade: (controller, status, headers, socket) => user.onRequestUpgrade?.(controller, status, headers, socket),
        onResponseStart: (controller, status, headers, message) => {
          head = { status, header: (name) => headerValues(headers, name), closing: headerValues(headers, 'connection').some((v) => /\bclose\b/i.test(v)) };
          delivered = deliver(head);
          if (delivered) user.onResponseStart?.(controller, status, headers, message);
        },
        onResponseData: (controller, chunk) => {
          if (delivered) user.onResponseData?.(controller, chunk);
        },
        onResponseEnd: (controller, trailers) => {
          if (delivered) {
            release();
            user.onResponseEnd?.(controller, trailers);
          }
          resolve({ ...head, delivered });
        },
        onResponseError: (controller, error) => {
          if (delivered) {
            release();
            user.onResponseError?.(controller, error);
            resolve({ ...head, delivered });
          } else reject(error);
        },
      };
      slot.client.dispatch(opts, handler as Dispatcher.DispatchHandler);
    });
  }

  private async shutdown(error: Error | null | undefined, destroy: boolean): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((p) => (destroy ? p.destroy(error ?? undefined) : p.close())));
    if (this.ownsFallback) await (destroy ? this.fallback.destroy(error ?? null) : this.fallback.close());
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    return withCallback(this.shutdown(undefined, false), callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b;
    return withCallback(this.shutdown(typeof a === 'function' ? undefined : a, true), callback);
  }
}

function withCallback(promise: Promise<void>, callback?: () => void): Promise<void> | void {
  if (!callback) return promise;
  promise.then(callback, callback);
}

export interface NtlmProxyAgentOptions extends Omit<NtlmDispatcherOptions, 'proxy'> {
  /** The proxy, e.g. `http://proxy.corp.example:3128`; default HTTPS_PROXY / HTTP_PROXY. */
  uri?: string;
  /** Credentials for the proxy's 407 (separate from the origin's `credentials`). */
  proxyCredentials?: Credentials;
  /** Hosts that bypass the proxy; default NO_PROXY. */
  noProxy?: string;
  /** TLS options for an https: proxy. */
  proxyTls?: ConnectionOptions;
}

/**
 * NTLM through a forward proxy: plain HTTP in absolute form on an authenticated proxy connection,
 * HTTPS through a CONNECT tunnel whose 407 handshake uses the proxy credentials; origin NTLM (and EPA
 * with the origin's own certificate) inside. Usable wherever a Dispatcher is.
 */
export class NtlmProxyAgent extends NtlmDispatcher {
  constructor(options: NtlmProxyAgentOptions) {
    const { uri, proxyCredentials, noProxy, proxyTls, ...rest } = options;
    super({
      ...rest,
      proxy: {
        ...(uri !== undefined ? { uri } : {}),
        ...(proxyCredentials ? { credentials: proxyCredentials } : {}),
        ...(noProxy !== undefined ? { noProxy } : {}),
        ...(proxyTls ? { tls: proxyTls } : {}),
      },
    });
  }
}

/** Shares the parent's pools and memory, with its own origin allow-list; closing it closes nothing. */
class ScopedDispatcher extends Dispatcher {
  constructor(private readonly parent: NtlmDispatcher, private readonly origins: readonly string[]) {
    super();
  }

  override dispatch(opts: DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.parent.dispatchWithin(opts, handler, this.origins);
    return true;
  }

  // The parent owns the connections: closing a scoped view closes nothing.
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    return withCallback(Promise.resolve(), callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    return withCallback(Promise.resolve(), typeof a === 'function' ? a : b);
  }
}
