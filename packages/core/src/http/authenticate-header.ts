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

// RFC 9110 11.6.1 and 11.2, and 5.6.4:
//   WWW-Authenticate = #challenge               (5.6.1: empty list elements are allowed and ignored)
//   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param       = token BWS "=" BWS ( token / quoted-string )
//   token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//   quoted-string    = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//   quoted-pair      = "\" ( HTAB / SP / VCHAR / obs-text )
// Commas separate both challenges and auth-params: after a comma, `token BWS "="` continues the current
// challenge, anything else starts the next one. Quoted strings are read whole, with quoted-pairs, wherever
// they are. What does not fit the grammar is skipped up to the next comma outside a quoted string (never
// an exception: servers send all sorts of things), so one malformed challenge does not hide the others.

const TAB = 0x09;
const SP = 0x20;
const DQUOTE = 0x22;
const COMMA = 0x2c;
const EQ = 0x3d;
const BACKSLASH = 0x5c;

/** tchar (RFC 9110 5.6.2): ALPHA, DIGIT and !#$%&'*+-.^_`|~ */
function isTchar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  return c < 0x80 && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

/** token68's characters before its trailing "=": ALPHA, DIGIT and -._~+/ */
function isToken68Char(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  return c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x2b || c === 0x2f;
}

const isOws = (c: number) => c === SP || c === TAB;

function skipOws(s: string, i: number): number {
  while (i < s.length && isOws(s.charCodeAt(i))) i++;
  return i;
}

function tokenEnd(s: string, i: number): number {
  while (i < s.length && isTchar(s.charCodeAt(i))) i++;
  return i;
}

/** A quoted-string starting at `i` (a DQUOTE): its value with quoted-pairs resolved, and where it ends. */
function quotedString(s: string, i: number): { value: string; end: number } {
  let value = '';
  let from = i + 1;
  for (let k = from; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === BACKSLASH) {
      value += s.slice(from, k);
      from = k + 1; // the escaped character is kept, whatever it is (a quote, a backslash)
      k++;
    } else if (c === DQUOTE) {
      return { value: value + s.slice(from, k), end: k + 1 };
    }
  }
  return { value: value + s.slice(Math.min(from, s.length)), end: s.length }; // unterminated: to the end
}

/** Past what does not fit the grammar: to the next comma outside a quoted string, or the end. */
function skipToComma(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === COMMA) return i;
    i = c === DQUOTE ? quotedString(s, i).end : i + 1;
  }
  return i;
}

/** Whether an auth-param starts at `i`: `token BWS "="`. */
function paramStarts(s: string, i: number): boolean {
  const end = tokenEnd(s, i);
  return end > i && s.charCodeAt(skipOws(s, end)) === EQ;
}

/**
 * The auth-param at `i` (where paramStarts): its value is a quoted-string, or a token (read leniently: up to
 * whitespace or a comma, as some servers send unquoted values with other characters).
 */
function authParam(s: string, i: number): { name: string; value: string; end: number } {
  const nameEnd = tokenEnd(s, i);
  const name = s.slice(i, nameEnd).toLowerCase();
  const at = skipOws(s, skipOws(s, nameEnd) + 1);
  if (s.charCodeAt(at) === DQUOTE) return { name, ...quotedString(s, at) };
  let end = at;
  while (end < s.length) {
    const c = s.charCodeAt(end);
    if (c === COMMA || isOws(c) || c === DQUOTE) break;
    end++;
  }
  return { name, value: s.slice(at, end), end };
}

/** The end of a token68 at `i` when one is there and is all there is up to the next comma; else -1. */
function token68End(s: string, i: number): number {
  let end = i;
  while (end < s.length && isToken68Char(s.charCodeAt(end))) end++;
  if (end === i) return -1;
  while (end < s.length && s.charCodeAt(end) === EQ) end++;
  const next = skipOws(s, end);
  return next >= s.length || s.charCodeAt(next) === COMMA ? end : -1;
}

/** The auth-params of `challenge` from `i`, up to the comma before the next challenge (or the end). */
function readParams(s: string, i: number, challenge: AuthChallenge): number {
  for (;;) {
    if (paramStarts(s, i)) {
      const param = authParam(s, i);
      challenge.params[param.name] = param.value;
      i = skipOws(s, param.end);
    }
    if (i < s.length && s.charCodeAt(i) !== COMMA) i = skipToComma(s, i); // not an auth-param: skipped
    if (i >= s.length) return i;
    // At a comma: past empty list elements, an auth-param continues this challenge; anything else is the next.
    let next = i;
    while (next < s.length && (s.charCodeAt(next) === COMMA || isOws(s.charCodeAt(next)))) next++;
    if (next >= s.length || !paramStarts(s, next)) return i;
    i = next;
  }
}

