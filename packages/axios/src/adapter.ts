// The NTLM state of one axios instance (`instance.ntlm`): its options and credentials (copied when it is
// made), its pools of pinned connections, and the axios adapter that runs each request through them. The
// adapter follows redirects itself, so that credentials go only where the rule says, and settles with the
// caller's validateStatus.
import { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import axios, { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { NtlmError, type Credentials } from '@ntlmkit/core';
import {
  bodyFacts,
  bufferWithin,
  Identity,
  normaliseOrigin,
  NtlmHttpEngine,
  SlotPool,
  validateOptions,
  validateProxyOptions,
  type NtlmHttpOptions,
  type OptionCheck,
  type ProxyOptions,
  type Route,
} from '@ntlmkit/core/http';
import { Connector, logger, openTunnel, type Target } from '@ntlmkit/core/node';
import { Cancellation } from './cancellation.js';
import { connectionOptions, type ConnectionSettings } from './connection-options.js';
import { Hop, isStream, drain, toAxiosError } from './request.js';
import { AxiosSlot } from './slot.js';

/** The NTLM options of an axios instance: the shared options (NtlmHttpOptions) and axios's own. */
export interface NtlmAxiosOptions extends NtlmHttpOptions {
  /**
   * An idle connection closes after this many ms (and is not reused after the server's Keep-Alive hint less
   * 1 s). Default 4000.
   */
  freeSocketTimeout?: number;
  /**
   * A forward proxy with its own NTLM credentials: plain HTTP in absolute form on an authenticated proxy
   * connection, HTTPS through a CONNECT tunnel. Without it, NTLM requests use HTTP_PROXY / HTTPS_PROXY /
   * NO_PROXY like axios does (no proxy credentials), unless the request sets `proxy: false`.
   */
  ntlmProxy?: ProxyOptions & {
    /** Read HTTPS_PROXY, HTTP_PROXY and NO_PROXY (unless `noProxy` is given) when `uri` is not given. Default true. */
    fromEnv?: boolean;
    /** TLS options for an https: proxy. */
    tls?: ConnectionOptions;
  };
}

/** Per-request NTLM options: `api.get(url, { ntlm: { credentials } })`. */
export interface NtlmRequestOptions {
  /** Authenticate this request as these credentials instead of the instance's (copied when the request starts). */
  credentials?: Credentials;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** NTLM options of this request (@ntlmkit/axios). */
    ntlm?: NtlmRequestOptions;
  }
}

/** Default of `freeSocketTimeout`, in ms. */
export const DEFAULT_FREE_SOCKET_TIMEOUT = 4000;
/** Redirects followed when the request does not say (`maxRedirects`), as axios (follow-redirects). */
const DEFAULT_MAX_REDIRECTS = 21;
/** How long setting up a CONNECT tunnel may take, TLS to the origin included (openTunnel's `timeoutMs`). */
const TUNNEL_TIMEOUT_MS = 10_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DIRECT: Route = { kind: 'direct' };
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** Marks the configs of requests made through the instance an engine is attached to. */
const OWNER = Symbol('ntlmkit.axios.owner');
/** A refusal found by the request interceptor, thrown by the adapter (an interceptor cannot stop a request). */
const REFUSED = Symbol('ntlmkit.axios.refused');

const isObject = (v: unknown) => typeof v === 'object' && v !== null;
const OWN_OPTIONS: Record<string, OptionCheck> = {
  freeSocketTimeout: [
    (v) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 2 ** 31 - 1,
    'a positive whole number of milliseconds',
  ],
};

function invalid(message: string): NtlmError {
  return new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
}

/** The adapters NTLM can run on: axios's default list (Node picks http), or 'http' itself. */
export function usesHttpAdapter(adapter: unknown): boolean {
  return adapter === undefined || adapter === 'http' || (Array.isArray(adapter) && adapter.includes('http'));
}

export function unsupportedAdapter(adapter: unknown): NtlmError {
  return new NtlmError(
    'ERR_NTLM_UNSUPPORTED_ADAPTER',
    `NTLM needs axios's Node http adapter (it pins connections); this request uses ${JSON.stringify(adapter)}`,
  );
}

/** axios 1.8 added `allowAbsoluteUrls`; older versions treat an absolute `url` as absolute whatever it says. */
const [major = 0, minor = 0] = String(axios.VERSION ?? '')
  .split('.')
  .map(Number);
const HAS_ALLOW_ABSOLUTE = major > 1 || (major === 1 && minor >= 8);

/**
 * The request URL as axios's http adapter builds it (buildFullPath, then `new URL`), so that the origin that
 * gets the credentials is the one axios connects to; undefined for what axios would refuse or not send over
 * http(s) (then axios itself answers, in its own words).
 */
function urlOf(config: InternalAxiosRequestConfig): URL | undefined {
  const url = typeof config.url === 'string' ? config.url : '';
  const base = config.baseURL;
  // `http:host` (no `//`): axios refuses it; `new URL` would read a host into it.
  if (/^\s*https?:(?!\/\/)/i.test(url) || (base && /^\s*https?:(?!\/\/)/i.test(base))) return undefined;
  const absolute = /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url);
  const combine = base && (!absolute || (HAS_ALLOW_ABSOLUTE && config.allowAbsoluteUrls === false));
  // A protocol-relative url (`//host/x`): axios 1.8+ refuses it, older ones send it to that host. No credentials.
  if (!combine && url.startsWith('//')) return undefined;
  const full = combine ? (url ? `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : base) : url;
  try {
    const parsed = new URL(full);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Where a connector connects. */
function targetOf(url: URL): Target {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return { protocol: url.protocol, hostname: url.hostname, port };
}

/** What a refused `ntlm.credentials` becomes in the request's config (the config is kept by the error). */
const REDACTED = Object.freeze({ redacted: 'credentials refused; not kept' });

/** Headers dropped when a redirect changes the origin, whatever `sensitiveHeaders` says. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** axios's `sensitiveHeaders` (more headers dropped on a redirect to another origin), checked as axios does. */
function sensitiveHeadersOf(config: InternalAxiosRequestConfig): string[] {
  const value = (config as { sensitiveHeaders?: unknown }).sensitiveHeaders;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((h) => typeof h === 'string')) {
    throw new AxiosError('sensitiveHeaders must be an array of strings', AxiosError.ERR_BAD_OPTION_VALUE, config);
  }
  return value.map((h: string) => h.toLowerCase());
}

interface RedirectStep {
  from: URL;
  to: URL;
  method: string;
  nextMethod: string;
  /** The headers of the request that got the redirect. */
  sent: AxiosHeaders;
  /** The headers the next hop would send. */
  headers: AxiosHeaders;
  response: AxiosResponse;
}

/**
 * The caller's `beforeRedirect(options, responseDetails, requestDetails)`, called as follow-redirects calls it
 * under axios's http adapter: `options` describes the next request (href, protocol, hostname, port, path,
 * method, headers); a throw stops the redirect (the request rejects with ERR_FR_REDIRECTION_FAILURE); the
 * headers it leaves in `options.headers` are the ones sent. Returns those headers.
 */
function callBeforeRedirect(
  config: InternalAxiosRequestConfig,
  hook: (...args: unknown[]) => unknown,
  step: RedirectStep,
): AxiosHeaders {
  const { from, to, response } = step;
  const headers = step.headers.toJSON() as Record<string, string>;
  const options = {
    href: to.href,
    protocol: to.protocol,
    host: to.host,
    hostname: to.hostname.startsWith('[') ? to.hostname.slice(1, -1) : to.hostname,
    port: to.port === '' ? '' : Number(to.port),
    pathname: to.pathname,
    search: to.search,
    path: to.pathname + to.search,
    method: step.nextMethod.toUpperCase(),
    headers,
  };
  try {
    hook(
      options,
      { headers: { ...response.headers }, statusCode: response.status },
      { url: from.href, method: step.method.toUpperCase(), headers: step.sent.toJSON() },
    );
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new AxiosError(
      `Redirected request failed: ${reason}`,
      'ERR_FR_REDIRECTION_FAILURE',
      config,
      response.request,
      response,
    );
    (error as { cause?: unknown }).cause = cause;
    throw error;
  }
  return new AxiosHeaders(isObject(options.headers) ? options.headers : headers);
}

/** The caller authenticates the request itself (axios's `auth`, or an Authorization header). */
function ownAuthorization(config: InternalAxiosRequestConfig): boolean {
  return config.auth !== undefined || (config.headers as AxiosHeaders | undefined)?.has?.('authorization') === true;
}

/** axios's settle: the caller's validateStatus decides. */
function settle(response: AxiosResponse, config: InternalAxiosRequestConfig): AxiosResponse {
  const validate = config.validateStatus;
  if (!response.status || !validate || validate(response.status)) return response;
  throw new AxiosError(
    `Request failed with status code ${response.status}`,
    response.status >= 400 && response.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE,
    config,
    response.request,
    response,
  );
}

/** What a client knows of one origin: its route (from the options and the environment) and its pools. */
interface OriginEntry {
  origin: string;
  route: Route;
  /** axios's `proxy` setting for a forward proxy. */
  proxy: { protocol: string; host: string; port: number } | undefined;
  /** Pools by route (`proxy: false` goes direct) and connection settings (their key). */
  pools: Map<Route, Map<string, SlotPool<AxiosSlot>>>;
}

/** A pool of this client, where it is listed (for `connectionCount`, `close`, `destroy` and the sweep). */
interface PoolEntry {
  origin: string;
  pool: SlotPool<AxiosSlot>;
  byRoute: Map<string, SlotPool<AxiosSlot>>;
  key: string;
}

/** Pools kept before the ones without a connection are dropped (a gateway's many TLS configurations). */
const POOLS_BEFORE_SWEEP = 64;

/** The NTLM side of one axios instance (`instance.ntlm`): options, credentials, pinned connections, the adapter. */
export class NtlmAxiosEngine {
  readonly #engine: NtlmHttpEngine;
  readonly #idleMs: number;
  readonly #proxyTls: ConnectionOptions | undefined;
  readonly #ntlmProxy: boolean;
  readonly #origins = new Map<string, OriginEntry>();
  readonly #pools = new Set<PoolEntry>();
  /** Pools listed when the next new one sweeps away those without a connection. */
  #sweepAt = POOLS_BEFORE_SWEEP;
  readonly #active = new Set<Cancellation>();
  readonly #http: AxiosAdapter;

  /** Every option is checked here: a wrong one is an NtlmError (ERR_NTLM_INVALID_ARGUMENT). */
  constructor(options: NtlmAxiosOptions) {
    validateOptions(options, OWN_OPTIONS);
    validateProxyOptions(options.ntlmProxy, 'ntlmProxy');
    const { ntlmProxy, freeSocketTimeout, ...shared } = options;
    // Like axios, HTTP_PROXY / HTTPS_PROXY / NO_PROXY apply even without `ntlmProxy`.
    this.#engine = new NtlmHttpEngine({ ...shared, proxy: ntlmProxy ? { ...ntlmProxy } : {} }, logger(options.debug));
    this.#idleMs = freeSocketTimeout ?? DEFAULT_FREE_SOCKET_TIMEOUT;
    this.#proxyTls = ntlmProxy?.tls ? { ...ntlmProxy.tls } : undefined;
    this.#ntlmProxy = ntlmProxy !== undefined;
    this.#http = axios.getAdapter('http');
  }

  /**
   * The axios adapter `withNtlm` puts in the instance's defaults. Instances made from it (`instance.create()`)
   * inherit it but not the request interceptor: their requests go out without NTLM.
   */
  readonly adapter: AxiosAdapter = (config) =>
    (config as { [OWNER]?: unknown })[OWNER] === this ? this.#request(config) : this.#http(config);

  /** The adapter of this instance's own requests (set by its request interceptor). */
  readonly #owned: AxiosAdapter = (config) => this.#request(config);

  /**
   * @internal The request interceptor: picks the adapter. A request with an adapter function of its own
   * (a mock) runs that instead, so NTLM steps aside (a mock's passthrough reaches `adapter` from the defaults).
   */
  prepare(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig {
    const adapter = config.adapter;
    if (adapter === this.#owned) return config;
    if (typeof adapter === 'function' && adapter !== this.adapter) {
      Object.defineProperty(config, OWNER, { value: this, configurable: true });
      return config;
    }
    if (adapter !== this.adapter && !usesHttpAdapter(adapter)) {
      Object.defineProperty(config, REFUSED, { value: unsupportedAdapter(adapter), configurable: true });
    }
    config.adapter = this.#owned;
    return config;
  }

  /** Open pinned connections, to one origin or in all (for observability and tests). */
  connectionCount(origin?: string): number {
    const wanted = origin === undefined ? undefined : normaliseOrigin(origin);
    let n = 0;
    for (const { origin: o, pool } of this.#pools) {
      if (wanted === undefined || o === wanted) for (const slot of pool.slots) if (slot.connected) n++;
    }
    return n;
  }

  /** @internal The pools this client keeps (one per origin, route and TLS configuration), for its tests. */
  get poolCount(): number {
    return this.#pools.size;
  }

  /**
   * Closes every connection now; requests in progress or waiting for a connection fail with
   * ERR_NTLM_CONNECTION_CLOSED. The instance stays usable: later requests open new connections.
   */
  destroy(): void {
    const error = new NtlmError(
      'ERR_NTLM_CONNECTION_CLOSED',
      'the NTLM connections of this axios instance were destroyed (instance.ntlm.destroy())',
    );
    for (const cancellation of [...this.#active]) cancellation.abort(error);
    const pools = [...this.#pools];
    this.#pools.clear();
    for (const { pool } of pools) for (const slot of [...pool.slots]) slot.close();
    this.#origins.clear();
  }

  /** Lets the requests in progress finish, then closes every idle connection. */
  async close(): Promise<void> {
    await Promise.all([...this.#active].map((c) => c.settled()));
    for (const { pool } of this.#pools) pool.closeIdle();
  }

  /** `{ user, domain, origins?, proxyUser? }`: no password or hash. */
  toJSON(): Record<string, unknown> {
    const identity = this.#engine.identity;
    const origins = this.#engine.options.origins;
    return {
      ...(identity ? identity.toJSON() : {}),
      ...(origins ? { origins: origins.map(String) } : {}),
      ...(this.#engine.proxyIdentity ? { proxyUser: this.#engine.proxyIdentity.name } : {}),
    };
  }

  /** What `util.inspect` shows: `toJSON()`. */
  [INSPECT](): string {
    return `NtlmAxiosEngine ${JSON.stringify(this.toJSON())}`;
  }

  async #request(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    // First of all, so that no error of this request (a refusal included) holds a password in its config.
    let identity: Identity | undefined;
    try {
      identity = this.#identityOf(config);
    } catch (error) {
      throw toAxiosError(error, config);
    }
    const refused = (config as { [REFUSED]?: NtlmError })[REFUSED] ?? this.#unsupported(config);
    if (refused) throw toAxiosError(refused, config);
    const first = urlOf(config);
    // axios reports what it cannot send (a bad URL, data:) in its own words.
    if (!first) return this.#http(config);
    const cancellation = new Cancellation(config);
    this.#active.add(cancellation);
    let streaming = false;
    try {
      const response = await this.#follow(config, first, identity, cancellation);
      response.config = config;
      if (isStream(response.data)) {
        // axios keeps listening to the signal until a streamed response has been read.
        streaming = true;
        const end = () => this.#done(cancellation);
        response.data.once('close', end);
        response.data.once('end', end);
      }
      return settle(response, config);
    } catch (error) {
      throw toAxiosError(error, config);
    } finally {
      if (!streaming) this.#done(cancellation);
    }
  }

  #done(cancellation: Cancellation): void {
    cancellation.dispose();
    this.#active.delete(cancellation);
  }

  #unsupported(config: InternalAxiosRequestConfig): NtlmError | undefined {
    const c = config as InternalAxiosRequestConfig & {
      httpVersion?: unknown;
      transport?: unknown;
      socketPath?: unknown;
    };
    const unsupported = (message: string) => new NtlmError('ERR_NTLM_UNSUPPORTED', message);
    if (c.httpVersion !== undefined && Number(c.httpVersion) === 2) {
      return unsupported('NTLM authenticates HTTP/1.1 connections; `httpVersion: 2` is not supported');
    }
    if (c.transport) return unsupported('a custom `transport` cannot carry a connection-bound NTLM handshake');
    if (c.socketPath) return unsupported('`socketPath` is not supported on an NTLM instance');
    if (c.proxy && !this.#ntlmProxy) {
      return unsupported(
        "axios's `proxy` setting cannot carry a connection-bound NTLM handshake: use the `ntlmProxy` option",
      );
    }
    return undefined;
  }

  /** Who the request authenticates as: its own `ntlm.credentials` (copied now), else the instance's. */
  #identityOf(config: InternalAxiosRequestConfig): Identity | undefined {
    const own = config.ntlm as unknown;
    if (own === undefined || own === null) return this.#engine.identity;
    if (!isObject(own)) throw invalid('`ntlm` must be an object { credentials }');
    const credentials = (own as { credentials?: unknown }).credentials;
    if (credentials === undefined) return this.#engine.identity;
    if (credentials instanceof Identity) return credentials;
    let identity: Identity;
    try {
      identity = NtlmHttpEngine.identity(credentials as Credentials);
    } catch (error) {
      // Credentials that are refused may still hold a password: the config keeps neither.
      config.ntlm = { ...own, credentials: REDACTED as unknown as Credentials };
      throw error;
    }
    // The config is kept by responses and errors: it holds the identity (user and domain only), not the secret.
    config.ntlm = { ...own, credentials: identity as unknown as Credentials };
    return identity;
  }

  /** The hops of one request: credentials only to the origin it was made for (or to `origins`), never elsewhere. */
  async #follow(
    config: InternalAxiosRequestConfig,
    first: URL,
    identity: Identity | undefined,
    cancellation: Cancellation,
  ): Promise<AxiosResponse> {
    const scope = this.#engine.options.origins ? undefined : [first.origin];
    const maxRedirects = typeof config.maxRedirects === 'number' ? config.maxRedirects : DEFAULT_MAX_REDIRECTS;
    // Read at the first redirect, as axios reads it only for requests that may follow one.
    let sensitive: string[] | undefined;
    const beforeRedirect = (config as { beforeRedirect?: unknown }).beforeRedirect;
    let current = config;
    let url = first;
    for (let hop = 0; ; hop++) {
      const response = await this.#hop(current, url, identity, scope, cancellation);
      const location = response.headers?.location as string | undefined;
      if (!REDIRECTS.has(response.status) || !location || maxRedirects === 0) return response;
      if (hop >= maxRedirects) {
        await drain(response);
        const code = 'ERR_FR_TOO_MANY_REDIRECTS';
        throw new AxiosError('Maximum number of redirects exceeded', code, config, response.request, response);
      }
      const method = (current.method ?? 'get').toLowerCase();
      const status = response.status;
      const toGet = (status === 303 && method !== 'head') || ((status === 301 || status === 302) && method === 'post');
      const body = bodyFacts(current.data);
      if (!toGet && body.present && !body.replayable) return response;
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return response;
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') return response;
      await drain(response);
      sensitive ??= sensitiveHeadersOf(config);
      const sent = new AxiosHeaders(current.headers);
      let headers = new AxiosHeaders(current.headers);
      if (toGet) for (const h of ['content-type', 'content-length', 'transfer-encoding']) headers.delete(h);
      const crossOrigin = next.origin !== url.origin;
      // Like axios: credentials of the caller's own (Basic `auth`, the headers that carry them and those named
      // in `sensitiveHeaders`) never go to another origin.
      if (crossOrigin) for (const h of [...CREDENTIAL_HEADERS, ...sensitive]) headers.delete(h);
      const nextMethod = toGet ? 'get' : method;
      if (typeof beforeRedirect === 'function') {
        headers = callBeforeRedirect(config, beforeRedirect as (...args: unknown[]) => unknown, {
          from: url,
          to: next,
          method,
          nextMethod,
          sent,
          headers,
          response,
        });
      }
      this.#engine.log(`redirect ${response.status} from ${url.origin} to ${next.origin}`);
      current = {
        ...current,
        url: next.href,
        baseURL: undefined,
        params: undefined,
        allowAbsoluteUrls: true,
        headers,
        ...(crossOrigin ? { auth: undefined } : {}),
        ...(toGet ? { method: nextMethod, data: undefined } : {}),
      } as InternalAxiosRequestConfig;
      url = next;
    }
  }

  async #hop(
    config: InternalAxiosRequestConfig,
    url: URL,
    identity: Identity | undefined,
    scope: readonly string[] | undefined,
    cancellation: Cancellation,
  ): Promise<AxiosResponse> {
    const engine = this.#engine;
    const known = this.#origin(url);
    const origin = known.origin;
    // Like axios: the environment's proxies apply unless the request says `proxy: false`.
    const route = config.proxy === false ? DIRECT : known.route;
    const authenticate = identity !== undefined && !ownAuthorization(config) && engine.allows(origin, scope);
    if (!authenticate && route.kind === 'direct') return this.#plain(config, cancellation);
    const proxied = route.kind === 'forward' && engine.proxyIdentity !== undefined;
    let data: unknown = config.data;
    let body = bodyFacts(data);
    const proxyKnown = route.kind === 'forward' && engine.proxyMemory.scheme(route.proxy.origin) !== undefined;
    if (body.present && !body.replayable && ((authenticate && !engine.knows(origin)) || (proxied && !proxyKnown))) {
      // A stream to a target that may ask for NTLM after it was sent is read ahead within a bound.
      const read = await cancellation.guard(bufferWithin(data as AsyncIterable<Uint8Array>, engine.maxReplayBytes));
      data = read.replayable
        ? Buffer.from(read.body.buffer, read.body.byteOffset, read.body.byteLength)
        : Readable.from(read.body);
      body = { present: true, replayable: read.replayable };
    }
    cancellation.arm();
    const hop = new Hop({
      pool: this.#pool(known, route, url, config),
      makeFlow: () =>
        engine.flow({
          origin,
          url: () => url,
          route,
          identity: authenticate ? identity : undefined,
          method: config.method,
          body,
        }),
      fast: !proxied && body.replayable,
      key: authenticate ? identity.key : '',
      config: data === config.data ? config : ({ ...config, data } as InternalAxiosRequestConfig),
      http: this.#http,
      route,
      ...(route.kind === 'forward' ? { proxy: known.proxy! } : {}),
      hasBody: body.present,
      idleMs: this.#idleMs,
      cancellation,
    });
    return hop.run();
  }

  /** A hop without NTLM (an origin that gets no credentials): axios's http adapter with the caller's agents. */
  #plain(config: InternalAxiosRequestConfig, cancellation: Cancellation): Promise<AxiosResponse> {
    const timeout = cancellation.handOver();
    return this.#http({
      ...config,
      maxRedirects: 0,
      validateStatus: () => true,
      signal: undefined,
      cancelToken: cancellation.token() as never,
      ...(timeout !== undefined ? { timeout: timeout.ms, timeoutErrorMessage: timeout.message } : {}),
    } as InternalAxiosRequestConfig) as Promise<AxiosResponse>;
  }

  /** What this client knows of an origin (its route is read from the options and the environment once). */
  #origin(url: URL): OriginEntry {
    const key = url.origin;
    let known = this.#origins.get(key);
    if (!known) {
      const route = this.#engine.route(url, process.env);
      const p = route.kind === 'forward' ? route.proxy : undefined;
      known = {
        origin: key,
        route,
        proxy: p ? { protocol: p.protocol.slice(0, -1), host: p.hostname, port: targetOf(p).port } : undefined,
        pools: new Map(),
      };
      this.#origins.set(key, known);
    }
    return known;
  }

  /** The pool of pinned connections for a route, an origin and everything that makes a TLS connection different. */
  #pool(known: OriginEntry, route: Route, url: URL, config: InternalAxiosRequestConfig): SlotPool<AxiosSlot> {
    const secure = route.kind === 'forward' ? route.proxy.protocol === 'https:' : url.protocol === 'https:';
    const settings: ConnectionSettings =
      route.kind === 'forward'
        ? connectionOptions(this.#proxyTls, secure)
        : connectionOptions(secure ? config.httpsAgent : config.httpAgent, secure);
    let byRoute = known.pools.get(route);
    if (!byRoute) known.pools.set(route, (byRoute = new Map<string, SlotPool<AxiosSlot>>()));
    const found = byRoute.get(settings.key);
    if (found) return found;
    if (this.#pools.size >= this.#sweepAt) this.#sweep();
    // One connector per pool: its TLS sessions are resumed across the pool's connections.
    const connector = new Connector({ ...settings.options });
    const origin = targetOf(new URL(known.origin));
    const connect =
      route.kind === 'direct'
        ? (signal: AbortSignal) => connector.connect(origin, undefined, signal)
        : route.kind === 'forward'
          ? (signal: AbortSignal) => connector.connect(targetOf(route.proxy), undefined, signal)
          : this.#tunnel(route.proxy, new URL(known.origin), connector);
    const pool: SlotPool<AxiosSlot> = new SlotPool<AxiosSlot>({
      limit: this.#engine.connections,
      budget: this.#engine.budget,
      create: () => {
        // A pool swept away while a request held it is listed again when it opens a connection.
        if (!this.#pools.has(entry)) this.#list(entry);
        return new AxiosSlot({
          https: url.protocol === 'https:' || secure,
          binds: route.kind !== 'forward' && url.protocol === 'https:',
          connect,
          idleMs: this.#idleMs,
          onDisconnect: (slot) => pool.disconnected(slot),
        });
      },
    });
    const entry: PoolEntry = { origin: known.origin, pool, byRoute, key: settings.key };
    this.#list(entry);
    return pool;
  }

  #list(entry: PoolEntry): void {
    this.#pools.add(entry);
    if (!entry.byRoute.has(entry.key)) entry.byRoute.set(entry.key, entry.pool);
  }

  /**
   * Drops the pools that have no connection and no request waiting (each TLS configuration has its own: a
   * gateway with a client certificate per user would keep one per user forever); the next sweep comes when
   * the pools left have doubled.
   */
  #sweep(): void {
    for (const entry of this.#pools) {
      if (entry.pool.size > 0 || entry.pool.queued > 0) continue;
      this.#pools.delete(entry);
      if (entry.byRoute.get(entry.key) === entry.pool) entry.byRoute.delete(entry.key);
    }
    this.#sweepAt = Math.max(POOLS_BEFORE_SWEEP, this.#pools.size * 2);
  }

  /** A CONNECT tunnel (with the proxy's 407 handshake), then TLS to the origin checked as on a direct connection. */
  #tunnel(proxy: URL, target: URL, connector: Connector) {
    const engine = this.#engine;
    return (signal: AbortSignal) => {
      const layer = engine.proxyLayer(proxy);
      // The timeout covers the whole setup, TLS to the origin included; closing the slot aborts it.
      return openTunnel({
        proxy,
        target,
        ...(layer ? { layer } : {}),
        ...(this.#proxyTls ? { proxyTls: this.#proxyTls } : {}),
        timeoutMs: TUNNEL_TIMEOUT_MS,
        signal,
        secure: (raw) => connector.connect(targetOf(target), raw, signal),
        log: engine.log,
      });
    };
  }
}
