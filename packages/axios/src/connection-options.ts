// The connection options a request brings through axios (its httpsAgent's TLS options, its httpAgent's
// socket options) and the key that keeps connections made with different options apart: everything that
// makes a connection different, as Node's own https.Agent names its pools (getName), plus what getName
// cannot compare by value (functions such as checkServerIdentity, by identity) and the key's passphrase.
import http from 'node:http';
import https from 'node:https';
import type { ConnectionOptions } from 'node:tls';

/** What https.Agent's getName compares, what it leaves out, and the socket options of any agent. */
const TLS_KEYS = [
  'ca',
  'cert',
  'clientCertEngine',
  'ciphers',
  'key',
  'pfx',
  'rejectUnauthorized',
  'servername',
  'minVersion',
  'maxVersion',
  'secureProtocol',
  'crl',
  'honorCipherOrder',
  'ecdhCurve',
  'dhparam',
  'secureOptions',
  'sessionIdContext',
  'sigalgs',
  'privateKeyIdentifier',
  'privateKeyEngine',
  'passphrase',
  'checkServerIdentity',
  'secureContext',
] as const;
const SOCKET_KEYS = ['localAddress', 'family', 'lookup'] as const;
/** Options getName does not name: compared here by identity (functions, contexts) or by value. */
const EXTRA_KEYS = ['passphrase', 'checkServerIdentity', 'secureContext', 'lookup'] as const;

export interface ConnectionSettings {
  options: ConnectionOptions;
  /** Equal for options that make equal connections. */
  key: string;
}

const NONE: ConnectionSettings = { options: {}, key: '' };
const known = new WeakMap<object, ConnectionSettings>();
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function identity(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a primitive here (TypeScript does not narrow it)
  if (typeof value !== 'object' && typeof value !== 'function') return String(value);
  if (value === null) return 'null';
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = ++nextIdentity));
  return `#${id}`;
}

/**
 * The options of `source` (an http(s).Agent, or a plain object of TLS options) that a pinned connection
 * must be made with; `tls`: TLS options count (the connection is TLS).
 */
export function connectionOptions(source: unknown, tls: boolean): ConnectionSettings {
  if (typeof source !== 'object' || source === null) return NONE;
  const cached = known.get(source);
  if (cached) return cached;
  const all = (source instanceof http.Agent ? (source as http.Agent & { options?: object }).options : source) as
    Record<string, unknown> | undefined;
  const options: Record<string, unknown> = {};
  for (const key of [...(tls ? TLS_KEYS : []), ...SOCKET_KEYS]) if (all?.[key] !== undefined) options[key] = all[key];
  const extra = EXTRA_KEYS.map((key) => (options[key] === undefined ? '' : identity(options[key]))).join(':');
  const name = tls
    ? https.Agent.prototype.getName.call(https.globalAgent, options)
    : http.Agent.prototype.getName.call(http.globalAgent, options);
  const key = `${name}|${extra}`;
  // Equal options in other objects have the same key: the pools are found by it.
  const settings = Object.keys(options).length ? { options, key } : NONE;
  known.set(source, settings);
  return settings;
}
