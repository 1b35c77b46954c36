// undici accepts two handler styles; we speak the new one (onRequestStart, onResponseStart, …)
// and adapt the caller's handler to it once, so every leg can forward to it.
import type { Dispatcher } from 'undici';

type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

export interface NewStyleHandler {
  onRequestStart?(controller: Controller, context: unknown): void;
  onRequestUpgrade?(controller: Controller, statusCode: number, headers: Headers, socket: unknown): void;
  onResponseStart?(controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void;
  onResponseData?(controller: Controller, chunk: Buffer): void;
  onResponseEnd?(controller: Controller, trailers: Headers): void;
  onResponseError?(controller: Controller, error: Error): void;
}

interface LegacyHandler {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | string[] | null): void;
  onError?(error: Error): void;
  onUpgrade?(statusCode: number, rawHeaders: Buffer[], socket: unknown): void;
}

function rawHeaders(headers: Headers): Buffer[] {
  const raw: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of ([] as string[]).concat(value ?? [])) raw.push(Buffer.from(name, 'latin1'), Buffer.from(v, 'latin1'));
  }
  return raw;
}

export function toNewStyle(handler: unknown): NewStyleHandler {
  const h = handler as NewStyleHandler & LegacyHandler;
  if (typeof h.onRequestStart === 'function' || typeof h.onResponseStart === 'function') return h;
  return {
    onRequestStart: (controller, context) => h.onConnect?.((reason) => controller.abort(reason ?? new Error('aborted')), context),
    onRequestUpgrade: (_c, status, headers, socket) => h.onUpgrade?.(status, rawHeaders(headers), socket),
    onResponseStart: (controller, status, headers, message) => {
      if (h.onHeaders?.(status, rawHeaders(headers), () => controller.resume(), message ?? '') === false) controller.pause();
    },
    onResponseData: (controller, chunk) => {
      if (h.onData?.(chunk) === false) controller.pause();
    },
    onResponseEnd: (_c, trailers) => h.onComplete?.(rawHeaders(trailers ?? {})),
    onResponseError: (_c, error) => {
      if (!h.onError) throw error;
      h.onError(error);
    },
  };
}

/**
 * The controller the caller sees for the whole request, across the handshake legs:
 * abort, pause and resume reach whichever leg is running.
 */
export class RequestController {
  private leg: Controller | undefined;
  private abortReason: Error | undefined;
  private isPaused = false;

  attach(leg: Controller): void {
    this.leg = leg;
    if (this.abortReason) leg.abort(this.abortReason);
  }

  abort(reason?: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason ?? new Error('Request aborted');
    this.leg?.abort(this.abortReason);
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
    return this.abortReason !== undefined;
  }

  get reason(): Error | null {
    return this.abortReason ?? null;
  }

  get paused(): boolean {
    return this.isPaused;
  }
}
