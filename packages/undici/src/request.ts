// One request through NTLM, as undici runs redirects and retries: a handler that decides on each leg's
// response head (the machine in @ntlmkit/core/http says what to do), swallows the body of a leg it
// consumes, and dispatches the next leg on the same pinned Client when the consumed one ends. The caller's
// handler sees one request: one start, one response, one end or error.
//
// undici 7 runs handlers of the first style (onConnect, onHeaders, …) inside, undici 8 the second
// (onRequestStart, onResponseStart, …); a leg handler of the Client's own style passes headers through
// untouched, so there are two thin surfaces over one request core.
import * as undici from 'undici';
import type { Dispatcher } from 'undici';
import type { Action, BodyFacts, Identity, Links, RequestFlow, ResponseHead, SlotPool } from '@ntlmkit/core/http';
import { withLegHeaders, type HeaderInput } from './headers.js';
import type { UndiciSlot } from './slot.js';

/** undici 8 and later speak only the second handler style. */
export const MODERN_HANDLERS = typeof (undici as { Dispatcher1Wrapper?: unknown }).Dispatcher1Wrapper === 'function';

/** The Keep-Alive hint is trusted this much less for reuse, as undici does by default. */
const REUSE_MARGIN_MS = 1000;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Aborts a leg that would go out on the wrong socket (never written: the machine sends another leg). */
class LegReplaced extends Error {
  constructor() {
    super('the leg was replaced before it was written');
  }
}

/** What every request to one origin shares: made once per origin pool, not per request. */
export interface RequestHost {
  slots: SlotPool<UndiciSlot>;
  keepAliveTimeout: number;
  keepAliveMaxTimeout: number;
  /** The machine for a request, made when a leg needs it (on an authenticated connection, rarely). */
  makeFlow(setup: RequestSetup): RequestFlow;
  /** Counts requests waiting for a connection, for the pool's drain event. */
  onWaitEnd(): void;
  /** The request ended (delivered, failed or aborted). */
  onSettled(request: NtlmRequest): void;
}

/** One request's facts (a plain object, so that a request on an authenticated connection allocates little). */
export interface RequestSetup {
  host: RequestHost;
  /**
   * The request may go as it is on a connection authenticated for `key` (no proxy layer, a body that can be
   * sent again): the machine is consulted only if that connection asks again or fails.
   */
  fast: boolean;
  /** The identity key the request prefers connections by ('' for none). */
  key: string;
  /** The leg options as the caller gave them (rewritten for a forward proxy). */
  opts: Dispatcher.DispatchOptions;
  /** For the machine: the credentials (undefined: none go), the body's facts, the path as given. */
  identity: Identity | undefined;
  body: BodyFacts;
  path: string;
}

/** The headers the machine reads, from either header style. */
interface HeadFacts {
  challenges?: string[];
  proxyChallenges?: string[];
  closing: boolean;
  /** Keep-Alive: timeout=N, in seconds. */
  hint: number | undefined;
}

const NONE: string[] = [];
let lastHint = '';
let lastHintValue: number | undefined;

/** `timeout=N` of a Keep-Alive header (servers send the same one every time: the last one is kept). */
function parseHint(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value !== lastHint) {
    const m = /timeout\s*=\s*(\d+)/i.exec(value);
    lastHint = value;
    lastHintValue = m ? Number(m[1]) : undefined;
  }
  return lastHintValue;
}

/** The first character of a header name, lower-cased (ASCII), from a buffer or a string. */
const firstLower = (name: Buffer | string): number => (typeof name === 'string' ? name.charCodeAt(0) : name[0]!) | 0x20;

