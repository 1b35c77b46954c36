// @ntlmkit/axios: withNtlm(instance, options) and createNtlmAxios(config).
import axios, { AxiosError, type AxiosInstance, type CreateAxiosDefaults, type InternalAxiosRequestConfig } from 'axios';
import { NtlmError } from '@ntlmkit/core';
import { NtlmAxiosEngine, type NtlmAxiosOptions } from './adapter.js';

export type { NtlmAxiosOptions } from './adapter.js';
export { NtlmAxiosEngine } from './adapter.js';
export { NtlmError, isNtlmError, type Credentials } from '@ntlmkit/core';

export type NtlmAxiosInstance = AxiosInstance & { ntlm: NtlmAxiosEngine };

const ENGINE = Symbol.for('ntlmkit.axios.engine');

/** Adapters we can run on: axios's default list (Node picks http) or 'http' itself. */
function usesHttpAdapter(adapter: InternalAxiosRequestConfig['adapter'], ours: unknown): boolean {
  if (adapter === undefined || adapter === ours || adapter === 'http') return true;
  if (Array.isArray(adapter)) return adapter.includes('http');
  return false;
}

function unsupported(adapter: unknown, config?: InternalAxiosRequestConfig): AxiosError {
  const name = typeof adapter === 'function' ? 'a custom adapter function' : JSON.stringify(adapter);
  const cause = new NtlmError('ERR_NTLM_UNSUPPORTED_ADAPTER', `NTLM needs axios's Node http adapter (it pins sockets); this request uses ${name}`);
  const error = new AxiosError(cause.message, cause.code, config);
  (error as { cause?: unknown }).cause = cause;
  return error;
}

/**
 * Adds NTLM to an existing axios instance. Its interceptors, base URL, headers and httpsAgent TLS
 * options keep working; requests go through axios's http adapter on pinned keep-alive sockets.
 */
export function withNtlm<T extends AxiosInstance>(instance: T, options: NtlmAxiosOptions): T & { ntlm: NtlmAxiosEngine } {
  if ((instance as unknown as Record<symbol, unknown>)[ENGINE]) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'withNtlm was already applied to this axios instance');
  }
  const engine = new NtlmAxiosEngine(options);
  if (!usesHttpAdapter(instance.defaults.adapter, engine.adapter)) throw unsupported(instance.defaults.adapter);
  instance.defaults.adapter = engine.adapter;
  // A request may name its own adapter; one we cannot run on is an error, not a silent bypass.
  instance.interceptors.request.use((config) => {
    if (!usesHttpAdapter(config.adapter, engine.adapter)) throw unsupported(config.adapter, config);
    config.adapter = engine.adapter;
    return config;
  });
  Object.defineProperty(instance, ENGINE, { value: engine });
  return Object.assign(instance, { ntlm: engine });
}

/** A new axios instance with NTLM: `createNtlmAxios({ credentials, baseURL, … })`. */
export function createNtlmAxios(config: CreateAxiosDefaults & NtlmAxiosOptions): NtlmAxiosInstance {
  const { credentials, origins, preemptive, spn, lmCompatibilityLevel, connections, throwOnAuthFailure, maxReplayBytes, debug, freeSocketTimeout, ntlmProxy, ...axiosConfig } = config;
  const ntlm: NtlmAxiosOptions = { credentials, origins, preemptive, spn, lmCompatibilityLevel, connections, throwOnAuthFailure, maxReplayBytes, debug, freeSocketTimeout, ntlmProxy };
  for (const k of Object.keys(ntlm) as (keyof NtlmAxiosOptions)[]) if (ntlm[k] === undefined) delete ntlm[k];
  return withNtlm(axios.create(axiosConfig), ntlm);
}
