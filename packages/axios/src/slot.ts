// A pinned connection for axios: an http(s).Agent with one socket, so that the legs of a handshake go
// on the socket that got the CHALLENGE and it stays authenticated. Each socket it opens is a new
// generation; the agent tells the request's driver when a leg gets its socket (before a byte is written)
// and when its response head arrives.
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NtlmError } from '@ntlmkit/core';
import { PinnedSlot } from '@ntlmkit/core/http';
import { peerCertificate } from '@ntlmkit/core/node';

/** What the driver of the request on a slot hears from its agent. */
export interface LegListener {
  /** The leg has its socket; nothing is written before this returns (it may destroy `req` instead). */
  onSocket(req: ClientRequest): void;
  /** The leg's final response head. */
  onResponse(res: IncomingMessage, req: ClientRequest): void;
}

export interface SlotOptions {
  /** Requests to the slot are https: (axios then wants an https.Agent). */
  https: boolean;
  /** The TLS is the origin's, so its certificate feeds the channel binding (false through a forward proxy). */
  binds: boolean;
  /**
   * A new connection: TCP or TLS, to the origin, a forward proxy, or the origin inside a CONNECT tunnel;
   * `signal` is aborted when the slot is closed before it is there.
   */
  connect(signal: AbortSignal): Promise<Socket>;
  /** How long an idle socket stays open (ms). */
  idleMs: number;
  onDisconnect(slot: AxiosSlot): void;
}

type Callback = (error: Error | null, socket?: Socket) => void;

/** The parts of Node's Agent that are not in its type declarations. */
interface AgentInternals {
  addRequest(req: ClientRequest, options: object): void;
}

function pinned(Base: typeof http.Agent) {
  return class PinnedAgent extends Base {
    constructor(
      readonly slot: AxiosSlot,
      options: https.AgentOptions,
    ) {
      super(options);
    }

    addRequest(req: ClientRequest, options: object): void {
      this.slot.watch(req);
      (Base.prototype as unknown as AgentInternals).addRequest.call(this, req, options);
    }

    /** The connection comes from the slot's connector (it calls back with the socket, connected). */
    override createConnection(
      _options: http.ClientRequestArgs,
      callback?: (error: Error | null, socket: Duplex) => void,
    ): undefined {
      this.slot.connect((callback ?? (() => undefined)) as Callback);
      return undefined;
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
const HttpsAgent = pinned(https.Agent);

export class AxiosSlot extends PinnedSlot {
  readonly agent: http.Agent;
  /** The driver of the request using the slot. */
  listener: LegListener | undefined;
  readonly #o: SlotOptions;
  #socket: Socket | undefined;
  /** Closed (`close()`): a connection still being opened is aborted, or destroyed when it arrives. */
  #closed = false;
  /** Aborts the connection being opened. */
  #connecting: AbortController | undefined;

  constructor(o: SlotOptions) {
    super();
    this.#o = o;
    this.agent = new (o.https ? HttpsAgent : HttpAgent)(this, { keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  get idleMs(): number {
    return this.#o.idleMs;
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  peerCertificate(): { raw: Uint8Array } | undefined {
    if (!this.#o.binds || !this.#socket) return undefined;
    const certificate = peerCertificate(this.#socket);
    if (!certificate) {
      const message = 'the TLS peer certificate of the connection is not available for the channel binding';
      throw new NtlmError('ERR_NTLM_NO_CHANNEL_BINDING', message);
    }
    return certificate;
  }

  /** Drops the current socket: the next leg goes on a new connection. */
  dropSocket(): void {
    this.#socket?.destroy();
  }

  close(): void {
    this.#closed = true;
    this.#connecting?.abort(
      new NtlmError('ERR_NTLM_CONNECTION_CLOSED', 'the connection was closed while it was being opened'),
    );
    this.agent.destroy();
  }

  /** @internal Every request on the agent: the current leg of the slot's request. */
  watch(req: ClientRequest): void {
    const listener = this.listener;
    if (!listener) return;
    req.once('socket', () => listener.onSocket(req));
    req.once('response', (res: IncomingMessage) => listener.onResponse(res, req));
  }

  /** @internal A new connection for the agent: a new socket behind the slot (a new generation), connected. */
  connect(callback: Callback): void {
    if (this.#closed) {
      callback(new NtlmError('ERR_NTLM_CONNECTION_CLOSED', 'the connection was closed before it was opened'));
      return;
    }
    const connecting = (this.#connecting = new AbortController());
    this.#o.connect(connecting.signal).then(
      (socket) => {
        if (this.#connecting === connecting) this.#connecting = undefined;
        if (this.#closed) {
          socket.destroy();
          callback(new NtlmError('ERR_NTLM_CONNECTION_CLOSED', 'the connection was closed while it was being opened'));
          return;
        }
        this.generation++;
        this.#socket = socket;
        socket.once('close', () => {
          if (this.#socket !== socket) return;
          this.#socket = undefined;
          this.#o.onDisconnect(this);
        });
        callback(null, socket);
      },
      (error: Error) => {
        if (this.#connecting === connecting) this.#connecting = undefined;
        callback(error);
      },
    );
  }
}