/** One pass over raw headers ([name, value, …] buffers) for the four the handshake needs. */
export function rawFacts(raw: (Buffer | string)[]): HeadFacts {
  const facts: HeadFacts = { closing: false, hint: undefined };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const n = name.length;
    // By length and first letter, so that the other headers are not turned into strings.
    if (n === 10) {
      const c = firstLower(name);
      if (c !== 0x63 && c !== 0x6b) continue; // c(onnection), k(eep-alive)
    } else if (n === 16) {
      if (firstLower(name) !== 0x77) continue; // w(ww-authenticate)
    } else if (n === 18) {
      if (firstLower(name) !== 0x70) continue; // p(roxy-authenticate)
    } else continue;
    const lower = name.toString().toLowerCase();
    if (lower === 'www-authenticate') (facts.challenges ??= []).push(raw[i + 1]!.toString());
    else if (lower === 'proxy-authenticate') (facts.proxyChallenges ??= []).push(raw[i + 1]!.toString());
    else if (lower === 'connection') facts.closing ||= /\bclose\b/i.test(raw[i + 1]!.toString());
    else if (lower === 'keep-alive') facts.hint = parseHint(raw[i + 1]!.toString());
  }
  return facts;
}

const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

export function objectFacts(headers: Record<string, string | string[] | undefined>): HeadFacts {
  const connection = headers['connection'];
  return {
    challenges: list(headers['www-authenticate']),
    proxyChallenges: list(headers['proxy-authenticate']),
    closing: connection !== undefined && /\bclose\b/i.test(String(connection)),
    hint: parseHint(list(headers['keep-alive'])?.[0]),
  };
}

function headOf(status: number, f: HeadFacts): ResponseHead {
  return {
    status,
    closing: f.closing,
    header: (name) =>
      (name === 'www-authenticate' ? f.challenges : name === 'proxy-authenticate' ? f.proxyChallenges : undefined) ??
      NONE,
  };
}

/** The request core, whichever handler style the Client speaks. */
export abstract class NtlmRequest implements Links<NtlmRequest> {
  protected slot: UndiciSlot | undefined;
  /** The caller aborted (the reason), or the request ended. */
  protected aborted: Error | undefined;
  protected done = false;
  /** The current leg's response goes to the caller. */
  protected delivering = false;
  /** What to do when the current (consumed) leg ends. */
  private afterLeg: Action | undefined;
  private legWritten = false;
  /** undici has started the current leg (onConnect / onRequestStart): it can be aborted through its own handle. */
  private legStarted = false;
  private legWithBody = true;
  private cancelWait: (() => void) | undefined;
  private reusableUntil = 0;
  #flow: RequestFlow | undefined;
  /** The generation of the authenticated socket a fast leg was sent for. */
  private fastOn: number | undefined;
  /** @internal Its place in the origin pool's list of requests in progress (`Links`). */
  prev: NtlmRequest | undefined;
  /** @internal */
  next: NtlmRequest | undefined;
  /** @internal */
  listed = false;

  constructor(protected readonly s: RequestSetup) {}

