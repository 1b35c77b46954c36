// Proxy selection shared by the adapters: an explicit proxy, or HTTP_PROXY / HTTPS_PROXY / NO_PROXY
// as curl and undici's EnvHttpProxyAgent read them.
import type { Credentials } from '../credentials.js';
import { NtlmError } from '../errors.js';
import type { OptionCheck } from './options.js';

/** A forward proxy, and its own credentials. */
export interface ProxyOptions {
  /** `http://proxy.corp.example:3128`; default from HTTPS_PROXY / HTTP_PROXY for the request's scheme. */
  uri?: string;
  /** Credentials for the proxy's 407 NTLM challenge (separate from the origin's). */
  credentials?: Credentials;
  /** Hosts that bypass the proxy (NO_PROXY syntax); default from NO_PROXY when `uri` is not given either. */
  noProxy?: string;
}

/** Environment variables, such as `process.env` (names read in lower case, then upper case). */
export type Env = Record<string, string | undefined>;

function envValue(env: Env, name: string): string | undefined {
  return env[name.toLowerCase()] ?? env[name.toUpperCase()];
}

/** NO_PROXY: comma/space separated hosts, `.suffix` or `*.suffix`, optional `:port`, `*` for all. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (raw === '*') return true;
    const [pattern, patternPort] = raw
      .toLowerCase()
      .replace(/^\*/, '')
      .split(/:(?=\d+$)/) as [string, string | undefined];
    if (patternPort && patternPort !== port) continue;
    if (
      pattern.startsWith('.')
        ? host.endsWith(pattern) || host === pattern.slice(1)
        : host === pattern || host.endsWith(`.${pattern}`)
    )
      return true;
  }
  return false;
}

/**
 * The proxy URL for a request, or undefined for a direct connection. An explicit `uri` is used as given, with
 * the `noProxy` given beside it: the environment (HTTP(S)_PROXY and NO_PROXY) is read only without one, as
 * axios and undici's ProxyAgent do.
 */
export function proxyFor(url: URL, options: ProxyOptions, env: Env = {}): URL | undefined {
  const noProxy = options.noProxy ?? (options.uri === undefined ? envValue(env, 'no_proxy') : undefined);
  if (bypassesProxy(url, noProxy)) return undefined;
  const uri =
    options.uri ??
    (url.protocol === 'https:'
      ? (envValue(env, 'https_proxy') ?? envValue(env, 'http_proxy'))
      : envValue(env, 'http_proxy'));
  if (!uri) return undefined;
  return parseProxyUri(uri);
}

/** A proxy URI as HTTP_PROXY takes it (`host:port` means `http://host:port`); http: or https: only. */
function parseProxyUri(uri: string): URL {
  let proxy: URL;
  try {
    proxy = new URL(uri.includes('://') ? uri : `http://${uri}`);
  } catch {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'the proxy URI is not a valid URL');
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `unsupported proxy scheme ${proxy.protocol}`);
  return proxy;
}

const PROXY_OPTIONS: Readonly<Record<string, OptionCheck>> = {
  uri: [(v) => typeof v === 'string', 'a string (the proxy URL)'],
  credentials: [
    (v) => typeof v === 'object' && v !== null,
    'an object { username, password | ntHash, domain?, workstation? }',
  ],
  noProxy: [(v) => typeof v === 'string', 'a string (NO_PROXY syntax)'],
  fromEnv: [(v) => typeof v === 'boolean', 'true or false'],
  tls: [(v) => typeof v === 'object' && v !== null, 'an object of TLS options (for an https: proxy)'],
};

/**
 * Checks an adapter's proxy option (`name` as the adapter calls it) when given: an object of the known keys
 * (ProxyOptions, `fromEnv`, `tls`), each of its type, and a `uri` that is an http: or https: URL (an empty one
 * means no proxy, as in HTTP_PROXY). An unknown key is refused: a misspelt `uri` would otherwise go direct,
 * unnoticed. Throws NtlmError ERR_NTLM_INVALID_ARGUMENT.
 */
export function validateProxyOptions(value: unknown, name: string): void {
  if (value === undefined) return;
  const known = Object.keys(PROXY_OPTIONS).join(', ');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `\`${name}\` must be an object { ${known} }`);
  }
  for (const [key, v] of Object.entries(value)) {
    const check = PROXY_OPTIONS[key];
    if (!check) {
      throw new NtlmError(
        'ERR_NTLM_INVALID_ARGUMENT',
        `unknown \`${name}\` option "${key.slice(0, 40)}" (known: ${known})`,
      );
    }
    if (v !== undefined && !check[0](v)) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `\`${name}.${key}\` must be ${check[1]}`);
    }
  }
  const uri = (value as ProxyOptions).uri;
  if (uri) parseProxyUri(uri);
}

/**
 * How a request reaches its origin: directly, in absolute form through a proxy (http:), or through a CONNECT
 * tunnel (https:).
 */
export type Route = { kind: 'direct' } | { kind: 'forward'; proxy: URL } | { kind: 'tunnel'; proxy: URL };

/** The route for a request URL; `env` is read only when the options allow it (`fromEnv`, default true). */
export function routeFor(url: URL, options: (ProxyOptions & { fromEnv?: boolean }) | undefined, env: Env): Route {
  if (!options) return { kind: 'direct' };
  const proxy = proxyFor(url, options, options.fromEnv === false ? {} : env);
  if (!proxy) return { kind: 'direct' };
  return url.protocol === 'https:' ? { kind: 'tunnel', proxy } : { kind: 'forward', proxy };
}

/** Connections are pooled per route and origin. */
export function routeKey(route: Route, origin: string): string {
  return route.kind === 'direct' ? origin : `${route.kind} ${route.proxy.origin} ${origin}`;
}
