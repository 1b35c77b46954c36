import { crypto } from '@ntlmkit/core';
const k = new Uint8Array(16).fill(3), d = new Uint8Array(16).fill(5);
function bench(fn, n = 300000) { for (let i = 0; i < 30000; i++) fn(); const t = performance.now(); for (let i = 0; i < n; i++) fn(); return (performance.now() - t) * 1000 / n; }
let best = 1e9; for (let r = 0; r < 10; r++) best = Math.min(best, bench(() => crypto.rc4(k, d)));
console.log('dist rc4', best.toFixed(3));
