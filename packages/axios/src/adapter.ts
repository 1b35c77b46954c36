// The axios side: an adapter around axios's own http adapter that runs the shared NTLM exchange
// on pinned keep-alive sockets, follows redirects itself (credentials only to allowed origins),
// and settles with the caller's validateStatus.
import { debuglog } from 'node:util';
import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { ConnectionOptions } from 'node:tls';
import { NtlmError, type Credentials } from '@ntlmkit/core';
import {
  normaliseOrigin, NtlmHttpEngine, routeKey, validateOptions, type Env, type NtlmHttpOptions, type ProxyOptions, type RawHead, type RawResult,
  type RawSend, type Route,
} from '@ntlmkit/core/http';
import { tunnelOpener } from '@ntlmkit/core/node';
import { bufferStreamWithin, hasBody, isReplayable, isStream } from './body.js';
import { AxiosOriginPool, tlsOptionsOf, type AxiosSlot } from './slot.js';

export interface NtlmAxiosOptions extends Omit<NtlmHttpOptions, 'credentials'> {
  /** Origin credentials. Optional only with `ntlmProxy` (proxy authentication alone). */
  credentials?: Credentials;
  /** Idle sockets close after this many ms, before a server would drop them (default 4000, below IIS's and Node's 5 s). */
  freeSocketTimeout?: number;
  /**
   * A forward proxy with its own NTLM credentials: plain HTTP in absolute form on an authenticated proxy
   * connection, HTTPS through a CONNECT tunnel. Without it, NTLM requests use HTTP_PROXY / HTTPS_PROXY /
   * NO_PROXY like axios does (no proxy credentials), unless the request sets `proxy: false`.
   */
  ntlmProxy?: ProxyOptions & { fromEnv?: boolean; tls?: ConnectionOptions };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const nodeDebug = debuglog('ntlm');

function fullUrl(config: InternalAxiosRequestConfig): URL {
  const url = config.url ?? '';
  if (/^[a-z][a-z\d+\-.]*:\/\//i.test(url) || !config.baseURL) return new URL(url);
  return new URL(`${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`);
}

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

async function drain(response: AxiosResponse): Promise<void> {
  if (!isStream(response.data)) return;
  const stream = response.data;
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
    stream.resume();
  });
}

function headerList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return ([] as string[]).concat(value as string | string[]).map(String);
}

export class NtlmAxiosEngine {
  readonly options: NtlmAxiosOptions;
  private readonly engine: NtlmHttpEngine;
  private readonly pools = new Map<string, AxiosOriginPool>();
  private readonly http: AxiosAdapter;
  private readonly log: (message: string) => void;

  constructor(options: NtlmAxiosOptions) {
    if (options?.credentials || !options?.ntlmProxy) validateOptions(options as NtlmHttpOptions);
    this.options = options;
    this.log = (message) => {
      nodeDebug(message);
      options.debug?.(message);
    };
    // Like axios, HTTP_PROXY / HTTPS_PROXY / NO_PROXY apply even without `ntlmProxy`.
    this.engine = new NtlmHttpEngine({ ...options, proxy: options.ntlmProxy ?? {} }, this.log);
    this.http = axios.getAdapter('http');
  }

  /** The axios adapter: what `withNtlm` installs. */
  readonly adapter: AxiosAdapter = (config) => this.request(config);

  /** Open pinned sockets per origin (for observability and tests). */
  connectionCount(origin?: string): number {
    const wanted = origin ? normaliseOrigin(origin) : undefined;
    let n = 0;
    for (const [id, pool] of this.pools) if (!wanted || id.endsWith(wanted)) n += pool.slots.filter((s) => s.socket && !s.socket.destroyed).length;
    return n;
  }

  destroy(): void {
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }

