// Per-connection NTLM state: unauthenticated → negotiating → authenticated, for one credential set.
import { buildAuthenticateMessage, type Dialect, type LmCompatibilityLevel } from '../client.js';
import { toBase64 } from '../bytes.js';
import type { CertificateInput } from '../channel-binding.js';
import { preparedFor, type Credentials, type PreparedCredentials } from '../credentials.js';
import { NtlmError } from '../errors.js';
import { createNegotiateMessage } from '../messages/negotiate.js';
import type { NtlmScheme } from './authenticate-header.js';

export type ConnectionState = 'unauthenticated' | 'negotiating' | 'authenticated';

export interface AuthenticateContext {
  /** The TLS peer certificate of this connection (EPA). */
  peerCertificate?: CertificateInput;
  spn?: string;
  lmCompatibilityLevel?: LmCompatibilityLevel;
  onWarning?: (message: string) => void;
}

export class ConnectionAuth {
  state: ConnectionState = 'unauthenticated';
  /** The credential set this connection is (being) authenticated for. */
  credentialKey: string | undefined;
  scheme: NtlmScheme | undefined;
  /** Dialect, MIC and binding of the last AUTHENTICATE, for debugging. */
  last: { dialect: Dialect; mic: boolean; channelBinding: boolean } | undefined;
  private negotiate: Uint8Array | undefined;

  /** The header value carrying a fresh NEGOTIATE. */
  negotiateHeader(scheme: NtlmScheme, key: string): string {
    this.negotiate = createNegotiateMessage();
    this.state = 'negotiating';
    this.credentialKey = key;
    this.scheme = scheme;
    return `${scheme} ${toBase64(this.negotiate)}`;
  }

  /** The header value carrying the AUTHENTICATE for `challenge`. */
  authenticateHeader(challenge: Uint8Array, credentials: Credentials | PreparedCredentials, context: AuthenticateContext): string {
    if (this.state !== 'negotiating' || !this.negotiate) {
      throw new NtlmError('ERR_NTLM_WRONG_STATE', 'a CHALLENGE arrived on a connection that sent no NEGOTIATE');
    }
    const result = buildAuthenticateMessage({
      credentials: preparedFor(credentials),
      negotiate: this.negotiate,
      challenge,
      ...(context.spn ? { spn: context.spn } : {}),
      ...(context.peerCertificate ? { serverCertificate: context.peerCertificate } : {}),
      ...(context.lmCompatibilityLevel !== undefined ? { lmCompatibilityLevel: context.lmCompatibilityLevel } : {}),
      ...(context.onWarning ? { onWarning: context.onWarning } : {}),
    });
    this.last = { dialect: result.dialect, mic: result.mic !== undefined, channelBinding: result.channelBinding !== undefined };
    this.negotiate = undefined;
    return `${this.scheme} ${toBase64(result.message)}`;
  }

  authenticated(): void {
    this.state = 'authenticated';
  }

  /** The connection closed or the server asked again: it holds no authentication any more. */
  reset(): void {
    this.state = 'unauthenticated';
    this.negotiate = undefined;
  }

  isAuthenticatedFor(key: string): boolean {
    return this.state === 'authenticated' && this.credentialKey === key;
  }
}
