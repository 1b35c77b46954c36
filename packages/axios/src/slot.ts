// A pinned connection for axios: an agentkeepalive agent with one socket, so that NEGOTIATE and
// AUTHENTICATE share it and it stays authenticated; idle sockets close before the server drops them.
import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import AgentKeepAlive, { HttpsAgent as HttpsAgentKeepAlive } from 'agentkeepalive';
import { ConnectionAuth, SlotPool, type PinnedConnection } from '@ntlmkit/core/http';

export interface SlotAgentOptions {
  https: boolean;
  /** Opens a CONNECT tunnel through a proxy; TLS to the origin runs inside it. */
  tunnel?: () => Promise<Socket>;
  /** TLS options taken from the caller's httpsAgent (ca, rejectUnauthorized, cert, key, …). */
  tls: Record<string, unknown>;
  freeSocketTimeout: number;
}

// TLS settings worth carrying over from the caller's https.Agent.
const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'minVersion', 'maxVersion', 'crl', 'checkServerIdentity', 'secureOptions', 'sigalgs', 'ecdhCurve'];

export function tlsOptionsOf(agent: unknown): Record<string, unknown> {
  const options = (agent as { options?: Record<string, unknown> } | undefined)?.options ?? {};
  return Object.fromEntries(TLS_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}

export class AxiosSlot implements PinnedConnection {
  readonly auth = new ConnectionAuth();
  busy = false;
  readonly agent: AgentKeepAlive;
  socket: Socket | undefined;
  /** Sockets opened so far: a change means a new, unauthenticated connection. */
  generation = 0;
  peerCertificate: PeerCertificate | undefined;

  constructor(options: SlotAgentOptions) {
    const slot = this;
    const base = options.https ? HttpsAgentKeepAlive : AgentKeepAlive;
    const tunnel = options.tunnel;
    const Pinned = class extends (base as typeof AgentKeepAlive) {
      override createConnection(opts: Parameters<AgentKeepAlive['createConnection']>[0], callback?: Function): Socket {
        if (!tunnel) {
          const socket = super.createConnection(opts, callback);
          slot.adopt(socket);
          return socket;
        }
        // Through a proxy: the tunnel first (its 407 handshake included), then TLS to the origin on it.
        // Returning nothing tells the agent the socket comes later, through `callback` (called once).
        let called = false;
        const once = (error: Error | null, socket?: Socket) => {
          if (called) return;
          called = true;
          callback?.(error, socket);
        };
        tunnel().then(
          (raw) => {
            const socket = super.createConnection({ ...opts, socket: raw } as unknown as typeof opts, once);
            slot.adopt(socket);
            once(null, socket);
          },
          (error: Error) => once(error),
        );
        return undefined as unknown as Socket;
      }
    };
    this.agent = new Pinned({
      keepAlive: true,
      maxSockets: 1,
      maxFreeSockets: 1,
      freeSocketTimeout: options.freeSocketTimeout,
      // axios's own `timeout` bounds requests; no inactivity timeout on working sockets.
      timeout: 0,
      ...(options.https ? { ...options.tls, ALPNProtocols: ['http/1.1'] } : {}),
    } as AgentKeepAlive.HttpOptions);
  }

  private adopt(socket: Socket): void {
    // A new socket: the exchange notices it through `generation`; its certificate comes with the handshake.
    this.generation++;
    this.socket = socket;
    this.peerCertificate = undefined;
    const tls = socket as TLSSocket;
    if (typeof tls.getPeerCertificate === 'function') {
      socket.once('secureConnect', () => {
        if (this.socket === socket) this.peerCertificate = tls.getPeerCertificate();
      });
    }
    // A socket that closes takes its authentication with it.
    socket.once('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.auth.reset();
      this.proxyAuth.reset();
      this.peerCertificate = undefined;
    });
  }

  /** The forward proxy's authentication of this connection (plain HTTP through a proxy). */
  readonly proxyAuth = new ConnectionAuth();

  /** Drops the current socket: the next leg opens a new one. */
  reconnect(): void {
    this.auth.reset();
    this.proxyAuth.reset();
    this.socket?.destroy();
    this.socket = undefined;
  }

  destroy(): void {
    this.agent.destroy();
  }
}

export class AxiosOriginPool extends SlotPool<AxiosSlot> {
  /** TLS options for new sockets, from the caller's httpsAgent at request time. */
  tls: Record<string, unknown> = {};

  constructor(max: number, options: Omit<SlotAgentOptions, 'tls'>) {
    super(max, () => new AxiosSlot({ ...options, tls: this.tls }));
  }

  destroy(): void {
    for (const slot of this.slots) slot.destroy();
  }
}
