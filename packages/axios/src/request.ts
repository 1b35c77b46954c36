// One request (one hop of axios's redirects) through NTLM: the machine in @ntlmkit/core/http says what to
// do with each leg's response head, and each leg is one call of axios's own http adapter on the pinned
// connection's agent. The agent tells this driver when a leg gets its socket (before anything is written:
// the machine may replace the leg) and when its head arrives (the machine decides there, as undici's
// handlers do); a consumed leg's body is drained, and the connection is released before the caller hears
// of the delivered response.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { NtlmError } from '@ntlmkit/core';
import type { Action, RequestFlow, ResponseHead, Route, SlotPool } from '@ntlmkit/core/http';
import type { Cancellation } from './cancellation.js';
import type { AxiosSlot, LegListener } from './slot.js';

const everything = () => true;
const DELIVER: Action = { kind: 'deliver' };
/** The leg of a request on an authenticated connection: as it is. */
const AS_IS: Extract<Action, { kind: 'send' }> = {
  kind: 'send',
  headers: {},
  withBody: true,
  fresh: false,
  negotiating: false,
};
const LEG_KEYS = [
  'headers',
  'data',
  'httpAgent',
  'httpsAgent',
  'proxy',
  'maxRedirects',
  'validateStatus',
  'signal',
  'cancelToken',
  'onUploadProgress',
  'onDownloadProgress',
] as const;

/** The Keep-Alive hint is trusted this much less for reuse, as Node's agent and undici do. */
const REUSE_MARGIN_MS = 1000;

/** Destroys a leg that would go out on the wrong socket (nothing of it was written). */
class LegReplaced extends Error {
  constructor() {
    super('the leg was replaced before it was written');
  }
}

export interface HopSetup {
  pool: SlotPool<AxiosSlot>;
  /** The machine, made only when it is needed (see `fast`). */
  makeFlow(): RequestFlow;
  /**
   * The request may go as it is on a connection authenticated for its credentials (or when it carries none),
   * the machine made only if the server asks again or the leg fails: no proxy layer, a replayable body.
   */
  fast: boolean;
  /** The identity key the request prefers connections by ('' for none). */
  key: string;
  /** The caller's config, with the body this hop sends. */
  config: InternalAxiosRequestConfig;
  http: AxiosAdapter;
  route: Route;
  /** axios's `proxy` setting for a forward proxy. */
  proxy?: { protocol: string; host: string; port: number };
  hasBody: boolean;
  idleMs: number;
  cancellation: Cancellation;
}

interface Leg {
  written: boolean;
  /** The machine's answer to the leg's head. */
  action: Action | undefined;
  /** What to do instead of a leg destroyed before it was written. */
  instead: Action | undefined;
  reusableUntil: number;
}

export function isStream(data: unknown): data is Readable {
  return data !== null && typeof data === 'object' && typeof (data as Readable).pipe === 'function';
}

/** Reads a consumed leg's streamed body to its end, so that its socket is free for the next leg. */
export function drain(response: AxiosResponse): Promise<void> {
  if (!isStream(response.data)) return Promise.resolve();
  const stream = response.data;
  return new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
    stream.resume();
  });
}

