// Random bytes for client challenges and session keys, from the runtime's CSPRNG
// (crypto.getRandomValues, in Node and browsers). Drawn 4 KiB at a time: every byte is used once.
const POOL = 4096;
let pool = new Uint8Array(0);
let used = 0;

export function randomBytes(size: number): Uint8Array {
  if (size > POOL) return globalThis.crypto.getRandomValues(new Uint8Array(size));
  if (used + size > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(POOL));
    used = 0;
  }
  // A plain copy loop: TypedArray.prototype.slice takes a slow path (species lookup) for small arrays.
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = pool[used + i]!;
    pool[used + i] = 0;
  }
  used += size;
  return out;
}
