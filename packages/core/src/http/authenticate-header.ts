// WWW-Authenticate / Proxy-Authenticate parsing (RFC 9110 11.6.1): several header lines, or several
// challenges joined by commas, case-insensitive schemes, token68 or auth-params.
import { fromBase64 } from '../bytes.js';
import { NtlmError } from '../errors.js';
import { hasNtlmSignature } from '../messages/reader.js';

/** One challenge of a WWW-Authenticate or Proxy-Authenticate header. */
export interface AuthChallenge {
  /** As sent, e.g. `NTLM`, `Negotiate`, `Basic`. */
  scheme: string;
  /** The token68 part, if any (e.g. the base64 CHALLENGE). */
  token?: string;
  /** The auth-params, names lower-cased, quoted values unquoted. */
  params: Record<string, string>;
}

/** Splits on commas that are outside quoted strings (by index: a CHALLENGE token is hundreds of characters). */
function splitOutsideQuotes(value: string): string[] {
  const out: string[] = [];
  const push = (part: string) => {
    const trimmed = part.trim();
    if (trimmed) out.push(trimmed);
  };
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 /* " */ && value.charCodeAt(i - 1) !== 0x5c /* \ */) quoted = !quoted;
    else if (c === 0x2c /* , */ && !quoted) {
      push(value.slice(start, i));
      start = i + 1;
    }
  }
  push(value.slice(start));
  return out;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const PARAM = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(.*)$/;

function addParam(challenge: AuthChallenge, text: string): void {
  const m = PARAM.exec(text);
  if (m) challenge.params[m[1]!.toLowerCase()] = m[2]!.replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
}

/** The challenges of one or several WWW-Authenticate / Proxy-Authenticate values (none for undefined or null). */
export function parseAuthenticateHeaders(values: string | readonly string[] | undefined | null): AuthChallenge[] {
  if (values === undefined || values === null) return [];
  if (typeof values !== 'string' && !Array.isArray(values)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'authenticate headers must be a string or an array of strings');
  }
  const lines = typeof values === 'string' ? [values] : values;
  const challenges: AuthChallenge[] = [];
  for (const line of lines) {
    for (const item of splitOutsideQuotes(String(line))) {
      const space = item.search(/\s/);
      const last = challenges[challenges.length - 1];
      if (space < 0) {
        // `name=value` continues the previous challenge; a bare word is a scheme without parameters.
        if (last && PARAM.test(item)) addParam(last, item);
        else challenges.push({ scheme: item, params: {} });
        continue;
      }
      const challenge: AuthChallenge = { scheme: item.slice(0, space), params: {} };
      const rest = item.slice(space).trim();
      if (TOKEN68.test(rest)) challenge.token = rest;
      else addParam(challenge, rest);
      challenges.push(challenge);
    }
  }
  return challenges;
}

/** The HTTP scheme NTLM tokens go under: `NTLM`, or raw NTLM under `Negotiate`. */
export type NtlmScheme = 'NTLM' | 'Negotiate';

/** What `selectNtlmOffer` found in a server's challenges. */
export type NtlmOffer =
  /** The server offers NTLM (bare, or with a CHALLENGE token). */
  | { kind: 'ntlm'; scheme: NtlmScheme; token?: Uint8Array }
  /** Only Negotiate, with a token that is not NTLM (Kerberos/SPNEGO): we cannot answer it. */
  | { kind: 'not-ntlm'; scheme: 'Negotiate' }
  /** Neither NTLM nor Negotiate. */
  | { kind: 'none' };

/**
 * What the server offers, from our point of view: NTLM is preferred when both are offered;
 * raw NTLM is sent under Negotiate when only that is offered; Nego2 and others are ignored.
 */
export function selectNtlmOffer(challenges: AuthChallenge[]): NtlmOffer {
  const find = (name: string) => challenges.find((c) => c.scheme.toLowerCase() === name);
  for (const [name, scheme] of [
    ['ntlm', 'NTLM'],
    ['negotiate', 'Negotiate'],
  ] as const) {
    const c = find(name);
    if (!c) continue;
    if (!c.token) return { kind: 'ntlm', scheme };
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(c.token);
    } catch {
      if (scheme === 'Negotiate') return { kind: 'not-ntlm', scheme };
      continue;
    }
    if (hasNtlmSignature(bytes)) return { kind: 'ntlm', scheme, token: bytes };
    if (scheme === 'Negotiate') return { kind: 'not-ntlm', scheme };
  }
  return { kind: 'none' };
}