function values(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function headOf(res: IncomingMessage, req: ClientRequest): ResponseHead {
  const connection = res.headers.connection;
  return {
    status: res.statusCode ?? 0,
    // Each challenge header apart (Node joins repeated headers with commas in `headers`); read only on a 401 or 407.
    header: (name) =>
      (res as { headersDistinct?: Record<string, string[]> }).headersDistinct?.[name] ?? values(res.headers[name]),
    closing: !req.shouldKeepAlive || (connection !== undefined && /\bclose\b/i.test(connection)),
  };
}

/** The axios error to reject with: an NtlmError becomes an AxiosError with its code and the NtlmError as cause. */
export function toAxiosError(error: unknown, config: InternalAxiosRequestConfig): unknown {
  if (error instanceof AxiosError) {
    error.config = config;
    return error;
  }
  if (!(error instanceof NtlmError)) return error;
  const wrapped = new AxiosError(error.message, error.code, config);
  (wrapped as { cause?: unknown }).cause = error;
  if (error.status !== undefined) (wrapped as { status?: number }).status = error.status;
  return wrapped;
}

export class Hop implements LegListener {
  #slot: AxiosSlot | undefined;
  #leg: Leg | undefined;
  /** The caller's values of the members a leg sets on the config (see #legConfig). */
  #saved: Record<string, unknown> | undefined;
  #own: string[] = [];
  #flow: RequestFlow | undefined;
  /** The generation of the authenticated socket a leg went as it is on (no machine yet). */
  #fastOn: number | undefined;

  constructor(private readonly s: HopSetup) {}

  get #machine(): RequestFlow {
    return (this.#flow ??= this.s.makeFlow());
  }

  /** The machine, brought to where a leg sent as it is left it. */
  #flowAfterFastLeg(): RequestFlow {
    const flow = this.#machine;
    if (this.#fastOn !== undefined) {
      this.#fastOn = undefined;
      flow.start(this.#slot);
      if (this.#leg?.written) flow.sending(this.#slot!);
    }
    return flow;
  }

  /** The response the machine delivers (its connection released first, or when a stream has been read). */
  async run(): Promise<AxiosResponse> {
    try {
      return await this.#run();
    } finally {
      this.#restore();
    }
  }

  async #run(): Promise<AxiosResponse> {
    const slot = await this.#take();
    this.#slot = slot;
    slot.listener = this;
    let action: Action;
    try {
      if (this.s.fast && (this.s.key === '' || slot.auth.isAuthenticatedFor(this.s.key, slot.generation))) {
        this.#fastOn = slot.generation;
        action = AS_IS;
      } else action = this.#machine.start(slot);
    } catch (error) {
      return this.#fail(error as Error, slot.connected);
    }
    for (;;) {
      if (action.kind === 'fail') return this.#fail(action.error, slot.connected);
      if (action.kind === 'deliver') {
        return this.#fail(new NtlmError('ERR_NTLM_WRONG_STATE', 'a delivery outside a response'), true);
      }
      const reason = this.s.cancellation.reason;
      if (reason) return this.#fail(reason, true);
      if (action.fresh) slot.dropSocket();
      const leg: Leg = { written: false, action: undefined, instead: undefined, reusableUntil: 0 };
      this.#leg = leg;
      let response: AxiosResponse;
      try {
        response = await this.s.http(this.#legConfig(action));
        this.#restore();
      } catch (error) {
        this.#restore();
        const next = this.#afterError(leg, error);
        if (next.kind === 'fail') return this.#fail(next.error, false);
        action = next;
        continue;
      }
      if (!leg.action) {
        const message = 'the request did not go through the pinned connection (is a `transport` set?)';
        return this.#fail(new NtlmError('ERR_NTLM_UNSUPPORTED', message), false);
      }
      if (leg.action.kind === 'deliver') return this.#deliver(response, leg);
      await drain(response);
      action = leg.action;
    }
  }

  onSocket(req: ClientRequest): void {
    const leg = this.#leg;
    if (!leg || this.s.cancellation.reason) {
      req.destroy(this.s.cancellation.reason ?? new LegReplaced());
      return;
    }
    let instead: Action | undefined;
    try {
      if (this.#fastOn !== undefined) {
        // (A request without credentials depends on no socket in particular.)
        if (this.#fastOn === this.#slot!.generation || this.s.key === '') {
          leg.written = true;
          return;
        }
        // The authenticated socket went away before the request was written: the new one needs a handshake.
        this.#fastOn = undefined;
        instead = this.#machine.start(this.#slot);
      } else instead = this.#machine.sending(this.#slot!);
    } catch (error) {
      instead = { kind: 'fail', error: error as Error };
    }
    if (instead) {
      leg.instead = instead;
      req.destroy(new LegReplaced());
      return;
    }
    leg.written = true;
  }

  onResponse(res: IncomingMessage, req: ClientRequest): void {
    const leg = this.#leg;
    if (!leg || !leg.written) return;
    const head = headOf(res, req);
    try {
      const status = head.status;
      leg.action =
        this.#fastOn !== undefined && status !== 401 && status !== 407
          ? DELIVER
          : this.#flowAfterFastLeg().response(head, this.#slot!);
    } catch (error) {
      // What a step throws (a caller's `spn` function, say) ends the request with it.
      leg.action = { kind: 'fail', error: error as Error };
      return;
    }
    if (leg.action.kind !== 'deliver') return;
    leg.reusableUntil = this.#reuseDeadline(head.closing, res.headers['keep-alive'] as string | undefined);
    this.s.cancellation.headArrived();
  }

  /** What the machine says after a leg failed (the caller's abort and a started response end the request). */
  #afterError(leg: Leg, error: unknown): Action {
    if (leg.instead) return leg.instead;
    const reason = this.s.cancellation.reason;
    if (reason) return { kind: 'fail', error: reason };
    // A started response is never replayed, for any method; nor is anything axios itself refused.
    if (leg.action?.kind === 'fail') return leg.action;
    // (Node's errors may come from another realm, as under jest: no `instanceof Error`.)
    const cause = error instanceof AxiosError ? (error as { cause?: unknown }).cause : error;
    if (leg.action?.kind === 'deliver' || typeof cause !== 'object' || cause === null || !leg.written) {
      return { kind: 'fail', error: error as Error };
    }
    let next: Action;
    try {
      // The leg was written on a connected socket (a slot's sockets come connected): it may have arrived.
      next = this.#flowAfterFastLeg().failure(cause as Error, true);
    } catch (failure) {
      return { kind: 'fail', error: failure as Error };
    }
    return next.kind === 'fail' && next.error === cause ? { kind: 'fail', error: error as Error } : next;
  }

  /**
   * The caller's config with this leg's settings. axios hands its adapter a config of this request alone:
   * the leg's settings go on it for the call of the http adapter and come off again before anyone else sees
   * it (a copy of axios's config, a dictionary of 40 members, would cost more than the rest of the leg).
   */
  #legConfig(action: Extract<Action, { kind: 'send' }>): InternalAxiosRequestConfig {
    const c = this.s.config as InternalAxiosRequestConfig & Record<string, unknown>;
    const names = Object.keys(action.headers);
    const bodiless = !action.withBody && this.s.hasBody;
    const forward = this.s.route.kind === 'forward';
    let headers = c.headers as AxiosHeaders;
    if (names.length || bodiless || forward) {
      // A copy per leg: axios's http adapter changes the headers it is given.
      headers = new AxiosHeaders(headers);
      for (const name of names) headers.set(name, action.headers[name]);
      if (bodiless) {
        headers.delete('Transfer-Encoding');
        headers.set('Content-Length', '0');
      }
      if (forward) headers.set('Proxy-Connection', 'keep-alive');
      // A NEGOTIATE's connection must stay open for the AUTHENTICATE, whatever the caller asked for.
      if (action.negotiating) headers.delete('Connection');
    }
    const saved: Record<string, unknown> = {};
    const own: string[] = [];
    for (const key of LEG_KEYS) {
      saved[key] = c[key];
      if (Object.prototype.hasOwnProperty.call(c, key)) own.push(key);
    }
    this.#saved = saved;
    this.#own = own;
    const agent = this.#slot!.agent;
    const download = saved.onDownloadProgress as ((event: unknown) => void) | undefined;
    c.headers = headers;
    if (!action.withBody) c.data = undefined;
    c.httpAgent = agent;
    c.httpsAgent = agent;
    // A forward proxy gets the request in absolute form from axios (origin and path as given); the rest go direct.
    c.proxy = forward ? this.s.proxy! : false;
    c.maxRedirects = 0;
    c.validateStatus = everything;
    c.signal = undefined;
    // An abort of the request aborts this leg with its reason (lighter than an AbortSignal per leg).
    c.cancelToken = this.s.cancellation.token() as never;
    if (!action.withBody) c.onUploadProgress = undefined;
    if (download) c.onDownloadProgress = (event: unknown) => this.#leg?.action?.kind === 'deliver' && download(event);
    return c;
  }

  /** The caller's config as it was. */
  #restore(): void {
    const saved = this.#saved;
    if (!saved) return;
    this.#saved = undefined;
    const c = this.s.config as unknown as Record<string, unknown>;
    for (const key of LEG_KEYS) {
      if (this.#own.includes(key)) c[key] = saved[key];
      else delete c[key];
    }
  }

  #reuseDeadline(closing: boolean, keepAlive: string | undefined): number {
    if (closing) return 0;
    const hint = keepAlive === undefined ? null : /timeout\s*=\s*(\d+)/i.exec(keepAlive);
    const ms = hint ? Math.min(Number(hint[1]) * 1000 - REUSE_MARGIN_MS, this.s.idleMs) : this.s.idleMs;
    return ms > 0 ? Date.now() + ms : 0;
  }

  #deliver(response: AxiosResponse, leg: Leg): AxiosResponse {
    const slot = this.#slot!;
    this.#slot = undefined;
    slot.listener = undefined;
    if (!isStream(response.data)) {
      this.s.pool.release(slot, leg.reusableUntil);
      return response;
    }
    // A streamed response keeps its connection until the caller has read it (or dropped it).
    const stream = response.data;
    let released = false;
    const release = (reusableUntil: number) => {
      if (released) return;
      released = true;
      this.s.pool.release(slot, reusableUntil);
    };
    stream.once('end', () => release(leg.reusableUntil));
    stream.once('close', () => release(stream.readableEnded ? leg.reusableUntil : 0));
    stream.once('error', () => release(0));
    return response;
  }

  /** Ends the request with `error`; `clean`: the connection is still usable. */
  #fail(error: Error, clean: boolean): never {
    const slot = this.#slot;
    if (slot) {
      this.#slot = undefined;
      slot.listener = undefined;
      this.s.pool.release(slot, clean && slot.connected ? Date.now() + this.s.idleMs : 0);
    }
    throw error;
  }

  /** An idle connection now, or the first one given back; an abort stops the wait at once. */
  #take(): Promise<AxiosSlot> {
    const reason = this.s.cancellation.reason;
    if (reason) return Promise.reject(reason);
    const slot = this.s.pool.take(this.s.key);
    if (slot) return Promise.resolve(slot);
    return new Promise<AxiosSlot>((resolve, reject) => {
      const stop = this.s.pool.wait(this.s.key, (granted) => {
        this.s.cancellation.onAbort(undefined);
        resolve(granted);
      });
      this.s.cancellation.onAbort((why) => {
        stop();
        reject(why);
      });
    });
  }
}