  private get flow(): RequestFlow {
    return (this.#flow ??= this.s.host.makeFlow(this.s));
  }

  /** The machine, brought to where a fast leg on an authenticated connection left it. */
  private flowAfterFastLeg(): RequestFlow {
    const flow = this.flow;
    if (this.fastOn !== undefined) {
      this.fastOn = undefined;
      flow.start(this.slot);
      if (this.legWritten) flow.sending(this.slot!);
    }
    return flow;
  }

  /** The caller can abort from now on, even while the request waits for its body or a connection. */
  begin(): void {
    this.userStart();
  }

  /** Takes a connection (or waits for one) and sends the first leg. */
  proceed(): boolean {
    if (this.done) return true;
    if (this.aborted) {
      this.finish(this.aborted, true);
      return true;
    }
    const slot = this.s.host.slots.take(this.s.key);
    if (slot) {
      this.run(slot);
      return true;
    }
    this.cancelWait = this.s.host.slots.wait(this.s.key, (granted) => {
      this.cancelWait = undefined;
      this.s.host.onWaitEnd();
      this.run(granted);
    });
    return false;
  }

  /** Ends the request with `error` whatever it is doing (the pool is destroyed, the body could not be read). */
  abortWith(error: Error): void {
    if (this.done) return;
    if (!this.slot && !this.cancelWait) {
      this.finish(error, true);
      return;
    }
    this.userAbort(error);
  }

  /** The caller aborts: at once, whatever the request is doing; nothing is sent for it afterwards. */
  protected userAbort(reason: Error): void {
    if (this.done || this.aborted) return;
    this.aborted = reason;
    if (this.cancelWait) {
      this.cancelWait();
      this.cancelWait = undefined;
      this.s.host.onWaitEnd();
      this.finish(reason, true);
      return;
    }
    if (!this.legStarted) {
      // No leg in undici's hands yet: the body is being read ahead, or the leg waits in its Client for the
      // connection being opened (undici calls onConnect / onRequestStart only once a socket exists, and may
      // take the whole connect timeout to get one). The caller hears now; the leg, if undici ever starts it,
      // is aborted before anything is written (legStart). The connection is closed, not kept for the pool:
      // the aborted leg stays queued on that Client ahead of any other request, and undici destroys the
      // socket a request is aborted on anyway — a slot handed on would fail its next request. Closing the
      // slot destroys its Client (undici destroys a socket that arrives afterwards) and aborts a CONNECT
      // tunnel in progress; the pool gives the place to the next request at once.
      const slot = this.slot;
      this.finish(reason, false);
      slot?.close();
      return;
    }
    this.abortLeg(reason);
  }

  private run(slot: UndiciSlot): void {
    this.slot = slot;
    if (this.aborted) {
      this.finish(this.aborted, true);
      return;
    }
    // As it is: on a connection authenticated for the request's credentials, or when it carries none.
    if (this.s.fast && (this.s.key === '' || slot.auth.isAuthenticatedFor(this.s.key, slot.generation))) {
      this.fastOn = slot.generation;
      this.dispatchLeg(NO_HEADERS, true);
      return;
    }
    this.act(this.flow.start(slot), true);
  }

  /** `clean`: the connection is between legs, not broken (a failure then leaves it usable). */
  private act(action: Action, clean: boolean): void {
    if (action.kind === 'fail') this.finish(action.error, clean);
    else if (action.kind === 'send') this.dispatchLeg(action.headers, action.withBody, action.negotiating);
    else this.finish(new Error('ntlmkit: a delivery outside a response'), clean);
  }

  private dispatchLeg(headers: Readonly<Record<string, string>>, withBody: boolean, negotiating = false): void {
    if (this.aborted) {
      this.finish(this.aborted, true);
      return;
    }
    this.delivering = false;
    this.afterLeg = undefined;
    this.legWritten = false;
    this.legStarted = false;
    this.legWithBody = withBody;
    const base = this.s.opts;
    let opts =
      (headers === NO_HEADERS || Object.keys(headers).length === 0) && (withBody || !this.s.body.present)
        ? base
        : {
            ...base,
            headers: withLegHeaders(base.headers as HeaderInput, headers, !withBody && this.s.body.present),
            body: withBody ? base.body : null,
          };
    // The connection that carries a NEGOTIATE must stay open for the AUTHENTICATE (undici closes after a HEAD).
    if (negotiating && opts.reset !== false) opts = { ...opts, reset: false };
    this.slot!.client.dispatch(opts, this as unknown as Dispatcher.DispatchHandler);
  }

  /** A leg is about to be written. False: it was aborted instead (the machine or the caller said so). */
  protected legStart(): boolean {
    this.legStarted = true;
    if (this.aborted) {
      this.abortLeg(this.aborted);
      return false;
    }
    if (this.fastOn !== undefined) {
      // (A request without credentials depends on no socket in particular.)
      if (this.fastOn === this.slot!.generation || this.s.key === '') {
        this.legWritten = true;
        return true;
      }
      // The authenticated socket went away before the request was written: the new one needs a handshake.
      this.fastOn = undefined;
      this.afterLeg = this.flow.start(this.slot);
      this.abortLeg(new LegReplaced());
      return false;
    }
    const instead = this.flow.sending(this.slot!);
    if (instead) {
      this.afterLeg = instead;
      this.abortLeg(new LegReplaced());
      return false;
    }
    this.legWritten = true;
    return true;
  }

  /** The leg's response head. True: it goes to the caller. */
  protected legHead(status: number, facts: HeadFacts): boolean {
    // Informational responses (100, 103) are neither a challenge nor the answer.
    if (status < 200) return false;
    if (this.fastOn !== undefined && status !== 401 && status !== 407) {
      this.delivering = true;
      this.reusableUntil = this.reuseDeadline(facts);
      return true;
    }
    const action = this.flowAfterFastLeg().response(headOf(status, facts), this.slot!);
    if (action.kind === 'deliver') {
      this.delivering = true;
      this.reusableUntil = this.reuseDeadline(facts);
      return true;
    }
    this.afterLeg = action;
    return false;
  }

  /**
   * The leg ended. True: it was the delivered response, and the caller is told next (the connection is free
   * before the caller hears of it); false: the machine's next step has been taken.
   */
  protected legEnd(): boolean {
    if (this.delivering) {
      this.done = true;
      this.release(this.reusableUntil);
      this.s.host.onSettled(this);
      return true;
    }
    this.act(this.afterLeg!, true);
    return false;
  }

  protected legError(error: Error, deliver: (error: Error) => void): void {
    if (this.done) return;
    if (this.delivering) {
      // A started response is never replayed, for any method.
      this.done = true;
      this.release(0);
      this.s.host.onSettled(this);
      deliver(error);
      return;
    }
    // Never from inside undici's error path on this Client (it is still walking its queue): the next
    // step runs once that has unwound.
    const next = error instanceof LegReplaced && this.afterLeg ? this.afterLeg : undefined;
    queueMicrotask(() => {
      if (next) this.act(next, false);
      else if (this.aborted) this.finish(this.aborted, false);
      else this.act(this.flowAfterFastLeg().failure(error, this.legWritten), false);
    });
  }

  private reuseDeadline(f: HeadFacts): number {
    if (f.closing) return 0;
    const ms = f.hint !== undefined ? f.hint * 1000 - REUSE_MARGIN_MS : this.s.host.keepAliveTimeout;
    return ms > 0 ? Date.now() + Math.min(ms, this.s.host.keepAliveMaxTimeout) : 0;
  }

  private release(reusableUntil: number): void {
    const slot = this.slot;
    if (!slot) return;
    this.slot = undefined;
    this.s.host.slots.release(slot, reusableUntil);
  }

  /** Ends the request with an error (nothing was delivered); `clean`: its connection is still usable. */
  private finish(error: Error, clean: boolean): void {
    if (this.done) return;
    this.done = true;
    this.release(clean && this.slot?.connected ? Date.now() + this.s.host.keepAliveTimeout : 0);
    this.s.host.onSettled(this);
    this.userError(error);
  }

  /** Whether the current leg carries the body (for upload progress callbacks). */
  protected get bodyLeg(): boolean {
    return this.legWithBody;
  }

  protected abstract userStart(): void;
  protected abstract userError(error: Error): void;
  protected abstract abortLeg(reason: Error): void;
}

type LegacyHandler = {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void;
  onHeaders?(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | string[] | null): void;
  onError?(error: Error): void;
  onBodySent?(chunk: unknown): void;
  onRequestSent?(): void;
};

/**
 * The caller's handler as a request holds it once it has ended: nothing. undici's Client may keep its
 * request objects (and so the leg handler, this request) until a full collection; the caller's handler and
 * its response stream must not live on with them, or every young-generation collection copies them.
 */
const ENDED = Object.freeze({});

/** For undici 7's Client, and the first-style handlers undici 7 hands its dispatchers. */
export class LegacyRequest extends NtlmRequest {
  private leg: ((reason?: Error) => void) | undefined;

