import { crypto } from '@ntlmkit/core';
const k = new Uint8Array(16).fill(3), d = new Uint8Array(16).fill(5);
function bench(name, fn, n = 500000) {
  for (let i = 0; i < 50000; i++) fn();
  let best = 1e9;
  for (let r = 0; r < 5; r++) { const t = performance.now(); for (let i = 0; i < n; i++) fn(); best = Math.min(best, (performance.now() - t) * 1000 / n); }
  console.log(name.padEnd(20), best.toFixed(3), 'us');
}
bench('rc4', () => crypto.rc4(k, d));
bench('md4', () => crypto.md4(d));
