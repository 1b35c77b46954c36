// ntlm(): NTLM as an undici interceptor for `dispatcher.compose(...)`. NTLM authenticates a connection, and an
// interceptor cannot pin the connections of the dispatcher it is composed on: so it does not pretend to.
// Requests to the origins it authenticates run on its own pinned connections (an NtlmDispatcher); every
// other request goes on to the composed dispatcher untouched.
import type { Dispatcher } from 'undici';
import { normaliseOrigin } from '@ntlmkit/core/http';
import { NtlmDispatcher, type NtlmDispatcherOptions } from './dispatcher.js';

/** What `ntlm()` returns: an interceptor for `dispatcher.compose(...)`, with its own NtlmDispatcher. */
export type NtlmInterceptor = Dispatcher.DispatcherComposeInterceptor & {
  /** The pinned connections of the origins it authenticates (close it when done). */
  readonly dispatcher: NtlmDispatcher;
};

/**
 * `agent.compose(ntlm({ credentials, origins }))`: requests to `origins` (default: the first origin it sees)
 * are authenticated on pinned connections of their own; interceptors composed after it see every request,
 * those before it and the dispatcher underneath see only the requests it does not authenticate.
 */
export function ntlm(options: NtlmDispatcherOptions): NtlmInterceptor {
  const dispatcher = new NtlmDispatcher(options);
  const explicit = options.origins ? new Set(options.origins.map(normaliseOrigin)) : undefined;
  let first: string | undefined;
  const ours = (origin: unknown): boolean => {
    if (typeof origin !== 'string' && !(origin instanceof URL)) return false;
    let normalised: string;
    try {
      normalised = normaliseOrigin(origin);
    } catch {
      return false;
    }
    if (explicit) return explicit.has(normalised);
    return (first ??= normalised) === normalised;
  };
  const interceptor = (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] =>
    function ntlmDispatch(opts, handler) {
      return ours(opts.origin) ? dispatcher.dispatch(opts, handler) : dispatch(opts, handler);
    };
  return Object.assign(interceptor, { dispatcher });
}