  private async request(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const first = fullUrl(config);
    if (config.proxy && !this.options.ntlmProxy) {
      const cause = new NtlmError('ERR_NTLM_UNSUPPORTED', "axios's `proxy` setting cannot carry a connection-bound NTLM handshake: use the `ntlmProxy` option");
      throw Object.assign(new AxiosError(cause.message, cause.code, config), { cause });
    }
    // Credentials go to the origins configured, or else only to the origin the caller asked for.
    const allowed = (origin: string) => this.engine.authenticates(origin, this.options.origins ? undefined : [first.origin]);
    const maxRedirects = config.maxRedirects ?? 21;
    let current: InternalAxiosRequestConfig = config;
    let url = first;
    for (let hop = 0; ; hop++) {
      const route = this.route(url, current);
      const response = allowed(url.origin) || route.kind !== 'direct' ? await this.ntlmRequest(current, url, route, allowed(url.origin)) : await this.plainRequest(current);
      const location = response.headers?.location as string | undefined;
      if (!REDIRECTS.has(response.status) || !location || hop >= maxRedirects) return settle(response, config);
      await drain(response);
      const next = new URL(location, url);
      const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && current.method?.toLowerCase() === 'post');
      if (!toGet && !isReplayable(current.data) && hasBody(current.data)) return settle(response, config);
      const headers = new AxiosHeaders(current.headers as AxiosHeaders);
      if (toGet) ['content-type', 'content-length', 'transfer-encoding'].forEach((h) => headers.delete(h));
      if (next.origin !== url.origin) ['authorization', 'cookie', 'proxy-authorization'].forEach((h) => headers.delete(h));
      this.log(`redirect ${response.status} to ${next.origin}${next.origin !== first.origin && !allowed(next.origin) ? ' (no credentials)' : ''}`);
      current = { ...current, url: next.href, baseURL: undefined, params: undefined, headers, ...(toGet ? { method: 'get', data: undefined } : {}) };
      url = next;
    }
  }

  private plainRequest(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    return this.http({ ...config, maxRedirects: 0, validateStatus: () => true }) as Promise<AxiosResponse>;
  }

  private route(url: URL, config: InternalAxiosRequestConfig): Route {
    // Like axios: the environment's proxies apply unless the request says `proxy: false`.
    return config.proxy === false ? { kind: 'direct' } : this.engine.route(url, process.env as Env);
  }

  private pool(url: URL, route: Route): AxiosOriginPool {
    const id = routeKey(route, url.origin);
    let pool = this.pools.get(id);
    if (!pool) {
      pool = new AxiosOriginPool(this.options.connections ?? Infinity, {
        // A forward proxy is where the socket goes; a tunnel carries TLS to the origin.
        https: route.kind === 'forward' ? route.proxy.protocol === 'https:' : url.protocol === 'https:',
        freeSocketTimeout: this.options.freeSocketTimeout ?? 4000,
        tunnel: tunnelOpener(this.engine, route, url, this.options.ntlmProxy?.tls),
      });
      this.pools.set(id, pool);
    }
    return pool;
  }

  private async ntlmRequest(config: InternalAxiosRequestConfig, url: URL, route: Route, ntlm: boolean): Promise<AxiosResponse> {
    const origin = url.origin;
    const known = ntlm && this.engine.knows(origin);
    let data: unknown = config.data;
    let replayable = isReplayable(data);
    if (!known && !replayable && isStream(data)) {
      ({ data, replayable } = await bufferStreamWithin(data, this.engine.maxReplayBytes));
    }
    const pool = this.pool(url, route);
    if (url.protocol === 'https:' || route.kind === 'forward') pool.tls = route.kind === 'forward' ? { ...this.options.ntlmProxy?.tls } : tlsOptionsOf(config.httpsAgent);
    const slot = await pool.acquire(this.engine.slotKey);
    let deferRelease = false;
    const send: RawSend<AxiosResponse> = (auth, withBody, deliver) =>
      this.leg(slot, config, route, auth, withBody ? data : undefined, !withBody && hasBody(data), deliver);
    try {
      const response = await this.engine.request<AxiosResponse>({
        origin,
        url,
        route,
        authenticate: ntlm,
        bodyReplayable: replayable,
        send,
        slot: {
          auth: slot.auth,
          proxyAuth: slot.proxyAuth,
          connectionId: () => slot.generation,
          reconnect: async () => slot.reconnect(),
          peerCertificate: () => slot.peerCertificate,
        },
      });
      // A streamed response keeps its socket busy until the caller has read it.
      if (isStream(response.data)) {
        deferRelease = true;
        const stream = response.data;
        let released = false;
        const release = () => {
          if (!released) {
            released = true;
            pool.release(slot);
          }
        };
        stream.once('end', release);
        stream.once('close', release);
        stream.once('error', release);
      }
      return response;
    } catch (error) {
      throw this.axiosError(error, config);
    } finally {
      if (!deferRelease) pool.release(slot);
    }
  }

  private async leg(
    slot: AxiosSlot,
    config: InternalAxiosRequestConfig,
    route: Route,
    auth: Record<string, string>,
    data: unknown,
    emptyBody: boolean,
    deliver: (head: RawHead) => boolean,
  ): Promise<RawResult<AxiosResponse>> {
    // A copy per leg: AxiosHeaders.from would hand back (and let us mutate) the caller's instance.
    const headers = new AxiosHeaders(config.headers as AxiosHeaders);
    for (const [name, value] of Object.entries(auth)) headers.set(name, value);
    if (emptyBody) {
      headers.delete('Transfer-Encoding');
      headers.set('Content-Length', '0');
    }
    // Plain HTTP through a forward proxy: axios's own proxy support writes the absolute-form request
    // line to our pinned socket; a tunnel (HTTPS) is opened by the socket's agent, so axios sees no proxy.
    const proxy = route.kind === 'forward'
      ? { protocol: route.proxy.protocol.replace(':', ''), host: route.proxy.hostname, port: Number(route.proxy.port || (route.proxy.protocol === 'https:' ? 443 : 80)) }
      : false;
    if (route.kind === 'forward') headers.set('Proxy-Connection', 'keep-alive');
    const response = (await this.http({
      ...config,
      headers,
      data,
      httpAgent: slot.agent,
      httpsAgent: slot.agent,
      maxRedirects: 0,
      proxy,
      validateStatus: () => true,
    })) as AxiosResponse;
    const head: RawHead = {
      status: response.status,
      header: (name) => headerList(response.headers?.[name]),
      closing: /\bclose\b/i.test(String(response.headers?.connection ?? '')),
    };
    const delivered = deliver(head);
    if (!delivered) await drain(response);
    return { ...head, delivered, response };
  }

  private axiosError(error: unknown, config: InternalAxiosRequestConfig): unknown {
    if (!(error instanceof NtlmError)) return error;
    const wrapped = new AxiosError(error.message, error.code, config);
    (wrapped as { cause?: unknown }).cause = error;
    return wrapped;
  }
}
