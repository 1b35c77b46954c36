// How an axios request ends early: its `signal`, its `cancelToken`, its `timeout`, or the client being
// destroyed. One object per request, across its redirects and legs: whatever the request is doing (reading
// a body ahead, waiting for a connection, in the middle of a handshake) stops at once, and nothing is sent
// for it afterwards.
import { AxiosError, CanceledError, type InternalAxiosRequestConfig } from 'axios';

/** The cancel token interface axios's adapters subscribe to. */
export type Token = {
  subscribe(listener: (reason: unknown) => void): void;
  unsubscribe(listener: (reason: unknown) => void): void;
};

export class Cancellation {
  reason: Error | undefined;
  #handler: ((reason: Error) => void) | undefined;
  #settled: (() => void)[] | undefined;
  #over = false;
  #token: Token | undefined;
  /** As axios: `timeout` bounds the time until the response head (then axios watches the socket's inactivity). */
  readonly #deadline: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #undo: (() => void)[] = [];

  constructor(private readonly config: InternalAxiosRequestConfig) {
    const signal = config.signal as AbortSignal | undefined;
    if (signal) {
      const aborted = () => this.abort(new CanceledError(undefined, config));
      if (signal.aborted) aborted();
      else if (typeof signal.addEventListener === 'function') {
        signal.addEventListener('abort', aborted);
        this.#undo.push(() => signal.removeEventListener('abort', aborted));
      }
    }
    const token = config.cancelToken as unknown as Token | undefined;
    if (token && typeof token.subscribe === 'function') {
      const cancelled = (reason: unknown) =>
        this.abort(reason instanceof Error ? reason : new CanceledError(undefined, config));
      token.subscribe(cancelled);
      this.#undo.push(() => token.unsubscribe(cancelled));
    }
    if (config.timeout) {
      const ms = Number.parseInt(String(config.timeout), 10);
      if (Number.isNaN(ms)) {
        const message = 'error trying to parse `config.timeout` to int';
        this.abort(new AxiosError(message, AxiosError.ERR_BAD_OPTION_VALUE, config));
      } else if (ms > 0) this.#deadline = Date.now() + ms;
    }
    this.arm();
  }

  /** Resolves when the request is over. */
  settled(): Promise<void> {
    if (this.#over) return Promise.resolve();
    return new Promise((resolve) => (this.#settled ??= []).push(resolve));
  }

  /**
   * A cancel token for one call of axios's adapter: an abort of the request aborts that call (with the
   * abort's reason). Lighter than an AbortSignal per leg.
   */
  token(): Token {
    return (this.#token ??= {
      subscribe: (listener) => this.onAbort(listener),
      unsubscribe: (listener) => {
        if (this.#handler === listener) this.#handler = undefined;
      },
    });
  }

  /** What to run on an abort (one thing at a time: the wait for a connection, or the leg in flight). */
  onAbort(handler: ((reason: Error) => void) | undefined): void {
    this.#handler = handler;
  }

  abort(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.headArrived();
    const handler = this.#handler;
    this.#handler = undefined;
    handler?.(reason);
  }

  /** `promise`, or the abort reason as soon as the request is aborted. */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.reason) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.onAbort(reject);
      promise.then(
        (value) => {
          this.onAbort(undefined);
          resolve(value);
        },
        (error: unknown) => {
          this.onAbort(undefined);
          reject(error);
        },
      );
    });
  }

  /** Runs the timeout for what is left of it (a new hop after a redirect). */
  arm(): void {
    if (this.#deadline === undefined || this.#timer !== undefined || this.reason) return;
    const left = this.#deadline - Date.now();
    if (left <= 0) this.abort(this.#timeoutError());
    else this.#timer = setTimeout(() => this.abort(this.#timeoutError()), left);
  }

  /** The response head arrived: the timeout no longer applies (axios's inactivity timeout does). */
  headArrived(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** What is left of the timeout for a hop that axios times itself (a request without NTLM). */
  handOver(): { ms: number; message: string } | undefined {
    this.headArrived();
    if (this.#deadline === undefined) return undefined;
    return { ms: Math.max(1, this.#deadline - Date.now()), message: this.#timeoutError().message };
  }

  /** The request is over: no more listening to its signal, token or timer. */
  dispose(): void {
    this.headArrived();
    for (const undo of this.#undo.splice(0)) undo();
    this.#handler = undefined;
    this.#over = true;
    for (const resolve of this.#settled?.splice(0) ?? []) resolve();
  }

  /** The error axios's http adapter gives for a timeout. */
  #timeoutError(): AxiosError {
    const c = this.config;
    const message = c.timeoutErrorMessage || (c.timeout ? `timeout of ${c.timeout}ms exceeded` : 'timeout exceeded');
    const code = c.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
    return new AxiosError(message, code, c);
  }
}
