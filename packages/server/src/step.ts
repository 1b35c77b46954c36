// One step of the server side of the HTTP handshake, for an origin (Authorization) or a proxy
// (Proxy-Authorization): what the header carried and what the acceptor made of it.
import { fromBase64, messageType } from '@ntlmkit/core/internal';
import type { AuthOutcome, NtlmAcceptor } from './acceptor.js';

export type Step =
  /** No NTLM credentials in the header. */
  | { kind: 'none' }
  /** A NEGOTIATE: answer with this CHALLENGE under the client's scheme. */
  | { kind: 'challenge'; scheme: 'NTLM' | 'Negotiate'; token: Uint8Array }
  | { kind: 'authenticated'; outcome: AuthOutcome }
  /** A malformed token, an unsupported one, or a failed verification. */
  | { kind: 'refused'; outcome: AuthOutcome };

function refused(acceptor: NtlmAcceptor, reason: string): Step {
  return {
    kind: 'refused',
    outcome: { ok: false, mic: false, channelBinding: 'absent', reading: acceptor.reading, reason },
  };
}

export function ntlmStep(acceptor: NtlmAcceptor, header: string | undefined, alwaysRefuse = false): Step {
  const m = header ? /^\s*(NTLM|Negotiate)\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) return { kind: 'none' };
  const scheme = m[1]!.toLowerCase() === 'ntlm' ? 'NTLM' : 'Negotiate';
  let bytes: Uint8Array;
  let type: number;
  try {
    bytes = fromBase64(m[2]!);
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
    if (alwaysRefuse) return refused(acceptor, 'server refuses every AUTHENTICATE (alwaysRefuse)');
    const outcome = acceptor.authenticate(bytes);
    return outcome.ok ? { kind: 'authenticated', outcome } : { kind: 'refused', outcome };
  }
  return refused(acceptor, `unexpected NTLM message type ${type}`);
}
