// TLS to an origin over a socket we opened ourselves (a CONNECT tunnel): the origin's identity is checked
// exactly as on a direct connection — IP SANs for an IP literal, the name (and SNI) for a host name.
import { isIP, type Socket } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** The host as TLS checks it: without IPv6 brackets. */
export function tlsHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** SNI is sent for names only (RFC 6066 3: not for IP literals). */
export function serverName(host: string, configured?: string): string | undefined {
  if (configured !== undefined) return configured;
  return isIP(host) ? undefined : host;
}

/** Starts TLS to `target` over `socket`; resolves once the handshake (and the identity check) succeeded. */
export function secureOver(socket: Socket, target: URL, options: ConnectionOptions = {}): Promise<TLSSocket> {
  const host = tlsHost(target);
  return new Promise((resolve, reject) => {
    const secure = connect({
      ...options,
      socket,
      host,
      servername: serverName(host, options.servername),
      ALPNProtocols: ['http/1.1'],
    });
    const fail = (error: Error) => {
      secure.destroy();
      reject(error);
    };
    secure.once('secureConnect', () => {
      secure.off('error', fail);
      resolve(secure);
    });
    secure.once('error', fail);
  });
}

/** The DER of a TLS socket's peer certificate, if it presented one in this handshake. */
function presented(socket: TLSSocket): Uint8Array | undefined {
  const raw = socket.getPeerCertificate()?.raw;
  return raw && raw.length ? raw : undefined;
}

interface Session {
  session: Buffer;
  /** The certificate of the full handshake this session (or the one it resumed) came from. */
  certificate: Uint8Array;
}

/**
 * TLS sessions of one origin (and TLS configuration), for resumption across its connections. A resumed
 * session presents no certificate (`getPeerCertificate()` is empty), yet the channel binding of its
 * connection is that of the certificate the session was established with (RFC 5929 4.1, tls-server-end-point):
 * each session is kept with that certificate.
 */
export class TlsSessions {
  #latest: Session | undefined;

  /**
   * Connects with `options`, offering the latest session. `certificate()` gives the DER of the server's
   * certificate once the handshake is done (also for a resumed session); undefined before.
   */
  connect(options: ConnectionOptions): { socket: TLSSocket; certificate: () => Uint8Array | undefined } {
    const offered = this.#latest;
    const socket = connect(offered ? { ...options, session: offered.session } : options);
    let known: Uint8Array | undefined;
    const certificate = () => (known ??= socket.isSessionReused() ? offered?.certificate : presented(socket));
    socket.on('session', (session: Buffer) => {
      const cert = certificate();
      if (cert) this.#latest = { session, certificate: cert };
    });
    // As Node's https.Agent does: a connection that failed takes its session with it.
    socket.once('close', (failed: boolean) => {
      if (failed && offered && this.#latest === offered) this.#latest = undefined;
    });
    return { socket, certificate };
  }
}