/** The challenges of one header field value, appended to `out`. */
function parseLine(s: string, out: AuthChallenge[]): void {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === COMMA || isOws(c)) {
      i++; // list separators and empty list elements
      continue;
    }
    const schemeEnd = tokenEnd(s, i);
    if (schemeEnd === i) {
      i = skipToComma(s, i); // not a challenge: skipped
      continue;
    }
    const challenge: AuthChallenge = { scheme: s.slice(i, schemeEnd), params: {} };
    out.push(challenge);
    const at = skipOws(s, schemeEnd);
    if (at >= s.length || s.charCodeAt(at) === COMMA) {
      i = at;
      continue;
    }
    if (at === schemeEnd) {
      i = skipToComma(s, at); // something stuck to the scheme without the SP the grammar asks for
      continue;
    }
    const t68 = token68End(s, at);
    if (t68 >= 0) {
      challenge.token = s.slice(at, t68);
      i = t68;
      continue;
    }
    i = readParams(s, at, challenge);
  }
}

/** The challenges of one or several WWW-Authenticate / Proxy-Authenticate values (none for undefined or null). */
export function parseAuthenticateHeaders(values: string | readonly string[] | undefined | null): AuthChallenge[] {
  if (values === undefined || values === null) return [];
  if (typeof values !== 'string' && !Array.isArray(values)) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'authenticate headers must be a string or an array of strings');
  }
  const lines = typeof values === 'string' ? [values] : values;
  const challenges: AuthChallenge[] = [];
  for (const line of lines) parseLine(String(line), challenges);
  return challenges;
}

/** The HTTP scheme NTLM tokens go under: `NTLM`, or raw NTLM under `Negotiate`. */
export type NtlmScheme = 'NTLM' | 'Negotiate';

/** What `selectNtlmOffer` found in a server's challenges. */
export type NtlmOffer =
  /** The server offers NTLM (bare, or with a CHALLENGE token). */
  | { kind: 'ntlm'; scheme: NtlmScheme; token?: Uint8Array }
  /**
   * Only Negotiate, with a token that is not raw NTLM: Kerberos, or SPNEGO (`spnegoNtlm`: a SPNEGO token that
   * names NTLMSSP, i.e. NTLM wrapped in SPNEGO, which we do not speak): we cannot answer it.
   */
  | { kind: 'not-ntlm'; scheme: 'Negotiate'; spnegoNtlm?: boolean }
  /** Neither NTLM nor Negotiate. */
  | { kind: 'none' };

/** The DER of NTLMSSP's mechanism OID, 1.3.6.1.4.1.311.2.2.10, as a SPNEGO token names it. */
const NTLMSSP_OID = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];

function namesNtlmssp(bytes: Uint8Array): boolean {
  outer: for (let i = 0; i + NTLMSSP_OID.length <= bytes.length; i++) {
    for (let j = 0; j < NTLMSSP_OID.length; j++) if (bytes[i + j] !== NTLMSSP_OID[j]) continue outer;
    return true;
  }
  return false;
}

function decodeToken(token: string): Uint8Array | undefined {
  try {
    return fromBase64(token);
  } catch {
    return undefined;
  }
}

/**
 * What the server offers, from our point of view: a CHALLENGE token is taken under whichever scheme carries it
 * (RFC 9110 11.6.1: a field may hold several challenges; `Negotiate <CHALLENGE>` beside a bare `NTLM` is the
 * answer to a handshake under Negotiate); else NTLM is preferred when both are offered, and raw NTLM is sent
 * under Negotiate when only that is offered; Nego2 and others are ignored.
 */
export function selectNtlmOffer(challenges: AuthChallenge[]): NtlmOffer {
  const ours = challenges.filter((c) => {
    const name = c.scheme.toLowerCase();
    return name === 'ntlm' || name === 'negotiate';
  });
  const schemeOf = (c: AuthChallenge): NtlmScheme => (c.scheme.toLowerCase() === 'ntlm' ? 'NTLM' : 'Negotiate');
  let foreign: { spnegoNtlm: boolean } | undefined;
  // A token that is an NTLM message, NTLM's scheme first.
  for (const name of ['NTLM', 'Negotiate'] as const) {
    for (const c of ours) {
      if (schemeOf(c) !== name || !c.token) continue;
      const bytes = decodeToken(c.token);
      if (bytes && hasNtlmSignature(bytes)) return { kind: 'ntlm', scheme: name, token: bytes };
      if (name === 'Negotiate') foreign ??= { spnegoNtlm: bytes !== undefined && namesNtlmssp(bytes) };
    }
  }
  // An offer without a token.
  for (const name of ['NTLM', 'Negotiate'] as const) {
    if (ours.some((c) => schemeOf(c) === name && !c.token)) return { kind: 'ntlm', scheme: name };
  }
  if (foreign) return { kind: 'not-ntlm', scheme: 'Negotiate', ...(foreign.spnegoNtlm ? { spnegoNtlm: true } : {}) };
  return { kind: 'none' };
}
