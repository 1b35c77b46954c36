// @ntlmkit/core/http: the transport-neutral HTTP side of NTLM, shared by every adapter.
export { parseAuthenticateHeaders, selectNtlmOffer, type AuthChallenge, type NtlmOffer, type NtlmScheme } from './authenticate-header.js';
export { ConnectionAuth, type ConnectionState, type AuthenticateContext } from './connection-auth.js';
export { OriginMemory } from './origin-memory.js';
export { SlotPool, type PinnedConnection } from './slot-pool.js';
export { credentialKey } from './credential-key.js';
export { runExchange, isConnectionError, type ExchangeContext, type LegRequest, type LegResult } from './exchange.js';
export { DEFAULT_MAX_REPLAY_BYTES, normaliseOrigin, spnFor, validateOptions, type NtlmHttpOptions } from './options.js';
export { NtlmHttpEngine, type EngineOptions, type PinnedSlot } from './engine.js';
export { originLegs, type ProxyLayer, type RawHead, type RawResult, type RawSend } from './layers.js';
export { proxyFor, bypassesProxy, authHeaderNames, routeFor, routeKey, type ProxyOptions, type Env, type Route } from './proxy.js';
export { bufferWithin, type BufferedBody } from './body.js';
