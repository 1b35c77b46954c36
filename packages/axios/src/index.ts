// @ntlmkit/axios: withNtlm(instance, options) and createNtlmAxios(config).
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { NtlmError } from '@ntlmkit/core';
import { NtlmAxiosEngine, unsupportedAdapter, usesHttpAdapter, type NtlmAxiosOptions } from './adapter.js';

export type { NtlmAxiosOptions, NtlmRequestOptions } from './adapter.js';
export { NtlmAxiosEngine } from './adapter.js';
export { NtlmError, isNtlmError, type Credentials } from '@ntlmkit/core';

/** An axios instance with NTLM, as `createNtlmAxios` makes it. */
export type NtlmAxiosInstance = AxiosInstance & {
  /** The instance's NTLM side: `connectionCount()`, `close()`, `destroy()`. */
  readonly ntlm: NtlmAxiosEngine;
};

const ENGINE = Symbol.for('ntlmkit.axios.engine');

/** The NTLM option names, taken out of createNtlmAxios's config (the rest is axios's). */
const NTLM_OPTIONS = [
  'credentials',
  'origins',
  'preemptive',
  'spn',
  'lmCompatibilityLevel',
  'connections',
  'maxConnections',
  'throwOnAuthFailure',
  'maxReplayBytes',
  'debug',
  'debugTokens',
  'freeSocketTimeout',
  'ntlmProxy',
] as const;

function isAxiosInstance(value: unknown): value is AxiosInstance {
  if (typeof value !== 'function') return false;
  const v = value as unknown as Partial<AxiosInstance>;
  return (
    typeof v.request === 'function' &&
    typeof v.defaults === 'object' &&
    v.defaults !== null &&
    typeof v.interceptors?.request?.use === 'function'
  );
}

/** axios's default export: its defaults are shared by every `axios.create()` in the process. */
function isDefaultExport(instance: AxiosInstance): boolean {
  const i = instance as AxiosInstance & { Axios?: unknown; CancelToken?: unknown };
  return instance === axios || (typeof i.Axios === 'function' && typeof i.CancelToken === 'function');
}

/**
 * Adds NTLM to an axios instance of your own (`axios.create(…)`): its interceptors, base URL, headers and
 * httpsAgent TLS options keep working; requests go through axios's http adapter on pinned keep-alive
 * connections. Only this instance changes: no other instance inherits the adapter or the credentials
 * (axios's default export is refused for that reason). A request whose adapter is a function of your own,
 * such as axios-mock-adapter's, runs that function instead: NTLM steps aside.
 */
export function withNtlm<T extends AxiosInstance>(
  instance: T,
  options: NtlmAxiosOptions,
): T & { readonly ntlm: NtlmAxiosEngine } {
  if (!isAxiosInstance(instance)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'withNtlm needs an axios instance, made with axios.create()');
  }
  if (isDefaultExport(instance)) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      "withNtlm does not change axios's default export: its defaults are shared by every axios.create() in the " +
        'process, libraries included. Use withNtlm(axios.create(config), options) or createNtlmAxios(config)',
    );
  }
  if ((instance as unknown as Record<symbol, unknown>)[ENGINE]) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'withNtlm was already applied to this axios instance');
  }
  const adapter = instance.defaults.adapter;
  if (!usesHttpAdapter(adapter) && typeof adapter !== 'function') throw unsupportedAdapter(adapter);
  const engine = new NtlmAxiosEngine(options);
  // The instance's own defaults (never shared ones): a mock's passthrough finds the NTLM adapter there.
  if (usesHttpAdapter(adapter)) instance.defaults.adapter = engine.adapter;
  instance.interceptors.request.use((config) => engine.prepare(config), undefined, { synchronous: true });
  Object.defineProperty(instance, ENGINE, { value: engine });
  Object.defineProperty(instance, 'ntlm', { value: engine, enumerable: true });
  return instance as T & { readonly ntlm: NtlmAxiosEngine };
}

/** A new axios instance with NTLM: `createNtlmAxios({ credentials, baseURL, … })` (NTLM options beside axios's). */
export function createNtlmAxios(config: CreateAxiosDefaults & NtlmAxiosOptions): NtlmAxiosInstance {
  if (!config || typeof config !== 'object') {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'createNtlmAxios needs a config object, e.g. { credentials: { username, password }, baseURL }',
    );
  }
  const ntlm: Record<string, unknown> = {};
  const rest: Record<string, unknown> = { ...config };
  for (const name of NTLM_OPTIONS) {
    if (rest[name] !== undefined) ntlm[name] = rest[name];
    delete rest[name];
  }
  // The options are checked before an instance exists, so nothing is left half made.
  const instance = axios.create(rest as CreateAxiosDefaults);
  return withNtlm(instance, ntlm as NtlmAxiosOptions);
}
