// The dispatcher of one origin, made by NtlmDispatcher's Agent factory: pinned single-connection Clients
// (slots) for requests that authenticate, chosen by credentials from the shared pool in @ntlmkit/core/http,
// and a plain undici Pool for requests that carry no credentials.
import * as undici from 'undici';
import { Dispatcher, Pool, type buildConnector } from 'undici';
import {
  bodyFacts,
  bufferWithin,
  LinkedList,
  SlotPool,
  type Identity,
  type NtlmHttpEngine,
  type Route,
} from '@ntlmkit/core/http';
import { NtlmError } from '@ntlmkit/core';
import { hasHeader, replaceHeaders, type HeaderInput } from './headers.js';
import {
  LegacyRequest,
  MODERN_HANDLERS,
  ModernRequest,
  type NtlmRequest,
  type RequestHost,
  type RequestSetup,
} from './request.js';
import { UndiciSlot } from './slot.js';

/**
 * Per-request NTLM context of the views (withCredentials, scoped). It travels beside the dispatch options,
 * never on them: a copy of the caller's options per request (or a property added to them) costs every
 * reader of those options, undici's included.
 */
export interface RequestContext {
  /** Authenticate as these credentials instead of the dispatcher's. */
  identity?: Identity;
  /** Credentials go only to these origins for this request (the fetch wrapper: the origin called). */
  scope?: readonly string[];
}

type Events = 'connect' | 'disconnect' | 'connectionError' | 'drain';

/** What an origin's dispatcher needs of its NtlmDispatcher. */
export interface PoolHost {
  readonly engine: NtlmHttpEngine;
  /** The origin's connector (shared, so TLS sessions are reused across connections). */
  connector(route: Route, origin: string): buildConnector.connector;
  readonly keepAliveTimeout: number;
  readonly keepAliveMaxTimeout: number;
  /** Where requests without credentials go (default: a plain Pool per origin). */
  readonly fallback: Dispatcher | undefined;
  /** Events, emitted on the NtlmDispatcher as undici's Agent emits its pools'. */
  emit(event: Events, origin: URL, targets: readonly unknown[], error?: Error): void;
  /** The context a view handed over with exactly these options (through undici's Agent), if any. */
  handedOver(opts: Dispatcher.DispatchOptions): RequestContext | undefined;
  /** The pool closes or is destroyed (its Agent let it go, or is closing): it takes no more requests. */
  ended(pool: NtlmOriginPool): void;
}

const { Dispatcher1Wrapper } = undici as unknown as {
  Dispatcher1Wrapper?: { wrapHandler(h: unknown): Dispatcher.DispatchHandler };
};
const wrapHandler = Dispatcher1Wrapper && ((h: unknown) => Dispatcher1Wrapper.wrapHandler(h));

export class NtlmOriginPool extends Dispatcher {
  /** The origin as undici's Agent keys it (the request's `origin`, as a string). */
  readonly agentKey: string;
  readonly origin: string;
  readonly route: Route;
  readonly slots: SlotPool<UndiciSlot>;
  readonly #host: PoolHost;
  readonly #url: URL;
  readonly #clientUrl: string;
  #plain: Pool | undefined;
  #waiting = 0;
  #needDrain = false;
  /** Requests in progress (a list threaded through the requests: nothing allocated per request). */
  readonly #active = new LinkedList<NtlmRequest>();
  #closing: Promise<void> | undefined;
  #closed: (() => void) | undefined;

  /** What this origin's requests share (one object for all of them). */
  readonly #requests: RequestHost;

