// Pinned connections, shared by every adapter. A pool holds the connections to one origin (through one
// route); a budget bounds the connections of a whole client, across origins and credentials. A request
// takes an idle connection authenticated for its credentials, else a fresh one, else a new one within the
// limits (closing the least recently used idle connection of the client to make room), else waits. An
// authenticated connection serves only the credentials that authenticated it: when a waiting request has
// other credentials, the connection is closed and a new one made in its place.
import type { CertificateInput } from '../channel-binding.js';
import { ConnectionAuth } from './connection-auth.js';
import type { ConnectionView } from './machine.js';
import { LinkedList, type Links } from './linked-list.js';

/**
 * A slot's place in one idle order (the pool's, the budget's: a slot is in both at once), made once per slot,
 * so that a connection going idle and busy again on every request allocates nothing.
 */
class IdleLink implements Links<IdleLink> {
  prev: IdleLink | undefined;
  next: IdleLink | undefined;
  listed = false;
  constructor(readonly slot: PinnedSlot) {}
}

/** A pinned connection: one socket at a time, one request at a time. Adapters extend it. */
export abstract class PinnedSlot implements ConnectionView {
  /** What the current socket has proven to the origin. */
  readonly auth = new ConnectionAuth();
  /** What the current socket has proven to a forward proxy. */
  readonly proxyAuth = new ConnectionAuth();
  /** Counts the sockets behind this slot: a change means a new, unauthenticated connection. */
  generation = 0;
  /** @internal A request is using it. */
  busy = false;
  /** @internal Until when an idle slot may serve another request (the server's keep-alive, our idle time). */
  reusableUntil = 0;
  /** @internal The pool it belongs to while it holds a place in the budget. */
  pool: SlotPool<PinnedSlot> | undefined;
  /** @internal The idle list it is on (by key), if it is idle. */
  idleKey: string | undefined;
  /** @internal Its place in its pool's idle order. */
  readonly poolNode: IdleLink = new IdleLink(this);
  /** @internal Its place in the budget's idle order. */
  readonly budgetNode: IdleLink = new IdleLink(this);

  /** A live socket is behind the slot. */
  abstract get connected(): boolean;
  /** The TLS peer certificate of the current socket (for EPA), if it is TLS. */
  abstract peerCertificate(): CertificateInput | undefined;
  /** Ends the connection now; the slot is not used again. */
  abstract close(): void;

  /** The credential set the current socket is authenticated for ('' for none). */
  get key(): string {
    return this.auth.keyFor(this.generation) ?? '';
  }
}

/** Bounds the connections of one client; idle ones are closed least recently used first to make room. */
export class ConnectionBudget {
  private used = 0;
  /** Idle slots of every pool, least recently used first. */
  private readonly idle = new LinkedList<IdleLink>();
  /** Pools that wait for a place, first come first served. */
  private readonly waiting: SlotPool<PinnedSlot>[] = [];

  /** `max`: the connections of the client in all. */
  constructor(readonly max: number) {}

  /** The places in use (connections open or being opened). */
  get size(): number {
    return this.used;
  }

  /** A place for a new connection of `pool`: a free one, or one an idle connection gives up. */
  take(): boolean {
    if (this.used < this.max) {
      this.used++;
      return true;
    }
    const slot = this.idle.first?.slot;
    if (!slot) return false;
    // The evicted slot's place goes to the caller directly.
    slot.pool!.evict(slot);
    return true;
  }

  /** A place is given back; a waiting pool gets it. */
  give(): void {
    const pool = this.waiting.shift();
    if (pool) pool.granted();
    else this.used--;
  }

  /** @internal The slot (of `slot.pool`) is idle. */
  markIdle(slot: PinnedSlot): void {
    this.idle.push(slot.budgetNode);
  }

  /** @internal */
  markBusy(slot: PinnedSlot): void {
    this.idle.remove(slot.budgetNode);
  }

  /** @internal */
  wait(pool: SlotPool<PinnedSlot>): void {
    if (!this.waiting.includes(pool)) this.waiting.push(pool);
  }

  /** @internal */
  stopWaiting(pool: SlotPool<PinnedSlot>): void {
    const i = this.waiting.indexOf(pool);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}

/** Empty idle lists kept per pool (see unlistIdle). */
const KEPT_EMPTY_LISTS = 4;

interface Waiter<S> {
  key: string;
  grant(slot: S): void;
}

/** Options of a `SlotPool`. */
export interface SlotPoolOptions<S> {
  /** Connections to this origin, all credentials together. */
  limit: number;
  /** The client's budget, shared with its other pools. */
  budget: ConnectionBudget;
  /** Makes a new, unconnected slot. */
  create(): S;
  /** The clock, in ms since 1970 (default `Date.now`), for `reusableUntil`. */
  now?: () => number;
}

/** The pinned connections to one origin (through one route), chosen by credentials. */
export class SlotPool<S extends PinnedSlot> {
  /** Every slot of the pool, busy or idle. */
  readonly slots = new Set<S>();
  /** Idle slots by the key they are authenticated for ('' for none), most recently used last. */
  private readonly idle = new Map<string, S[]>();
  /** The same idle slots in the order they became idle (least recently used first). */
  private readonly idleOrder = new LinkedList<IdleLink>();
  private readonly waiters: Waiter<S>[] = [];
  private readonly now: () => number;

