// What passes the gateway in each direction. Towards a back end: the browser's headers without the
// hop-by-hop ones, without the gateway's session cookie, and on NTLM mappings without the browser's own
// Authorization (the gateway authenticates there). Towards the browser: the back end's headers without the
// hop-by-hop ones, with the control cookie (and any cookie named like the session cookie) taken out.
import type { IncomingHttpHeaders } from 'node:http';

export type HeaderValues = Record<string, string | string[]>;

// RFC 9110 7.6.1 (Connection and the fields it names), the RFC 2616 hop-by-hop list, and what undici
// refuses to be given (expect, upgrade) or sets itself (host).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'http2-settings',
]);

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  for (const part of [value ?? []].flat().join(',').split(',')) {
    const token = part.trim().toLowerCase();
    if (token) tokens.add(token);
  }
  return tokens;
}

/** The name of a cookie in a `Cookie` pair or a `Set-Cookie` value (RFC 6265: the text before '='). */
export function cookieNameOf(pair: string): string {
  const eq = pair.indexOf('=');
  const end = pair.indexOf(';');
  return (eq < 0 || (end >= 0 && end < eq) ? '' : pair.slice(0, eq)).trim();
}

/** The values the browser sent for a cookie (several when it holds several, e.g. for other paths). */
export function requestCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    if (cookieNameOf(pair) === name) values.push(pair.slice(pair.indexOf('=') + 1).trim());
  }
  return values;
}

export interface ForwardFacts {
  sessionCookieName: string;
  /** NTLM mapping: the browser's Authorization is dropped. */
  ntlm: boolean;
  clientAddress: string | undefined;
}

/** The headers of the back-end request. */
export function backendRequestHeaders(headers: IncomingHttpHeaders, facts: ForwardFacts): HeaderValues {
  const drop = connectionTokens(headers.connection);
  const out: HeaderValues = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    if (name === 'authorization' && facts.ntlm) continue;
    if (name === 'cookie') {
      const kept = (value as string).split(';').filter((pair) => cookieNameOf(pair) !== facts.sessionCookieName);
      const cookie = kept
        .map((pair) => pair.trim())
        .filter(Boolean)
        .join('; ');
      if (cookie) out.cookie = cookie;
      continue;
    }
    out[name] = value;
  }
  if (facts.clientAddress) {
    const before = headers['x-forwarded-for'];
    out['x-forwarded-for'] = before ? `${[before].flat().join(', ')}, ${facts.clientAddress}` : facts.clientAddress;
  }
  if (headers.host) out['x-forwarded-host'] = headers.host;
  out['x-forwarded-proto'] = 'http';
  return out;
}

export interface BrowserHeaders {
  headers: HeaderValues;
  /** `Set-Cookie` values of the control cookie (exact name), in order. */
  control: string[];
  /** Names of cookies taken out without being applied (the control name in another case, the session name). */
  withheld: string[];
}

/** The headers of the response to the browser, and the control cookies taken out of it. */
export function browserResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  names: { control: string; session: string },
): BrowserHeaders {
  const drop = connectionTokens(headers.connection);
  const out: HeaderValues = {};
  const control: string[] = [];
  const withheld: string[] = [];
  const controlLower = names.control.toLowerCase();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    if (name !== 'set-cookie') {
      out[name] = value;
      continue;
    }
    const pass: string[] = [];
    for (const cookie of [value].flat()) {
      const cookieName = cookieNameOf(cookie);
      if (cookieName === names.control) control.push(cookie);
      else if (cookieName.toLowerCase() === controlLower || cookieName === names.session) withheld.push(cookieName);
      else pass.push(cookie);
    }
    if (pass.length) out['set-cookie'] = pass;
  }
  return { headers: out, control, withheld };
}
