// NtlmDispatcher: an undici Dispatcher that answers NTLM challenges on pinned connections.
import { Agent, Dispatcher, type buildConnector } from 'undici';
import { NtlmError } from '@ntlmkit/core';
import {
  allowsOrigin, credentialKey, normaliseOrigin, OriginMemory, runExchange, validateOptions,
  type LegRequest, type LegResult, type NtlmHttpOptions,
} from '@ntlmkit/core/http';
import { bufferWithin, isReplayable } from './body.js';
import { logger } from './debug.js';
import { RequestController, toNewStyle, type NewStyleHandler } from './handler.js';
import { flattenHeaders, headerValues, withoutHeaders, type HeaderInput } from './headers.js';
import { OriginPool, type Slot } from './pool.js';

export interface NtlmDispatcherOptions extends NtlmHttpOptions {
  /** TLS and socket options for connections (ca, rejectUnauthorized, cert, key, …). ALPN is always http/1.1. */
  connect?: buildConnector.BuildOptions;
  /** Idle keep-alive timeout of authenticated connections (ms). */
  keepAliveTimeout?: number;
  /** Where requests to origins outside `origins` go (default: a plain undici Agent with the same `connect`). */
  fallback?: Dispatcher;
}

type DispatchOptions = Dispatcher.DispatchOptions;

const DEFAULT_REPLAY_BYTES = 1024 * 1024;

export class NtlmDispatcher extends Dispatcher {
  private readonly options: NtlmDispatcherOptions;
  private readonly key: string;
  private readonly memory = new OriginMemory();
  private readonly pools = new Map<string, OriginPool>();
  private readonly fallback: Dispatcher;
  private readonly ownsFallback: boolean;
  private readonly log: (message: string) => void;
  private closed = false;

  constructor(options: NtlmDispatcherOptions) {
    super();
    validateOptions(options);
    this.options = options;
    this.key = credentialKey(options.credentials);
    this.ownsFallback = !options.fallback;
    this.fallback = options.fallback ?? new Agent(options.connect ? { connect: options.connect } : {});
    this.log = logger(options.debug);
  }

  /** Connections currently open per origin (for observability and tests). */
  connectionCount(origin?: string): number {
    const pools = origin ? [this.pools.get(normaliseOrigin(origin))] : [...this.pools.values()];
    return pools.reduce((n, p) => n + (p ? p.size : 0), 0);
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
    const allowed = allowsOrigin(this.options, origin) && (!scope || scope.includes(origin));
    if (!allowed || opts.upgrade || opts.method === 'CONNECT') {
      this.fallback.dispatch(opts, handler);
      return;
    }
    const user = toNewStyle(handler);
    const controller = new RequestController();
    this.run(origin, opts, user, controller).catch((error: Error) => {
      try {
        user.onResponseError?.(controller as never, error);
      } catch {
        // the caller's handler has nowhere else to report it
      }
    });
  }

  private pool(origin: string): OriginPool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new OriginPool(origin, this.options.connections ?? Infinity, {
        ...(this.options.connect ? { connect: this.options.connect } : {}),
        ...(this.options.keepAliveTimeout !== undefined ? { keepAliveTimeout: this.options.keepAliveTimeout } : {}),
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private async run(origin: string, opts: DispatchOptions, user: NewStyleHandler, controller: RequestController): Promise<void> {
    let started = false;
    const start = (leg: Dispatcher.DispatchController, context: unknown) => {
      controller.attach(leg);
      if (!started) {
        started = true;
        user.onRequestStart?.(controller as never, context);
      }
    };
    const url = new URL(String(opts.path ?? '/'), origin);
    const known = this.memory.scheme(origin) !== undefined || this.options.preemptive === true;
    // A stream to an origin not known to want NTLM may have to be sent twice: keep it within a bound.
    const prepared = known || isReplayable(opts.body)
      ? { body: opts.body, replayable: isReplayable(opts.body) }
      : await bufferWithin(opts.body, this.options.maxReplayBytes ?? DEFAULT_REPLAY_BYTES);
    let bodyUsed = false;
    const baseHeaders = flattenHeaders(opts.headers as HeaderInput);
    const hasBody = prepared.body !== null && prepared.body !== undefined;

    const pool = this.pool(origin);
    const slot = await pool.acquire(this.key);
    try {
      await runExchange<void>({
        origin,
        url,
        options: this.options,
        credentialKey: this.key,
        auth: slot.auth,
        memory: this.memory,
        challengeStatus: 401,
        bodyReplayable: prepared.replayable,
        peerCertificate: () => slot.peerCertificate,
        reconnect: () => slot.reconnect(),
        connectionId: () => slot.generation,
        log: this.log,
        send: (leg) => {
          if (controller.aborted) return Promise.reject(controller.reason);
          let headers = baseHeaders;
          if (leg.authorization) headers = [...withoutHeaders(headers, ['authorization']), 'authorization', leg.authorization];
          let body: unknown = null;
          if (leg.withBody) {
            if (bodyUsed && !prepared.replayable) {
              return Promise.reject(new NtlmError('ERR_NTLM_BODY_NOT_REPLAYABLE', 'the request body (a stream) was already sent and cannot be sent again'));
            }
            body = prepared.body;
            bodyUsed = hasBody;
          } else if (hasBody) {
            headers = [...withoutHeaders(headers, ['content-length', 'transfer-encoding', 'expect']), 'content-length', '0'];
          }
          return this.leg(slot, { ...opts, headers, body: body as DispatchOptions['body'] }, leg, user, start);
        },
      });
    } finally {
      pool.release(slot);
    }
  }

  /** One HTTP exchange on the slot's connection; delivered responses stream to the caller's handler. */
  private leg(slot: Slot, opts: DispatchOptions, leg: LegRequest, user: NewStyleHandler, start: (c: Dispatcher.DispatchController, context: unknown) => void): Promise<LegResult<void>> {
    return new Promise((resolve, reject) => {
      let delivered = false;
      let head: Omit<LegResult<void>, 'delivered'> = { status: 0, challenges: [], closing: false };
      const handler: NewStyleHandler = {
        onRequestStart: (controller, context) => start(controller, context),
        onRequestUpgrade: (controller, status, headers, socket) => user.onRequestUpgrade?.(controller, status, headers, socket),
        onResponseStart: (controller, status, headers, message) => {
          const closing = headerValues(headers, 'connection').some((v) => /\bclose\b/i.test(v));
          head = { status, challenges: headerValues(headers, 'www-authenticate'), closing };
          delivered = leg.deliver(status, head.challenges, closing);
          if (delivered) user.onResponseStart?.(controller, status, headers, message);
        },
        onResponseData: (controller, chunk) => {
          if (delivered) user.onResponseData?.(controller, chunk);
        },
        onResponseEnd: (controller, trailers) => {
          if (delivered) user.onResponseEnd?.(controller, trailers);
          resolve({ ...head, delivered });
        },
        onResponseError: (controller, error) => {
          if (delivered) {
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