  constructor(host: PoolHost, origin: string) {
    super();
    this.#host = host;
    this.agentKey = origin;
    this.#url = new URL(origin);
    this.origin = this.#url.origin;
    this.route = host.engine.route(this.#url, process.env);
    this.#clientUrl = this.route.kind === 'forward' ? this.route.proxy.origin : this.origin;
    this.slots = new SlotPool<UndiciSlot>({
      limit: host.engine.connections,
      budget: host.engine.budget,
      create: () =>
        new UndiciSlot({
          url: this.#clientUrl,
          binds: this.route.kind !== 'forward',
          connector: host.connector(this.route, this.origin),
          keepAliveTimeout: host.keepAliveTimeout,
          keepAliveMaxTimeout: host.keepAliveMaxTimeout,
          events: (event, origin, targets, error) => host.emit(event, origin, [this, ...targets], error),
          onDisconnect: (slot) => this.slots.disconnected(slot),
        }),
    });
    const engine = host.engine;
    this.#requests = {
      slots: this.slots,
      keepAliveTimeout: host.keepAliveTimeout,
      keepAliveMaxTimeout: host.keepAliveMaxTimeout,
      makeFlow: (r) =>
        engine.flow({
          origin: this.origin,
          url: () => new URL(this.origin + r.path),
          route: this.route,
          identity: r.identity,
          method: r.opts.method,
          body: r.body,
        }),
      onWaitEnd: () => this.waitEnded(),
      onSettled: (request) => this.settled(request),
    };
  }

  /** Whether the pool was closed or destroyed. */
  get ended(): boolean {
    return this.#closing !== undefined;
  }

  /** Settles when the pool has closed (its connections ended); undefined while it is open. */
  get closed(): Promise<void> | undefined {
    return this.#closing;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.dispatchAs(this.#host.handedOver(opts), opts, handler);
  }

