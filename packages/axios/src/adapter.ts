// The axios side: an adapter around axios's own http adapter that runs the shared NTLM exchange
// on pinned keep-alive sockets, follows redirects itself (credentials only to allowed origins),
// and settles with the caller's validateStatus.
import { debuglog } from 'node:util';
import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { NtlmError } from '@ntlmkit/core';
import {
  allowsOrigin, credentialKey, normaliseOrigin, OriginMemory, runExchange, validateOptions, type LegRequest, type LegResult,
  type NtlmHttpOptions,
} from '@ntlmkit/core/http';
import { bufferStreamWithin, hasBody, isReplayable, isStream } from './body.js';
import { AxiosOriginPool, tlsOptionsOf, type AxiosSlot } from './slot.js';

export interface NtlmAxiosOptions extends NtlmHttpOptions {
  /** Idle sockets close after this many ms, before a server would drop them (default 4000, below IIS's and Node's 5 s). */
  freeSocketTimeout?: number;
}

const DEFAULT_REPLAY_BYTES = 1024 * 1024;
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
  private readonly key: string;
  private readonly memory = new OriginMemory();
  private readonly pools = new Map<string, AxiosOriginPool>();
  private readonly http: AxiosAdapter;
  private readonly log: (message: string) => void;

  constructor(options: NtlmAxiosOptions) {
    validateOptions(options);
    this.options = options;
    this.key = credentialKey(options.credentials);
    this.http = axios.getAdapter('http');
    this.log = (message) => {
      nodeDebug(message);
      options.debug?.(message);
    };
  }

  /** The axios adapter: what `withNtlm` installs. */
  readonly adapter: AxiosAdapter = (config) => this.request(config);

  /** Open pinned sockets per origin (for observability and tests). */
  connectionCount(origin?: string): number {
    const pools = origin ? [this.pools.get(normaliseOrigin(origin))] : [...this.pools.values()];
    return pools.reduce((n, p) => n + (p ? p.slots.filter((s) => s.socket && !s.socket.destroyed).length : 0), 0);
  }

  destroy(): void {
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }

  private async request(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const first = fullUrl(config);
    // Credentials go to the origins configured, or else only to the origin the caller asked for.
    const allowed = (origin: string) => (this.options.origins ? allowsOrigin(this.options, origin) : origin === first.origin);
    const maxRedirects = config.maxRedirects ?? 21;
    let current: InternalAxiosRequestConfig = config;
    let url = first;
    for (let hop = 0; ; hop++) {
      const response = allowed(url.origin) ? await this.ntlmRequest(current, url) : await this.plainRequest(current);
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

  private pool(url: URL): AxiosOriginPool {
    let pool = this.pools.get(url.origin);
    if (!pool) {
      const https = url.protocol === 'https:';
      pool = new AxiosOriginPool(this.options.connections ?? Infinity, {
        https,
        tls: {},
        freeSocketTimeout: this.options.freeSocketTimeout ?? 4000,
      });
      this.pools.set(url.origin, pool);
    }
    return pool;
  }

  private async ntlmRequest(config: InternalAxiosRequestConfig, url: URL): Promise<AxiosResponse> {
    const origin = url.origin;
    const known = this.memory.scheme(origin) !== undefined || this.options.preemptive === true;
    let data: unknown = config.data;
    let replayable = isReplayable(data);
    if (!known && !replayable && isStream(data)) {
      ({ data, replayable } = await bufferStreamWithin(data, this.options.maxReplayBytes ?? DEFAULT_REPLAY_BYTES));
    }
    const pool = this.pool(url);
    if (url.protocol === 'https:') pool.tls = tlsOptionsOf(config.httpsAgent);
    const slot = await pool.acquire(this.key);
    let deferRelease = false;
    let bodyUsed = false;
    try {
      const response = await runExchange<AxiosResponse>({
        origin,
        url,
        options: this.options,
        credentialKey: this.key,
        auth: slot.auth,
        memory: this.memory,
        challengeStatus: 401,
        bodyReplayable: replayable,
        peerCertificate: () => slot.peerCertificate,
        reconnect: async () => slot.reconnect(),
        connectionId: () => slot.generation,
        log: this.log,
        send: (leg) => {
          if (leg.withBody && bodyUsed && !replayable) {
            return Promise.reject(new NtlmError('ERR_NTLM_BODY_NOT_REPLAYABLE', 'the request body (a stream) was already sent and cannot be sent again'));
          }
          if (leg.withBody) bodyUsed = hasBody(data);
          return this.leg(slot, config, leg, leg.withBody ? data : undefined, hasBody(data));
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

  private async leg(slot: AxiosSlot, config: InternalAxiosRequestConfig, leg: LegRequest, data: unknown, requestHasBody: boolean): Promise<LegResult<AxiosResponse>> {
    // A copy per leg: AxiosHeaders.from would hand back (and let us mutate) the caller's instance.
    const headers = new AxiosHeaders(config.headers as AxiosHeaders);
    if (leg.authorization) headers.set('Authorization', leg.authorization);
    if (!leg.withBody && requestHasBody) {
      headers.delete('Transfer-Encoding');
      headers.set('Content-Length', '0');
    }
    const response = (await this.http({
      ...config,
      headers,
      data,
      httpAgent: slot.agent,
      httpsAgent: slot.agent,
      maxRedirects: 0,
      proxy: false,
      validateStatus: () => true,
    })) as AxiosResponse;
    const challenges = headerList(response.headers?.['www-authenticate']);
    const closing = /\bclose\b/i.test(String(response.headers?.connection ?? ''));
    const delivered = leg.deliver(response.status, challenges, closing);
    if (!delivered) await drain(response);
    return { delivered, status: response.status, challenges, closing, response };
  }

  private axiosError(error: unknown, config: InternalAxiosRequestConfig): unknown {
    if (!(error instanceof NtlmError)) return error;
    const wrapped = new AxiosError(error.message, error.code, config);
    (wrapped as { cause?: unknown }).cause = error;
    return wrapped;
  }
}
