// The public API of every entry point, as the READMEs document it: a change to one of these lists is a
// change to the API, made on purpose (internals live in @ntlmkit/core/internal, with no promise).
import * as core from '@ntlmkit/core';
import * as http from '@ntlmkit/core/http';
import * as node from '@ntlmkit/core/node';
import * as undici from '@ntlmkit/undici';
import * as axios from '@ntlmkit/axios';
import * as airlock from '@ntlmkit/airlock';
import * as server from '@ntlmkit/server';

const names = (m: object) => Object.keys(m).filter((k) => k !== 'default').sort();

test.each([
  ['@ntlmkit/core', core, [
    'AvFlags', 'AvId', 'DEFAULT_NEGOTIATE_FLAGS', 'DEFAULT_VERSION', 'NegotiateFlags', 'Ntlm', 'NtlmContext', 'NtlmError', 'PreparedCredentials',
    'avFlagsValue', 'buildAuthenticateMessage', 'certificateToDer', 'channelBindingFromCertificate', 'channelBindingHash', 'computeResponseV1',
    'computeResponseV2', 'createAuthenticateMessage', 'createChallengeMessage', 'createNegotiateMessage', 'crypto', 'dateToFiletime', 'decodeToken',
    'decodeUtf16le', 'describeToken', 'describeTokenRedacted', 'encodeAvPairs', 'endPointHashAlgorithm', 'filetimeToMs', 'findAvPair', 'flagNames',
    'fromBase64', 'fromHex', 'isNtlmError', 'kxkey', 'lmowfv1', 'mic', 'ntowfv1', 'ntowfv2', 'parseAuthenticateMessage', 'parseAvPairs',
    'parseChallengeMessage', 'parseNegotiateMessage', 'parseNtHash', 'prepareCredentials', 'resolveCredentials', 'splitUsername', 'tlsServerEndPoint',
    'tlsServerEndPointHash', 'toBase64', 'toHex', 'utf16le',
  ]],
  ['@ntlmkit/core/http', http, [
    'ConnectionAuth', 'ConnectionBudget', 'DEFAULT_CONNECTIONS', 'DEFAULT_MAX_CONNECTIONS', 'DEFAULT_MAX_REPLAY_BYTES', 'Identity', 'NtlmHttpEngine',
    'OriginMemory', 'PinnedSlot', 'RequestFlow', 'SlotPool', 'bodyFacts', 'bufferWithin', 'bypassesProxy', 'isConnectionError', 'isIdempotent',
    'normaliseOrigin', 'parseAuthenticateHeaders', 'proxyFor', 'routeFor', 'routeKey', 'selectNtlmOffer', 'spnFor', 'validateOptions',
  ]],
  ['@ntlmkit/core/node', node, ['Connector', 'HeadReader', 'Ntlm', 'logger', 'nodeHashProvider', 'openTunnel', 'peerCertificate', 'serverName', 'tlsHost']],
  ['@ntlmkit/undici', undici, ['NtlmDispatcher', 'NtlmError', 'NtlmProxyAgent', 'createNtlmFetch', 'isNtlmError', 'ntlm']],
  ['@ntlmkit/axios', axios, ['NtlmAxiosEngine', 'NtlmError', 'createNtlmAxios', 'isNtlmError', 'withNtlm']],
  ['@ntlmkit/airlock', airlock, [
    'DEFAULT_COOKIE_NAME', 'MAX_CONTROL_COOKIE_LENGTH', 'MAX_PARSE_LENGTH', 'NtlmError', 'addCredentials', 'appendSetCookie', 'auditToken',
    'basicAuthCredentials', 'clearBasicAuthCredentials', 'clearNtlmCredentials', 'controlCookie', 'createAirlockDevGateway', 'isNtlmError',
    'ntlmCredentials', 'parseControlCookie', 'percentDecode', 'percentEncode', 'removeCredentials', 'sendControlCookie', 'setCredentials',
  ]],
  ['@ntlmkit/server', server, ['NtlmAcceptor', 'Users', 'createNtlmProxy', 'createNtlmServer', 'createSelfSignedCertificate', 'defaultHandler']],
] as const)('%s exports exactly its documented names', (_entry, module, expected) => {
  expect(names(module)).toEqual([...expected].sort());
});
