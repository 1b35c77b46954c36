// What a pinned connection has proven: which credentials authenticated it, on which socket. NTLM
// authenticates a TCP connection, so the record is tied to the socket's generation: a new socket behind
// the same pinned connection is unauthenticated without anyone having to reset anything.
import type { AuthenticateSummary } from '../context.js';
import type { NtlmScheme } from './authenticate-header.js';

/** What a pinned connection has proven: the credential set that authenticated it, tied to the socket's generation. */
export class ConnectionAuth {
  #key: string | undefined;
  #generation = -1;
  #scheme: NtlmScheme | undefined;
  #summary: AuthenticateSummary | undefined;

  /** The socket `generation` is now authenticated for the credential set `key`. */
  authenticated(key: string, generation: number, scheme: NtlmScheme, summary?: AuthenticateSummary): void {
    this.#key = key;
    this.#generation = generation;
    this.#scheme = scheme;
    this.#summary = summary;
  }

  /** The server asked again, or refused: the connection holds no authentication any more. */
  clear(): void {
    this.#key = undefined;
    this.#generation = -1;
  }

  /** Whether the socket `generation` is authenticated for the credential set `key`. */
  isAuthenticatedFor(key: string, generation: number): boolean {
    return this.#key === key && this.#generation === generation;
  }

  /** Authenticated on this socket, for any credential set. */
  isAuthenticated(generation: number): boolean {
    return this.#key !== undefined && this.#generation === generation;
  }

  /** The credential set of the authenticated socket `generation`, if it is authenticated. */
  keyFor(generation: number): string | undefined {
    return this.#generation === generation ? this.#key : undefined;
  }

  /** The scheme of the last authentication recorded (`NTLM` or `Negotiate`). */
  get scheme(): NtlmScheme | undefined {
    return this.#scheme;
  }

  /** What the AUTHENTICATE that authenticated the connection carried (no secrets). */
  get summary(): AuthenticateSummary | undefined {
    return this.#summary;
  }
}
