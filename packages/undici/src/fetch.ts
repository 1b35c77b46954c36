// createNtlmFetch: fetch's signature, NTLM through an NtlmDispatcher. Redirects keep working, but
// credentials go only to the origin the caller asked for (and `origins`), never to a redirect target.
import { fetch as undiciFetch, type RequestInfo, type RequestInit, type Response } from 'undici';
import { normaliseOrigin } from '@ntlmkit/core/http';
import { NtlmDispatcher, type NtlmDispatcherOptions } from './dispatcher.js';

export type NtlmFetch = ((input: RequestInfo, init?: RequestInit) => Promise<Response>) & {
  dispatcher: NtlmDispatcher;
  close(): Promise<void>;
};

export function createNtlmFetch(options: NtlmDispatcherOptions | { dispatcher: NtlmDispatcher }): NtlmFetch {
  const dispatcher = 'dispatcher' in options ? options.dispatcher : new NtlmDispatcher(options);
  const configured = 'dispatcher' in options ? undefined : options.origins;
  const ntlmFetch = (input: RequestInfo, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const origins = configured ? configured.map(normaliseOrigin) : [normaliseOrigin(url)];
    return undiciFetch(input, { ...init, dispatcher: dispatcher.scoped(origins) });
  };
  return Object.assign(ntlmFetch, { dispatcher, close: () => dispatcher.close() });
}
