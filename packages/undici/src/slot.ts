// A pinned connection for undici: one Client with pipelining 1 (one socket at a time, one request at a
// time). The connector is the origin's (shared by its slots, so TLS sessions are reused); each socket
// it opens is a new generation, and its TLS peer certificate feeds the channel binding.
import type { Socket } from 'node:net';
import { Client, type buildConnector } from 'undici';
import { PinnedSlot } from '@ntlmkit/core/http';
import { NtlmError } from '@ntlmkit/core';
import { peerCertificate } from '@ntlmkit/core/node';

/**
 * undici resets a socket whose Keep-Alive hint, less this threshold, is 0 or below. NTLM's AUTHENTICATE
 * follows its CHALLENGE within milliseconds and must go on the same socket whatever the hint says, so undici
 * keeps the socket this much longer than the hint; the pool stops reusing it for later requests before the
 * hint runs out (see reusableUntil in the request).
 */
const KEEP_ALIVE_THRESHOLD = -1000;

/**
 * What an idle connection the pool lets go is destroyed with: an informational error (undici errors no
 * request with it), made once — a new error per closed connection costs a stack trace each.
 */
const LET_GO = Object.assign(new Error('the connection pool closed this idle connection'), { code: 'UND_ERR_INFO' });

/**
 * What the slot's connector is called with: undici's options and a signal aborted when the slot is closed
 * while it connects (the tunnel connector stops its CONNECT at once; undici destroys a socket that comes
 * after its Client was destroyed anyway).
 */
export type SlotConnectOptions = buildConnector.Options & { signal?: AbortSignal };

export interface SlotOptions {
  /** Where the Client connects: the origin, or a forward proxy. */
  url: string;
  /**
   * The connection's TLS, if any, ends at the origin (directly or inside a CONNECT tunnel), so the origin's
   * NTLM is bound to it; false for a forward proxy, whose TLS ends at the proxy.
   */
  binds: boolean;
  connector: buildConnector.connector;
  /** Idle keep-alive when the server gives no hint (ms). */
  keepAliveTimeout: number;
  /** Upper bound of any keep-alive (ms). */
  keepAliveMaxTimeout: number;
  /** Client events, forwarded by the origin pool (connect, disconnect, connectionError). */
  events: (
    event: 'connect' | 'disconnect' | 'connectionError',
    origin: URL,
    targets: readonly unknown[],
    error?: Error,
  ) => void;
  onDisconnect(slot: UndiciSlot): void;
}

export class UndiciSlot extends PinnedSlot {
  readonly client: Client;
  #socket: Socket | undefined;
  #certificate: { raw: Uint8Array } | undefined;
  /** The current socket is TLS (its certificate, or an error, feeds the channel binding). */
  #tls = false;
  /** Aborts the connect in progress, if any. */
  #connecting: AbortController | undefined;
  /** SlotOptions.binds */
  readonly #binds: boolean;

  constructor(o: SlotOptions) {
    super();
    this.#binds = o.binds;
    this.client = new Client(o.url, {
      pipelining: 1,
      allowH2: false,
      keepAliveTimeout: o.keepAliveTimeout,
      keepAliveMaxTimeout: o.keepAliveMaxTimeout,
      keepAliveTimeoutThreshold: KEEP_ALIVE_THRESHOLD,
      connect: (opts, callback) => {
        const connecting = new AbortController();
        this.#connecting = connecting;
        o.connector({ ...opts, signal: connecting.signal } as SlotConnectOptions, (error, socket) => {
          if (this.#connecting === connecting) this.#connecting = undefined;
          if (!error && socket) this.#adopt(socket);
          // undici types the callback's arguments as a union of tuples, which (error, socket) does not satisfy.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
          callback(error, socket as never);
        });
      },
    });
    this.client.on('connect', (origin, targets) => o.events('connect', origin, targets));
    this.client.on('disconnect', (origin, targets, error) => {
      this.#socket = undefined;
      this.#certificate = undefined;
      this.#tls = false;
      o.onDisconnect(this);
      o.events('disconnect', origin, targets, error);
    });
    this.client.on('connectionError', (origin, targets, error) => o.events('connectionError', origin, targets, error));
  }

  #adopt(socket: Socket): void {
    this.generation++;
    this.#socket = socket;
    this.#certificate = peerCertificate(socket);
    this.#tls = (socket as { encrypted?: boolean }).encrypted === true;
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  /**
   * The certificate the channel binding is made from: none over plain TCP; over TLS, the server's, and an
   * NtlmError (ERR_NTLM_NO_CHANNEL_BINDING, as the axios adapter's) when the TLS connection shows none (an
   * anonymous cipher suite): an AUTHENTICATE over TLS never goes without a binding silently.
   */
  peerCertificate(): { raw: Uint8Array } | undefined {
    if (!this.#binds) return undefined;
    if (this.#certificate || !this.#tls) return this.#certificate;
    const message = 'the TLS peer certificate of the connection is not available for the channel binding';
    throw new NtlmError('ERR_NTLM_NO_CHANNEL_BINDING', message);
  }

  close(): void {
    this.#connecting?.abort(LET_GO);
    this.#connecting = undefined;
    this.client.destroy(LET_GO).catch(() => undefined);
  }

  /** Closes after the request in progress, if any. */
  closeGracefully(): Promise<void> {
    return this.client.close();
  }
}
