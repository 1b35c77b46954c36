import { LinkedList, type Links } from '../src/http/index';
import { seededRandom } from '../../../test/support/random';

class Item implements Links<Item> {
  prev: Item | undefined;
  next: Item | undefined;
  listed = false;
  constructor(readonly n: number) {}
}

const ns = (list: LinkedList<Item>) => list.toArray().map((i) => i.n);

describe('LinkedList (the pools idle orders, the requests in progress)', () => {
  test('push appends; pushing a listed item moves it to the end; remove says whether it was there', () => {
    const list = new LinkedList<Item>();
    const [a, b, c] = [new Item(1), new Item(2), new Item(3)];
    expect(list.first).toBeUndefined();
    list.push(a);
    list.push(b);
    list.push(c);
    expect(ns(list)).toEqual([1, 2, 3]);
    expect(list.first).toBe(a);
    list.push(a);
    expect(ns(list)).toEqual([2, 3, 1]);
    expect(list.size).toBe(3);
    expect(list.remove(c)).toBe(true);
    expect(list.remove(c)).toBe(false);
    expect(ns(list)).toEqual([2, 1]);
    expect([c.prev, c.next, c.listed]).toEqual([undefined, undefined, false]);
    expect(list.remove(b)).toBe(true);
    expect(list.remove(a)).toBe(true);
    expect(list.first).toBeUndefined();
    expect(list.size).toBe(0);
    list.push(c);
    expect(ns(list)).toEqual([3]);
  });

  test('toArray is a copy: items can be removed while going through it', () => {
    const list = new LinkedList<Item>();
    const items = [1, 2, 3, 4].map((n) => new Item(n));
    for (const i of items) list.push(i);
    for (const i of list.toArray()) list.remove(i);
    expect(list.size).toBe(0);
    expect(items.every((i) => !i.listed && !i.prev && !i.next)).toBe(true);
  });

  test('agrees with an array on 20,000 random pushes and removes', () => {
    const random = seededRandom(17);
    const list = new LinkedList<Item>();
    const items = Array.from({ length: 12 }, (_, n) => new Item(n));
    let model: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const item = items[Math.floor(random() * items.length)]!;
      if (random() < 0.55) {
        list.push(item);
        model = [...model.filter((n) => n !== item.n), item.n];
      } else {
        expect(list.remove(item)).toBe(model.includes(item.n));
        model = model.filter((n) => n !== item.n);
      }
      expect(list.size).toBe(model.length);
      expect(list.first?.n).toBe(model[0]);
      if (step % 97 === 0) expect(ns(list)).toEqual(model);
    }
    expect(ns(list)).toEqual(model);
  });
});
