// A pinned connection for axios: an http(s).Agent with one socket, so that the legs of a handshake go
// on the socket that got the CHALLENGE and it stays authenticated. Each socket it opens is a new
// generation; the agent tells the request's driver when a leg gets its socket (before a byte is written)
// and when its response head arrives.
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { NtlmError } from '@ntlmkit/core';
import { PinnedSlot } from '@ntlmkit/core/http';
import type { TlsSessions } from '@ntlmkit/core/node';

/** What the driver of the request on a slot hears from its agent. */
export interface LegListener {
  /** The leg has its socket; nothing is written before this returns (it may destroy `req` instead). */
  onSocket(req: ClientRequest): void;
  /** The leg's final response head. */
  onResponse(res: IncomingMessage, req: ClientRequest): void;
}

export interface SlotOptions {
  /** The agent speaks TLS: to the origin, or to an https: forward proxy. */
  tls: boolean;
  /** The TLS is the origin's, so its certificate feeds the channel binding (false through a forward proxy). */
  binds: boolean;
  /** TLS options of the connection (from the caller's httpsAgent, or the proxy's `tls`). */
  tlsOptions: ConnectionOptions;
  /** TLS sessions shared by the slots of one pool (direct TLS only). */
  sessions?: TlsSessions;
  /** A CONNECT tunnel with TLS to the origin inside; replaces the agent's own connection. */
  tunnel?: () => Promise<{ socket: TLSSocket; certificate: () => Uint8Array | undefined }>;
  /** How long an idle socket stays open (ms). */
  idleMs: number;
  onDisconnect(slot: AxiosSlot): void;
}

type Callback = (error: Error | null, socket?: Socket) => void;

/** The parts of Node's Agent that are not in its type declarations. */
interface AgentInternals {
  addRequest(req: ClientRequest, options: object): void;
  createConnection(options: object, callback: Callback): Socket | undefined;
  keepSocketAlive(socket: Socket): boolean;
}

function pinned(Base: typeof http.Agent) {
  return class PinnedAgent extends Base {
    constructor(readonly slot: AxiosSlot, options: https.AgentOptions) {
      super(options);
    }

    addRequest(req: ClientRequest, options: object): void {
      this.slot.watch(req);
      (Base.prototype as unknown as AgentInternals).addRequest.call(this, req, options);
    }

    override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): Socket | undefined {
      const done = (callback ?? (() => undefined)) as Callback;
      return this.slot.connect(options as ConnectionOptions, done, () =>
        (Base.prototype as unknown as AgentInternals).createConnection.call(this, options, done));
    }

    /**
     * Node's agent refuses to keep a socket whose Keep-Alive hint is 1 s or less; the legs of a handshake
     * need it for milliseconds, whatever the hint. Reuse by later requests is bounded by the pool instead.
     */
    override keepSocketAlive(socket: Socket): boolean {
      socket.setKeepAlive(true, (this as { keepAliveMsecs?: number }).keepAliveMsecs ?? 1000);
      socket.unref();
      socket.setTimeout(this.slot.idleMs);
      return true;
    }
  };
}

const HttpAgent = pinned(http.Agent);
const HttpsAgent = pinned(https.Agent as unknown as typeof http.Agent);

export class AxiosSlot extends PinnedSlot {
  readonly agent: http.Agent;
  /** The driver of the request using the slot. */
  listener: LegListener | undefined;
  readonly #o: SlotOptions;
  #socket: Socket | undefined;
  #certificate: (() => Uint8Array | undefined) | undefined;
  /** The generation whose socket finished connecting (TCP, and TLS where there is TLS). */
  #ready = -1;

  constructor(o: SlotOptions) {
    super();
    this.#o = o;
    const Agent = o.tls ? HttpsAgent : HttpAgent;
    this.agent = new Agent(this, {
      keepAlive: true,
      maxSockets: 1,
      maxFreeSockets: 1,
      ...(o.tls ? { ...o.tlsOptions, ALPNProtocols: ['http/1.1'] } : {}),
    });
  }

  get idleMs(): number {
    return this.#o.idleMs;
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  /** The socket of the current generation finished connecting: a leg written on it may have arrived. */
  get ready(): boolean {
    return this.#ready === this.generation;
  }

  peerCertificate(): { raw: Uint8Array } | undefined {
    if (!this.#o.binds) return undefined;
    const raw = this.#certificate?.();
    if (!raw) throw new NtlmError('ERR_NTLM_NO_CHANNEL_BINDING', 'the TLS peer certificate of the connection is not available for the channel binding');
    return { raw };
  }

  /** Drops the current socket: the next leg goes on a new connection. */
  dropSocket(): void {
    this.#socket?.destroy();
  }

  close(): void {
    this.agent.destroy();
  }

  /** @internal Every request on the agent: the current leg of the slot's request. */
  watch(req: ClientRequest): void {
    const listener = this.listener;
    if (!listener) return;
    req.once('socket', () => listener.onSocket(req));
    req.once('response', (res: IncomingMessage) => listener.onResponse(res, req));
  }

  /** @internal A new connection for the agent: a tunnel, a TLS connection with sessions, or the agent's own. */
  connect(options: ConnectionOptions, callback: Callback, own: () => Socket | undefined): Socket | undefined {
    const o = this.#o;
    if (o.tunnel) {
      const generation = this.#adopt(undefined, undefined);
      o.tunnel().then(
        ({ socket, certificate }) => {
          if (this.generation !== generation) socket.destroy();
          else this.#adopt(socket, certificate, generation);
          callback(null, socket);
        },
        (error: Error) => callback(error),
      );
      return undefined;
    }
    if (o.tls && o.sessions) {
      const { socket, certificate } = o.sessions.connect(options);
      this.#adopt(socket, certificate);
      socket.once('secureConnect', () => this.#readied(socket));
      return socket;
    }
    const socket = own()!;
    this.#adopt(socket, o.tls ? () => (socket as TLSSocket).getPeerCertificate()?.raw : undefined);
    socket.once(o.tls ? 'secureConnect' : 'connect', () => this.#readied(socket));
    return socket;
  }

  /** A new socket (or, for a tunnel, the generation it will be); `generation`: the one it was promised. */
  #adopt(socket: Socket | undefined, certificate: (() => Uint8Array | undefined) | undefined, generation?: number): number {
    if (generation === undefined) this.generation++;
    this.#socket = socket;
    this.#certificate = certificate;
    if (socket) {
      if (generation !== undefined) this.#ready = generation;
      socket.once('close', () => {
        if (this.#socket !== socket) return;
        this.#socket = undefined;
        this.#o.onDisconnect(this);
      });
    }
    return this.generation;
  }

  #readied(socket: Socket): void {
    if (this.#socket === socket) this.#ready = this.generation;
  }
}