  constructor(private readonly o: SlotPoolOptions<S>) {
    this.now = o.now ?? Date.now;
  }

  /** The number of slots. */
  get size(): number {
    return this.slots.size;
  }

  /** Requests waiting for a connection. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Slots serving a request. */
  get running(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.busy) n++;
    return n;
  }

  /** A connection for credential set `key` now, or undefined (then `wait`). */
  take(key: string): S | undefined {
    const mine = this.fromIdle(key) ?? this.fromIdle('');
    if (mine) return this.occupy(mine);
    if (this.slots.size < this.o.limit && this.o.budget.take()) return this.occupy(this.add());
    // At this origin's limit: an idle connection of other credentials gives its place up.
    const other = this.oldestIdle();
    if (other) {
      this.remove(other);
      other.close();
      return this.occupy(this.add());
    }
    return undefined;
  }

  /** Waits for a connection for `key`; returns the function that stops waiting (an abort). */
  wait(key: string, grant: (slot: S) => void): () => void {
    const waiter: Waiter<S> = { key, grant };
    this.waiters.push(waiter);
    if (this.slots.size < this.o.limit) this.o.budget.wait(this);
    return () => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
      if (this.waiters.length === 0) this.o.budget.stopWaiting(this);
    };
  }

  /** The request on `slot` is done; the slot may serve another one until `reusableUntil` (ms since epoch). */
  release(slot: S, reusableUntil: number): void {
    slot.busy = false;
    slot.reusableUntil = reusableUntil;
    if (!slot.connected || reusableUntil <= this.now()) {
      this.discard(slot);
      return;
    }
    if (this.waiters.length) {
      const key = slot.key;
      const i = this.waiters.findIndex((w) => w.key === key);
      const waiter = this.waiters.splice(i >= 0 ? i : 0, 1)[0]!;
      if (key && waiter.key !== key) {
        // Authenticated for other credentials: it serves no one else. A new connection takes its place.
        this.remove(slot);
        slot.close();
        waiter.grant(this.occupy(this.add()));
      } else waiter.grant(this.occupy(slot));
      return;
    }
    const key = slot.key;
    const list = this.idle.get(key);
    if (list) list.push(slot);
    else this.idle.set(key, [slot]);
    slot.idleKey = key;
    this.idleOrder.push(slot.poolNode);
    this.o.budget.markIdle(slot);
  }

  /** The socket of an idle slot closed: the slot is gone. A busy slot reconnects for its request. */
  disconnected(slot: S): void {
    if (!slot.busy && this.slots.has(slot)) this.discard(slot, false);
  }

  /** Closes every idle connection now (busy ones when their request ends). */
  closeIdle(): void {
    for (const list of [...this.idle.values()]) for (const slot of [...list]) this.discard(slot, true);
  }

  /** @internal The budget closes this idle slot to make room elsewhere; its place moves on. */
  evict(slot: PinnedSlot): void {
    this.remove(slot as S);
    slot.close();
  }

  /** @internal The budget has a place for this pool. */
  granted(): void {
    const waiter = this.waiters.shift();
    if (!waiter) {
      this.o.budget.give();
      return;
    }
    waiter.grant(this.occupy(this.add()));
    if (this.waiters.length && this.slots.size < this.o.limit) this.o.budget.wait(this);
  }

  private fromIdle(key: string): S | undefined {
    const list = this.idle.get(key);
    while (list && list.length) {
      const slot = list[list.length - 1]!;
      if (slot.connected && slot.reusableUntil > this.now() && slot.key === key) return slot;
      this.discard(slot, slot.connected);
    }
    return undefined;
  }

  private oldestIdle(): S | undefined {
    return this.idleOrder.first?.slot as S | undefined;
  }

  private add(): S {
    const slot = this.o.create();
    slot.pool = this;
    this.slots.add(slot);
    return slot;
  }

  private occupy(slot: S): S {
    this.unlistIdle(slot);
    this.o.budget.markBusy(slot);
    slot.busy = true;
    return slot;
  }

  private unlistIdle(slot: S): void {
    const key = slot.idleKey;
    if (key === undefined) return;
    slot.idleKey = undefined;
    this.idleOrder.remove(slot.poolNode);
    const list = this.idle.get(key)!;
    // Usually the most recently used one, at the end: taken off without a new array.
    if (list[list.length - 1] === slot) list.pop();
    else list.splice(list.lastIndexOf(slot), 1);
    // An empty list is kept for a few credential sets (a pool of one set empties it on every request),
    // dropped beyond that (a gateway's many users).
    if (list.length === 0 && this.idle.size > KEPT_EMPTY_LISTS) this.idle.delete(key);
  }

  /** Takes the slot out of the pool without giving its place back. */
  private remove(slot: S): void {
    this.unlistIdle(slot);
    this.o.budget.markBusy(slot);
    this.slots.delete(slot);
    slot.pool = undefined;
  }

  /**
   * Takes the slot out and gives its place to a waiter here, or back to the budget. It is closed unless its
   * socket is known to be gone (`close` false): a slot that is still connecting stops connecting.
   */
  private discard(slot: S, close = true): void {
    if (!this.slots.has(slot)) return;
    this.remove(slot);
    if (close) slot.close();
    const waiter = this.waiters.shift();
    if (waiter) waiter.grant(this.occupy(this.add()));
    else this.o.budget.give();
  }
}
