export { NtlmDispatcher, NtlmProxyAgent, type NtlmDispatcherOptions, type NtlmProxyAgentOptions } from './dispatcher.js';
export { createNtlmFetch, type NtlmFetch } from './fetch.js';
export { NtlmError, isNtlmError, type Credentials } from '@ntlmkit/core';
export type { NtlmHttpOptions } from '@ntlmkit/core/http';
