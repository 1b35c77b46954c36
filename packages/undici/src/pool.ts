// Per-origin pool of pinned connections: one single-socket undici Client per slot, so that
// NEGOTIATE and AUTHENTICATE share a socket and the socket stays authenticated for later requests.
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { buildConnector, Client } from 'undici';
import { ConnectionAuth, SlotPool } from '@ntlmkit/core/http';

export interface SlotOptions {
  /** TLS and socket options for the connector (ca, rejectUnauthorized, cert, key, servername, …). */
  connect?: buildConnector.BuildOptions;
  keepAliveTimeout?: number;
  /** Where the Client connects when that is not the request origin (a forward proxy). */
  clientOrigin?: string;
  /** Opens the socket itself (a CONNECT tunnel through a proxy); TLS to the origin is added on top. */
  tunnel?: () => Promise<Socket>;
}

export class Slot {
  // One undici Client with pipelining 1: a single socket at a time.
  client: Client;
  readonly auth = new ConnectionAuth();
  /** The forward proxy's authentication of this connection (plain HTTP through a proxy). */
  readonly proxyAuth = new ConnectionAuth();
  peerCertificate: PeerCertificate | undefined;
  busy = false;
  /** Counts the sockets this slot has opened: a change means a new, unauthenticated connection. */
  generation = 0;

  constructor(private readonly origin: string, private readonly options: SlotOptions) {
    this.client = this.newClient();
  }

  private newClient(): Client {
    // http/1.1 only: NTLM authenticates a connection, which HTTP/2 multiplexing breaks.
    const connector = this.options.tunnel ? this.tunnelConnector(this.options.tunnel) : buildConnector({ ...this.options.connect, allowH2: false } as buildConnector.BuildOptions);
    const client = new Client(this.options.clientOrigin ?? this.origin, {
      pipelining: 1,
      allowH2: false,
      // The AUTHENTICATE follows the CHALLENGE at once; a 1 s margin keeps short server keep-alives usable.
      keepAliveTimeoutThreshold: 1000,
      ...(this.options.keepAliveTimeout !== undefined ? { keepAliveTimeout: this.options.keepAliveTimeout } : {}),
      connect: (opts, callback) =>
        connector(opts, (error, socket) => {
          if (!error) this.generation++;
          if (!error && socket && typeof (socket as TLSSocket).getPeerCertificate === 'function') {
            this.peerCertificate = (socket as TLSSocket).getPeerCertificate();
          }
          callback(error, socket as never);
        }),
    });
    // A socket that closes takes its authentication with it.
    client.on('disconnect', () => {
      this.auth.reset();
      this.proxyAuth.reset();
      this.peerCertificate = undefined;
    });
    return client;
  }

  /** A connector that opens the tunnel, then TLS to the origin inside it (http: origins use it bare). */
  private tunnelConnector(open: () => Promise<Socket>): buildConnector.connector {
    const tlsOptions = this.options.connect ?? {};
    return (opts, callback) => {
      open().then(
        (raw) => {
          if (opts.protocol !== 'https:') return callback(null, raw);
          const servername = (tlsOptions as { servername?: string }).servername ?? (isIP(opts.hostname) ? undefined : opts.hostname);
          const secure = tlsConnect({ ...(tlsOptions as object), socket: raw, servername, ALPNProtocols: ['http/1.1'] });
          secure.once('secureConnect', () => {
            secure.off('error', fail);
            callback(null, secure);
          });
          const fail = (error: Error) => callback(error, null);
          secure.once('error', fail);
        },
        (error: Error) => callback(error, null),
      );
    };
  }

  /** Replaces the connection: the next leg opens a new socket. */
  async reconnect(): Promise<void> {
    this.auth.reset();
    this.proxyAuth.reset();
    this.peerCertificate = undefined;
    const old = this.client;
    this.client = this.newClient();
    await old.destroy().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  destroy(error?: Error): Promise<void> {
    return this.client.destroy(error ?? null);
  }
}

export class OriginPool extends SlotPool<Slot> {
  constructor(origin: string, max: number, options: SlotOptions) {
    super(max, () => new Slot(origin, options));
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }

  async destroy(error?: Error): Promise<void> {
    await Promise.all(this.slots.map((s) => s.destroy(error)));
  }
}
