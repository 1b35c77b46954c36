export {
  NtlmDispatcher,
  NtlmProxyAgent,
  type NtlmDispatcherOptions,
  type NtlmProxyAgentOptions,
} from './dispatcher.js';
export { createNtlmFetch, type NtlmFetch, type NtlmFetchOptions, type NtlmFetchOverDispatcher } from './fetch.js';
export { NtlmError, isNtlmError, type Credentials, type NtlmErrorCode } from '@ntlmkit/core';
export type { NtlmHttpOptions } from '@ntlmkit/core/http';
export { ntlm, type NtlmInterceptor } from './interceptor.js';
