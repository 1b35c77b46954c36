// Per-origin pool of pinned connections: one single-socket undici Client per slot, so that
// NEGOTIATE and AUTHENTICATE share a socket and the socket stays authenticated for later requests.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { buildConnector, Client } from 'undici';
import { ConnectionAuth } from '@ntlmkit/core/http';

export interface SlotOptions {
  /** TLS and socket options for the connector (ca, rejectUnauthorized, cert, key, servername, …). */
  connect?: buildConnector.BuildOptions;
  keepAliveTimeout?: number;
}

export class Slot {
  client: Client;
  readonly auth = new ConnectionAuth();
  peerCertificate: PeerCertificate | undefined;
  busy = false;
  /** Counts the sockets this slot has opened: a change means a new, unauthenticated connection. */
  generation = 0;

  constructor(private readonly origin: string, private readonly options: SlotOptions) {
    this.client = this.newClient();
  }

  private newClient(): Client {
    // http/1.1 only: NTLM authenticates a connection, which HTTP/2 multiplexing breaks.
    const connector = buildConnector({ ...this.options.connect, allowH2: false } as buildConnector.BuildOptions);
    const client = new Client(this.origin, {
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
      this.peerCertificate = undefined;
    });
    return client;
  }

  /** Replaces the connection: the next leg opens a new socket. */
  async reconnect(): Promise<void> {
    this.auth.reset();
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

export class OriginPool {
  readonly slots: Slot[] = [];
  private readonly waiters: ((slot: Slot) => void)[] = [];

  constructor(private readonly origin: string, private readonly max: number, private readonly options: SlotOptions) {}

  /** An idle slot authenticated for `key`, else any idle slot, else a new one, else the next freed one. */
  acquire(key: string): Promise<Slot> {
    const idle = this.slots.filter((s) => !s.busy);
    const slot = idle.find((s) => s.auth.isAuthenticatedFor(key)) ?? idle.find((s) => s.auth.state === 'unauthenticated') ?? idle[0];
    if (slot) {
      slot.busy = true;
      return Promise.resolve(slot);
    }
    if (this.slots.length < this.max) {
      const created = new Slot(this.origin, this.options);
      created.busy = true;
      this.slots.push(created);
      return Promise.resolve(created);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  get size(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }

  async destroy(error?: Error): Promise<void> {
    await Promise.all(this.slots.map((s) => s.destroy(error)));
  }
}
