// A doubly linked list threaded through its items: each item carries its own links, so that adding and
// removing allocates nothing (a pool's idle order changes on every request). An item is in one list at a time.

/** What an item of a LinkedList carries: its neighbours there, and whether it is in the list. */
export interface Links<T> {
  prev: T | undefined;
  next: T | undefined;
  listed: boolean;
}

/** Items in the order they were pushed: the oldest first. */
export class LinkedList<T extends Links<T>> {
  #head: T | undefined;
  #tail: T | undefined;
  #size = 0;

  /** The oldest item. */
  get first(): T | undefined {
    return this.#head;
  }

  get size(): number {
    return this.#size;
  }

  /** Appends `item` as the newest; an item already in the list moves to the end. */
  push(item: T): void {
    if (item.listed) this.remove(item);
    item.listed = true;
    item.prev = this.#tail;
    item.next = undefined;
    if (this.#tail) this.#tail.next = item;
    else this.#head = item;
    this.#tail = item;
    this.#size++;
  }

  /** Takes `item` out; false if it was not in the list. */
  remove(item: T): boolean {
    if (!item.listed) return false;
    item.listed = false;
    if (item.prev) item.prev.next = item.next;
    else this.#head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.#tail = item.prev;
    item.prev = item.next = undefined;
    this.#size--;
    return true;
  }

  /** The items, oldest first, as an array (safe to change the list while going through it). */
  toArray(): T[] {
    const all: T[] = [];
    for (let item = this.#head; item; item = item.next) all.push(item);
    return all;
  }
}
