// @ntlmkit/core/http: the transport-neutral HTTP side of NTLM, shared by every adapter (see the core
// README, "writing an adapter for another transport").
export {
  parseAuthenticateHeaders,
  selectNtlmOffer,
  type AuthChallenge,
  type NtlmOffer,
  type NtlmScheme,
} from './authenticate-header.js';
export { ConnectionAuth } from './connection-auth.js';
export { Identity } from './identity.js';
export {
  RequestFlow,
  isIdempotent,
  isSafe,
  isConnectionError,
  type Action,
  type ConnectionView,
  type FlowOptions,
  type LayerOptions,
  type ResponseHead,
} from './machine.js';
export { PinnedSlot, SlotPool, ConnectionBudget, type SlotPoolOptions } from './pool.js';
export { NtlmHttpEngine, type EngineOptions, type FlowRequest } from './engine.js';
export { OriginMemory } from './origin-memory.js';
export {
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_REPLAY_BYTES,
  normaliseOrigin,
  spnFor,
  validateOptions,
  type NtlmHttpOptions,
  type OptionCheck,
} from './options.js';
export {
  proxyFor,
  bypassesProxy,
  routeFor,
  routeKey,
  validateProxyOptions,
  type ProxyOptions,
  type Env,
  type Route,
} from './proxy.js';
export { LinkedList, type Links } from './linked-list.js';
export { bodyFacts, bufferWithin, type BodyFacts, type BufferedBody } from './body.js';
