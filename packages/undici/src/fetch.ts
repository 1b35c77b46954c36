// createNtlmFetch: WHATWG fetch with NTLM through an NtlmDispatcher. It is Node's global fetch (or the one
// you pass) with the dispatcher set per call: Node's own Request, Headers, FormData and Response work, it
// always returns a promise, rejects where fetch rejects, and hands URLs it does not authenticate (data:,
// blob:) to fetch unchanged. Credentials go only to the origin called (and `origins`), never to a redirect target.
import { NtlmError } from '@ntlmkit/core';
import type { Dispatcher } from 'undici';
import { NtlmDispatcher, type NtlmDispatcherOptions } from './dispatcher.js';

type Fetch = typeof globalThis.fetch;

/** Origin views kept by one fetch function (a view is small and stateless; past this many, they are remade). */
const MAX_VIEWS = 256;

/** fetch's own signature, plus the dispatcher behind it. */
export type NtlmFetch = Fetch & {
  /** The NtlmDispatcher every call goes through. */
  readonly dispatcher: NtlmDispatcher;
  /** Closes the dispatcher (`dispatcher.close()`), also one given as `dispatcher`. */
  close(): Promise<void>;
};

/** Options of `createNtlmFetch`: an NtlmDispatcher's, and the fetch to call. */
export interface NtlmFetchOptions extends NtlmDispatcherOptions {
  /** The fetch to call; default Node's global fetch (undici's `fetch` works too). */
  fetch?: Fetch;
}

/** `createNtlmFetch` over a dispatcher of your own. */
export interface NtlmFetchOverDispatcher {
  /** An NtlmDispatcher to use (it keeps its own options; the fetch closes it with `close()`). */
  dispatcher: NtlmDispatcher;
  /** The fetch to call; default Node's global fetch (undici's `fetch` works too). */
  fetch?: Fetch;
}

function urlOf(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  const url = (input as { url?: unknown } | null)?.url;
  return typeof url === 'string' ? url : undefined;
}

/**
 * The scheme and authority of an http(s) URL that needs no more than that to know its origin: nothing the
 * URL parser would strip, decode or re-read (whitespace, controls, `%`, `@`, `\`), then the path, query,
 * fragment or the end.
 */
const PREFIX = /^https?:\/\/[^/?#\\@%\s\p{Cc}]+(?=[/?#]|$)/iu;
/** Origins by PREFIX (a service calls a few origins with many paths); past this many, the cache starts over. */
const MAX_PREFIXES = 256;
const origins = new Map<string, string | undefined>();

/** @internal The origin fetch would call for `url` when it is http(s) (exported for its tests). */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const prefix = PREFIX.exec(url)?.[0];
  if (prefix === undefined) return parseOrigin(url);
  let origin = origins.get(prefix);
  if (origin === undefined && !origins.has(prefix)) {
    if (origins.size >= MAX_PREFIXES) origins.clear();
    origins.set(prefix, (origin = parseOrigin(prefix)));
  }
  return origin;
}

function parseOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fetch with NTLM: Node's global fetch (or `fetch`) with an NtlmDispatcher set per call. Credentials go to the
 * origin of each call (with `origins`: to those only), never to a redirect target; non-http(s) URLs go to fetch
 * unchanged.
 */
export function createNtlmFetch(options: NtlmFetchOptions | NtlmFetchOverDispatcher): NtlmFetch {
  if (!options || typeof options !== 'object')
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'createNtlmFetch needs options, e.g. { credentials }');
  const { fetch: given, ...rest } = options as NtlmFetchOptions & Partial<NtlmFetchOverDispatcher>;
  if (given !== undefined && typeof given !== 'function')
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', '`fetch` must be a fetch function');
  const impl: Fetch = given ?? globalThis.fetch;
  if (typeof impl !== 'function')
    throw new NtlmError(
      'ERR_NTLM_UNSUPPORTED',
      "this runtime has no global fetch: pass `fetch` (for example undici's)",
    );
  const dispatcher = rest.dispatcher instanceof NtlmDispatcher ? rest.dispatcher : new NtlmDispatcher(rest);
  // The view that limits credentials to the origin called (or to `origins`): made once per origin, not per call.
  const configured = rest.dispatcher ? undefined : (rest as NtlmDispatcherOptions).origins;
  const everywhere = configured && dispatcher.scoped(configured);
  const views = new Map<string, Dispatcher>();
  const viewFor = (origin: string): Dispatcher => {
    let view = views.get(origin);
    if (!view) {
      if (views.size >= MAX_VIEWS) views.clear();
      views.set(origin, (view = dispatcher.scoped([origin])));
    }
    return view;
  };
  // Not an async function: fetch's own promise is returned as it is (no second promise per call); what a
  // given fetch throws instead of rejecting still becomes a rejection.
  const ntlmFetch = (input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]): Promise<Response> => {
    try {
      const origin = originOf(urlOf(input));
      // Not an http(s) URL (data:, blob:, or one fetch will reject): fetch decides, as it would without us.
      if (origin === undefined) return impl(input, init);
      return impl(input, { ...init, dispatcher: everywhere ?? viewFor(origin) } as unknown as RequestInit);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return Object.assign(ntlmFetch, {
    dispatcher,
    close: () => dispatcher.close(),
    [Symbol.for('nodejs.util.inspect.custom')]: () => `[Function: ntlmFetch] ${JSON.stringify(dispatcher.toJSON())}`,
  });
}