  constructor(
    setup: RequestSetup,
    private user: LegacyHandler,
  ) {
    super(setup);
  }

  /** The caller's handler, for its last callback; the request lets go of it and of the leg. */
  private ended(): LegacyHandler {
    const user = this.user;
    this.user = ENDED;
    this.leg = undefined;
    return user;
  }

  protected userStart(): void {
    this.user.onConnect?.((reason) => this.userAbort(reason ?? new undici.errors.RequestAbortedError()));
  }

  protected userError(error: Error): void {
    const user = this.ended();
    if (!user.onError) throw error;
    user.onError(error);
  }

  protected abortLeg(reason: Error): void {
    this.leg?.(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.leg = abort;
    this.legStart();
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (!this.legHead(status, rawFacts(raw))) return true;
    return this.user.onHeaders?.(status, raw, resume, statusText) !== false;
  }

  onData(chunk: Buffer): boolean {
    return this.delivering ? this.user.onData?.(chunk) !== false : true;
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    if (this.legEnd()) this.ended().onComplete?.(trailers);
  }

  onError(error: Error): void {
    this.legError(error, (e) => this.userError(e));
  }

  onBodySent(chunk: unknown): void {
    if (this.bodyLeg) this.user.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    if (this.bodyLeg) this.user.onRequestSent?.();
  }
}

type Controller = Dispatcher.DispatchController & { rawHeaders?: unknown; rawTrailers?: unknown };
type ModernHandler = Dispatcher.DispatchHandler;

/** The controller the caller holds for the whole request, across the legs. */
class RequestController {
  private leg: Controller | undefined;
  private reason: Error | null = null;
  private isPaused = false;
  rawHeaders: unknown = null;
  rawTrailers: unknown = null;

