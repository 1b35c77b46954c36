// Sockets to an origin for the Node adapters: TCP, or TLS with the origin's identity checked exactly as
// on any connection (IP SANs for an IP literal, the name and SNI for a host name), directly or over a
// socket we opened ourselves (a CONNECT tunnel). TLS sessions are resumed across the connections to an
// origin, and each socket knows the certificate its channel is bound to: a resumed TLS 1.3 session shows
// no peer certificate of its own, so it is the one of the handshake the session came from (RFC 5929 binds
// the server's certificate, which resumption does not change).
import net from 'node:net';
import tls from 'node:tls';

/** The host as TLS checks it: without IPv6 brackets. */
export function tlsHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** SNI is sent for names only (RFC 6066 3: not for IP literals). */
export function serverName(host: string, configured?: string): string | undefined {
  if (configured !== undefined) return configured;
  return net.isIP(host) ? undefined : host;
}

/** A DER certificate, as channel bindings take it. */
export type PeerCertificate = { raw: Uint8Array };

const certificates = new WeakMap<net.Socket, PeerCertificate>();

/** The certificate a TLS socket's channel is bound to (undefined for plain TCP, or a server without one). */
export function peerCertificate(socket: net.Socket): PeerCertificate | undefined {
  const known = certificates.get(socket);
  if (known) return known;
  const tlsSocket = socket as tls.TLSSocket;
  if (typeof tlsSocket.getPeerCertificate !== 'function') return undefined;
  const cert = tlsSocket.getPeerCertificate();
  return cert && cert.raw ? { raw: cert.raw } : undefined;
}

interface Session {
  ticket: Buffer;
  certificate: PeerCertificate;
}

/** Node's TLS connection options, and how a `Connector` connects. */
export interface ConnectOptions extends tls.ConnectionOptions {
  /** How long connecting (TCP and TLS) may take, in ms. Default 10000. */
  timeout?: number;
  /** TCP keep-alive probes after this much idle time (ms). Default 60000. */
  keepAliveInitialDelay?: number;
  /** TLS sessions kept for resumption. Default 100. */
  maxCachedSessions?: number;
}

/** Where a `Connector` connects. */
export interface Target {
  /** `https:` for TLS; anything else is plain TCP. */
  protocol: string;
  /** Host name or IP literal (brackets allowed). */
  hostname: string;
  /** The TCP port. */
  port: number;
}

/** The error an aborted connect fails with: the signal's reason when it is an Error, else an AbortError. */
export function abortReason(signal: AbortSignal, what = 'the connect'): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error(`${what} was aborted`), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Connects to the origins of one client, with their TLS sessions. */
export class Connector {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly options: ConnectOptions = {}) {}

  /**
   * A socket to `target`; over `through` (a tunnel) when given. TLS for https:, ALPN http/1.1 only. `signal`
   * ends a connect in progress: the socket (`through` too) is destroyed and the promise rejects with its reason.
   */
  connect(target: Target, through?: net.Socket, signal?: AbortSignal): Promise<net.Socket> {
    const { timeout = 10_000, keepAliveInitialDelay = 60_000, maxCachedSessions: _m, ...tlsOptions } = this.options;
    const host = target.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        through?.destroy();
        reject(abortReason(signal));
        return;
      }
      let socket: net.Socket;
      let session: Session | undefined;
      let key = '';
      if (target.protocol === 'https:') {
        const servername = serverName(host, tlsOptions.servername);
        key = servername ?? host;
        session = this.#sessions.get(key);
        const secure = tls.connect({
          ...tlsOptions,
          host,
          port: target.port,
          servername,
          ALPNProtocols: ['http/1.1'],
          ...(through ? { socket: through } : {}),
          ...(session ? { session: session.ticket } : {}),
        } as tls.ConnectionOptions);
        // Sessions may come during the handshake (TLS 1.2) or after it (TLS 1.3): listen from the start.
        secure.on('session', (ticket: Buffer) => {
          const certificate = this.#certificateOf(secure, session);
          if (certificate) this.#keep(key, { ticket, certificate });
        });
        socket = secure;
      } else {
        if (through) {
          resolve(through);
          return;
        }
        socket = net.connect({ host, port: target.port });
      }
      socket.setNoDelay(true);
      socket.setKeepAlive(true, keepAliveInitialDelay);
      const timer = setTimeout(
        () =>
          socket.destroy(
            Object.assign(new Error(`connect timeout (${timeout} ms) to ${host}:${target.port}`), {
              code: 'UND_ERR_CONNECT_TIMEOUT',
            }),
          ),
        timeout,
      );
      const onAbort = () => fail(abortReason(signal!));
      const fail = (error: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', fail);
        if (target.protocol === 'https:') {
          const certificate = this.#certificateOf(socket as tls.TLSSocket, session);
          if (certificate) certificates.set(socket, certificate);
        }
        resolve(socket);
      });
    });
  }

  #certificateOf(socket: tls.TLSSocket, offered: Session | undefined): PeerCertificate | undefined {
    const known = certificates.get(socket);
    if (known) return known;
    if (socket.isSessionReused() && offered) return offered.certificate;
    const cert = socket.getPeerCertificate();
    return cert && cert.raw ? { raw: cert.raw } : undefined;
  }

  #keep(key: string, session: Session): void {
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    const max = this.options.maxCachedSessions ?? 100;
    while (this.#sessions.size > max) this.#sessions.delete(this.#sessions.keys().next().value!);
  }
}
