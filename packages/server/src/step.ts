// One step of the server side of the HTTP handshake, for an origin (Authorization) or a proxy
// (Proxy-Authorization): what the header carried and what the acceptor made of it.
import { fromBase64, messageType, toBase64 } from '@ntlmkit/core/internal';
import type { AuthOutcome, NtlmAcceptor } from './acceptor.js';

export type Scheme = 'NTLM' | 'Negotiate';

export type Step =
  /** No credentials header at all. */
  | { kind: 'none' }
  /** A NEGOTIATE: answer with this CHALLENGE under the client's scheme. */
  | { kind: 'challenge'; scheme: Scheme; token: Uint8Array }
  | { kind: 'authenticated'; outcome: AuthOutcome }
  /** Credentials not a well-formed token of an offered scheme, an unsupported token, or a failed verification. */
  | { kind: 'refused'; outcome: AuthOutcome };

/** What a step is checked against besides the acceptor. */
export interface StepContext {
  /** The schemes the server offers (`NTLM`, `Negotiate`). */
  offered: ReadonlySet<Scheme>;
  /** The scheme the pending handshake started under (its NEGOTIATE's), if one is pending. */
  handshakeScheme?: Scheme;
  /** Refuse every AUTHENTICATE. */
  alwaysRefuse?: boolean;
}

function refused(acceptor: NtlmAcceptor, reason: string): Step {
  return {
    kind: 'refused',
    outcome: { ok: false, mic: false, channelBinding: 'absent', reading: acceptor.reading, reason },
  };
}

// RFC 9110 11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]; an NTLM token is a token68
// in base64's alphabet (RFC 4559 uses base64, RFC 4648 4: padded, canonical).
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;
const TOKEN68 = /^[A-Za-z0-9+/]+=*$/;

/** The schemes an offer list names (`['Negotiate', 'NTLM']`, `['Negotiate, NTLM']`). */
export function offeredSchemes(offers: readonly string[]): Set<Scheme> {
  const out = new Set<Scheme>();
  for (const name of offers.flatMap((o) => o.split(',')).map((s) => s.trim().toLowerCase())) {
    if (name === 'ntlm') out.add('NTLM');
    else if (name === 'negotiate') out.add('Negotiate');
  }
  return out;
}

/** A scheme name as it may be shown (credentials themselves never are: a Basic header carries a password). */
const printable = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * Any credentials header present is read: RFC 9110 15.5.2, a 401 after credentials "indicates that
 * authorization has been refused for those credentials", so credentials this server cannot read are refused
 * (with a reason), never taken for no credentials.
 */
export function ntlmStep(acceptor: NtlmAcceptor, header: string | undefined, context: StepContext): Step {
  if (header === undefined) return { kind: 'none' };
  const m = CREDENTIALS.exec(header.trim());
  if (!m) return refused(acceptor, `malformed credentials header (${header.length} characters)`);
  const name = m[1]!.toLowerCase();
  const scheme: Scheme | undefined = name === 'ntlm' ? 'NTLM' : name === 'negotiate' ? 'Negotiate' : undefined;
  if (!scheme || !context.offered.has(scheme)) {
    return refused(
      acceptor,
      `scheme ${printable(m[1]!)} is not offered here (offered: ${[...context.offered].join(', ')})`,
    );
  }
  const text = m[2];
  if (text === undefined || text === '') return refused(acceptor, `${scheme} credentials without a token`);
  if (!TOKEN68.test(text))
    return refused(acceptor, `malformed token: not a single base64 token68 (${text.length} characters)`);
  let bytes: Uint8Array;
  let type: number;
  try {
    bytes = fromBase64(text);
    if (toBase64(bytes) !== text) {
      return refused(acceptor, 'malformed token: not canonical base64 (padding or trailing bits, RFC 4648 3.5)');
    }
    if (bytes[0] === 0x60 || bytes[0] === 0xa1)
      return refused(acceptor, 'SPNEGO-wrapped tokens are not supported: send raw NTLM');
    type = messageType(bytes);
  } catch (error) {
    return refused(acceptor, `malformed token: ${(error as Error).message}`);
  }
  if (type === 1) {
    try {
      return { kind: 'challenge', scheme, token: acceptor.challenge(bytes) };
    } catch (error) {
      return refused(acceptor, `malformed NEGOTIATE: ${(error as Error).message}`);
    }
  }
  if (type === 3) {
    if (acceptor.negotiating && context.handshakeScheme && context.handshakeScheme !== scheme) {
      acceptor.abandon(); // the CHALLENGE was answered, under the wrong scheme: it is not answered again
      return refused(
        acceptor,
        `AUTHENTICATE under ${scheme}, but the handshake started under ${context.handshakeScheme}`,
      );
    }
    if (context.alwaysRefuse) return refused(acceptor, 'server refuses every AUTHENTICATE (alwaysRefuse)');
    const outcome = acceptor.authenticate(bytes);
    return outcome.ok ? { kind: 'authenticated', outcome } : { kind: 'refused', outcome };
  }
  return refused(acceptor, `unexpected NTLM message type ${type}`);
}
