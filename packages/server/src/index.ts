export {
  createNtlmServer,
  defaultHandler,
  type NtlmServer,
  type NtlmServerOptions,
  type NtlmServerExtras,
  type ServerStats,
  type OutcomeEvent,
  type RequestContext,
  type RequestHandler,
  type FaultOptions,
  type SchemeOffer,
} from './server.js';
export {
  createNtlmProxy,
  type NtlmProxy,
  type NtlmProxyOptions,
  type ProxyFaultOptions,
  type ProxyStats,
  type ProxyOutcomeEvent,
} from './proxy.js';
export type { AcceptorOptions, OriginAcceptorOptions } from './gate.js';
export type { Lifecycle, OutcomeEvents } from './lifecycle.js';
export {
  NtlmAcceptor,
  type AcceptorPolicy,
  type AuthOutcome,
  type TokenChecking,
  type ChannelBindingStatus,
  type ServerDialect,
  type TargetNames,
  type ChallengeShape,
  type MicKey,
  type SessionKeyReading,
} from './acceptor.js';
export {
  createSelfSignedCertificate,
  type CertificateAlgorithm,
  type SelfSigned,
  type SelfSignedOptions,
} from './certificate.js';
export { Users, type UserTable, type UserEntry } from './users.js';