  constructor(private readonly onAbort: (reason: Error) => void) {}

  attach(leg: Controller): void {
    this.leg = leg;
    if (this.isPaused) leg.pause();
  }

  abort(reason?: Error): void {
    if (this.reason) return;
    this.reason = reason ?? new undici.errors.RequestAbortedError();
    this.onAbort(this.reason);
  }

  pause(): void {
    this.isPaused = true;
    this.leg?.pause();
  }

  resume(): void {
    this.isPaused = false;
    this.leg?.resume();
  }

  get aborted(): boolean {
    return this.reason !== null;
  }

  get paused(): boolean {
    return this.isPaused;
  }
}

/** For undici 8's Client, and second-style handlers. */
export class ModernRequest extends NtlmRequest {
  private readonly controller: RequestController;
  private leg: Controller | undefined;

  constructor(
    setup: RequestSetup,
    private user: ModernHandler,
  ) {
    super(setup);
    this.controller = new RequestController((reason) => this.userAbort(reason));
  }

  /** The caller's handler, for its last callback; the request lets go of it and of the leg. */
  private ended(): ModernHandler {
    const user = this.user;
    this.user = ENDED;
    this.leg = undefined;
    return user;
  }

  protected userStart(): void {
    this.user.onRequestStart?.(this.controller as unknown as Dispatcher.DispatchController, undefined);
  }

  protected userError(error: Error): void {
    const user = this.ended();
    if (!user.onResponseError) throw error;
    user.onResponseError(this.controller as unknown as Dispatcher.DispatchController, error);
  }

  protected abortLeg(reason: Error): void {
    this.leg?.abort(reason);
  }

  onRequestStart(controller: Controller): void {
    this.leg = controller;
    if (this.legStart()) this.controller.attach(controller);
  }

  onResponseStart(
    controller: Controller,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    statusText: string,
  ): void {
    if (!this.legHead(status, objectFacts(headers))) return;
    this.controller.rawHeaders = controller.rawHeaders ?? null;
    this.user.onResponseStart?.(
      this.controller as unknown as Dispatcher.DispatchController,
      status,
      headers,
      statusText,
    );
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (this.delivering) this.user.onResponseData?.(this.controller as unknown as Dispatcher.DispatchController, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Record<string, string | string[] | undefined>): void {
    if (!this.legEnd()) return;
    this.controller.rawTrailers = controller.rawTrailers ?? null;
    this.ended().onResponseEnd?.(this.controller as unknown as Dispatcher.DispatchController, trailers);
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.legError(error, (e) => this.userError(e));
  }

  onBodySent(chunk: unknown): void {
    if (this.bodyLeg) (this.user as { onBodySent?(c: unknown): void }).onBodySent?.(chunk);
  }

  onRequestSent(): void {
    if (this.bodyLeg) (this.user as { onRequestSent?(): void }).onRequestSent?.();
  }
}
