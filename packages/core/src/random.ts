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
  const out = pool.slice(used, used + size);
  pool.fill(0, used, used + size);
  used += size;
  return out;
}
