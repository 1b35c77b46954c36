// Pinned connections per origin and credential set, shared by every adapter: a request takes an idle
// connection already authenticated for its credentials, else a fresh one, else a new one up to the
// limit, else waits for the next one freed. One request per connection at a time.
import type { ConnectionAuth } from './connection-auth.js';

export interface PinnedConnection {
  readonly auth: ConnectionAuth;
  busy: boolean;
}

export class SlotPool<S extends PinnedConnection> {
  readonly slots: S[] = [];
  private readonly waiters: ((slot: S) => void)[] = [];

  constructor(private readonly max: number, private readonly create: () => S) {}

  acquire(credentialKey: string): Promise<S> {
    const idle = this.slots.filter((s) => !s.busy);
    const slot = idle.find((s) => s.auth.isAuthenticatedFor(credentialKey)) ?? idle.find((s) => s.auth.state === 'unauthenticated') ?? idle[0];
    if (slot) {
      slot.busy = true;
      return Promise.resolve(slot);
    }
    if (this.slots.length < this.max) {
      const created = this.create();
      created.busy = true;
      this.slots.push(created);
      return Promise.resolve(created);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: S): void {
    // A handshake left half-done (an abort, an error) must not be resumed by the next request.
    if (slot.auth.state === 'negotiating') slot.auth.reset();
    const next = this.waiters.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  get size(): number {
    return this.slots.length;
  }
}
