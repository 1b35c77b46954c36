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