  /** A request with a view's context (undefined: the NtlmDispatcher's own credentials). */
  dispatchAs(
    context: RequestContext | undefined,
    opts: Dispatcher.DispatchOptions,
    given: Dispatcher.DispatchHandler,
  ): boolean {
    if (this.#closing) throw new undici.errors.ClientClosedError();
    // undici 8 speaks only the second handler style; Node's own fetch may hand us the first.
    const handler = wrapHandler ? wrapHandler(given) : given;
    const engine = this.#host.engine;
    if (opts.upgrade || opts.method === 'CONNECT') {
      if (this.route.kind !== 'direct')
        throw new NtlmError(
          'ERR_NTLM_UNSUPPORTED',
          'upgrade and CONNECT requests through the NTLM proxy route are not supported',
        );
      return this.plain().dispatch(opts, handler);
    }
    const identity = context?.identity ?? engine.identity;
    const authenticate =
      identity !== undefined &&
      !hasHeader(opts.headers as HeaderInput, 'authorization') &&
      engine.allows(this.origin, context?.scope);
    const proxied =
      this.route.kind === 'forward' &&
      engine.proxyIdentity !== undefined &&
      !hasHeader(opts.headers as HeaderInput, 'proxy-authorization');
    // Requests without credentials go on unauthenticated pinned connections too: within the same budget.
    if (!authenticate && this.#host.fallback && this.route.kind === 'direct')
      return this.#host.fallback.dispatch(opts, handler);

    const body = bodyFacts(opts.body);
    // A stream to an origin that may ask for NTLM after it was sent is read ahead within a bound.
    const proxyKnown =
      this.route.kind === 'forward' && engine.proxyMemory.scheme(this.route.proxy.origin) !== undefined;
    const readAhead =
      body.present && !body.replayable && ((authenticate && !engine.knows(this.origin)) || (proxied && !proxyKnown));
    const path = typeof opts.path === 'string' ? opts.path : '/';
    // undici closes the connection after a HEAD unless told otherwise; an authenticated one is worth keeping.
    if (opts.method === 'HEAD' && opts.reset === undefined) opts = { ...opts, reset: false };
    const setup: RequestSetup = {
      host: this.#requests,
      fast: !proxied && body.replayable,
      key: authenticate ? identity.key : '',
      opts:
        this.route.kind === 'forward'
          ? {
              ...opts,
              origin: this.route.proxy.origin,
              // Origin and path as the caller gave them: a path is never read as an authority (`//other/x`).
              path: this.origin + path,
              headers: replaceHeaders(opts.headers as HeaderInput, {
                host: this.#url.host,
                'proxy-connection': 'keep-alive',
              }),
            }
          : opts,
      identity: authenticate ? identity : undefined,
      body,
      path,
    };
    const request = MODERN_HANDLERS ? new ModernRequest(setup, handler) : new LegacyRequest(setup, handler as never);
    this.#active.push(request);
    try {
      request.begin();
    } catch (error) {
      // The caller's own start callback threw: nothing was sent; the dispatcher tells the caller.
      this.settled(request);
      throw error;
    }
    if (!readAhead) return this.started(request.proceed());
    bufferWithin(opts.body as AsyncIterable<Uint8Array>, engine.maxReplayBytes).then(
      (read) => {
        setup.body = { present: true, replayable: read.replayable };
        setup.opts = {
          ...setup.opts,
          body: read.replayable
            ? Buffer.from(read.body.buffer, read.body.byteOffset, read.body.byteLength)
            : (read.body as never),
        };
        setup.fast = !proxied && read.replayable;
        this.started(request.proceed());
      },
      (error: Error) => request.abortWith(error),
    );
    return true;
  }

  /** Upgrade and CONNECT requests, which NTLM does not handle: straight to the origin. */
  private plain(): Pool {
    if (!this.#plain) {
      const pool = new Pool(this.origin, {
        connect: this.#host.connector(this.route, this.origin),
        keepAliveTimeout: this.#host.keepAliveTimeout,
        connections: this.#host.engine.connections,
      });
      for (const event of ['connect', 'disconnect', 'connectionError', 'drain'] as const) {
        (
          pool.on as (
            event: string,
            listener: (origin: URL, targets: readonly unknown[], error?: Error) => void,
          ) => Pool
        )(event, (origin, targets, error) => this.#host.emit(event, origin, [this, ...targets], error));
      }
      this.#plain = pool;
    }
    return this.#plain;
  }

  private started(immediately: boolean): boolean {
    if (immediately) return true;
    this.#waiting++;
    this.#needDrain = true;
    return false;
  }

  private waitEnded(): void {
    this.#waiting--;
    if (this.#waiting === 0 && this.#needDrain) {
      this.#needDrain = false;
      this.#host.emit('drain', this.#url, [this]);
    }
  }

  private settled(request: NtlmRequest): void {
    if (!this.#active.remove(request)) return; // not tracked (settled before)
    if (this.#closed && this.#active.size === 0) this.#closed();
  }

  /** Open connections: pinned ones and the plain pool's. */
  connectionCount(): number {
    let n = 0;
    for (const slot of this.slots.slots) if (slot.connected) n++;
    return n + (this.#plain?.stats.connected ?? 0);
  }

  get stats(): { connected: number; free: number; pending: number; queued: number; running: number; size: number } {
    let connected = 0;
    let free = 0;
    let running = 0;
    for (const slot of this.slots.slots) {
      if (slot.connected) connected++;
      if (slot.busy) running++;
      else if (slot.connected) free++;
    }
    const plain = this.#plain?.stats;
    const queued = this.slots.queued + (plain?.queued ?? 0);
    return {
      connected: connected + (plain?.connected ?? 0),
      free: free + (plain?.free ?? 0),
      pending: queued + (plain?.pending ?? 0) - (plain?.queued ?? 0),
      queued,
      running: running + (plain?.running ?? 0),
      size: queued + running + (plain?.running ?? 0),
    };
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const first = !this.#closing;
    this.#closing ??= new Promise<void>((resolve) => {
      const finish = () => {
        this.slots.closeIdle();
        Promise.all([
          ...[...this.slots.slots].map((s) => s.closeGracefully().catch(() => undefined)),
          this.#plain?.close(),
        ]).then(
          () => resolve(),
          () => resolve(),
        );
      };
      if (this.#active.size === 0) finish();
      else this.#closed = finish;
    });
    if (first) this.#host.ended(this);
    if (!callback) return this.#closing;
    this.#closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b;
    const error = (typeof a === 'function' ? null : a) ?? new undici.errors.ClientDestroyedError();
    const first = !this.#closing;
    this.#closing ??= Promise.resolve();
    if (first) this.#host.ended(this);
    for (const request of this.#active.toArray()) request.abortWith(error);
    const done = Promise.all([
      ...[...this.slots.slots].map((s) => s.client.destroy(error).catch(() => undefined)),
      this.#plain?.destroy(error),
    ]).then(
      () => undefined,
      () => undefined,
    );
    if (!callback) return done;
    done.then(callback, callback);
  }
}
