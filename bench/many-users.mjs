// Section 7 of `pnpm bench`: many users through one process (issue 16). 10,000 users in the server's user
// table, 100,000 GETs whose users are drawn from a Zipf distribution (s = 1.1, seeded: hot users keep
// their connections, cold ones handshake), 64 at a time, ntlmkit with maxConnections 256, against
// @ntlmkit/server in its own process. run.mjs calls it; it also runs alone:
//   node --expose-gc bench/many-users.mjs        (after `npx -y pnpm@10 build`; BENCH_QUICK=1 for the quick run)
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeManyUserClient, MANY_USER_CLIENTS } from './clients.mjs';
import { serverProcess } from './server-process.mjs';

const S = 1.1;
const CONCURRENCY = 64;
const MAX_CONNECTIONS = 256;
const REQUEST_TIMEOUT_MS = 5000;

/** A seeded PRNG (mulberry32): every client gets the same sequence of users. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` ranks in [0, users) drawn from Zipf(s): P(rank k) ∝ 1 / (k + 1)^s, by inverse CDF. */
function zipfDraws(users, count, seed) {
  const cdf = new Float64Array(users);
  let sum = 0;
  for (let k = 0; k < users; k++) cdf[k] = sum += 1 / (k + 1) ** S;
  const next = random(seed);
  const draws = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const x = next() * sum;
    let lo = 0;
    let hi = users - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    draws[i] = lo;
  }
  return draws;
}

const heapAfterGc = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

/** Runs `draws` through `client`, CONCURRENCY at a time, until done or `timeBoundMs`. */
async function load(client, users, draws, timeBoundMs) {
  const latencies = new Float64Array(draws.length);
  let next = 0;
  let done = 0;
  let ok = 0;
  let failures = 0;
  let failure;
  const start = performance.now();
  const deadline = start + timeBoundMs;
  const worker = async () => {
    while (next < draws.length && performance.now() < deadline && !(ok === 0 && failures >= 5)) {
      const user = users[draws[next++]];
      const t = performance.now();
      let timer;
      try {
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), REQUEST_TIMEOUT_MS);
        });
        const r = await Promise.race([client.get(user), timeout]);
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        ok++;
      } catch (error) {
        failures++;
        failure ??= String(error?.code ?? error?.message ?? error).slice(0, 80);
      } finally {
        clearTimeout(timer);
      }
      latencies[done++] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - start;
  const sorted = latencies.subarray(0, done).sort();
  const at = (q) => (done ? sorted[Math.min(done - 1, Math.floor(q * done))] : NaN);
  return {
    done,
    failures,
    failure,
    ms,
    rps: (done / ms) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    timedOut: next < draws.length,
  };
}

export async function manyUsers({ log, fmt, quick, ipc }) {
  const USERS = quick ? 500 : 10_000;
  const REQUESTS = quick ? 5000 : 100_000;
  // Competitors run until done or this bound; ntlmkit's clients are not bounded.
  const TIME_BOUND_MS = quick ? 5000 : 60_000;
  // How long an idle connection stays (ntlmkit's clients); the bench waits it out to weigh users without one.
  const KEEP_ALIVE_MS = quick ? 500 : 4000;

  log(
    `## 7. Many users through one client (${fmt(USERS)} users, ${fmt(REQUESTS)} GETs, Zipf s = ${S}, ` +
      `concurrency ${CONCURRENCY}, maxConnections ${MAX_CONNECTIONS})`,
  );
  log();
  const user = (prefix, i) => ({
    username: `${prefix}${String(i).padStart(5, '0')}`,
    password: `Pw-${i}-${(i * 2654435761) >>> 0}`,
    domain: 'EXAMPLE',
  });
  const users = Array.from({ length: USERS }, (_, i) => user('u', i));
  // The warm-up (code paths, JIT, lazily made state) runs as other users, so that it weighs none of the measured ones.
  const warmUsers = Array.from({ length: CONCURRENCY }, (_, i) => user('w', i));
  const warmDraws = Uint32Array.from({ length: quick ? 500 : 2000 }, (_, i) => i % CONCURRENCY);
  const table = Object.fromEntries([...users, ...warmUsers].map((u) => [`EXAMPLE\\${u.username}`, u.password]));
  const draws = zipfDraws(USERS, REQUESTS, 16);
  const seen = new Set(draws).size;
  const server = await ipc('start', { table });
  const url = `${server}/`;
  const rows = [];
  for (const kind of MANY_USER_CLIENTS) {
    const bounded = !kind.startsWith('ntlmkit');
    await ipc('drop', { url: server });
    await ipc('reset', { url: server });
    const client = makeManyUserClient(kind, url, { maxConnections: MAX_CONNECTIONS, keepAliveTimeout: KEEP_ALIVE_MS });
    await load(client, warmUsers, warmDraws, TIME_BOUND_MS).catch(() => undefined);
    if (!bounded) await sleep(KEEP_ALIVE_MS + 500);
    await ipc('reset', { url: server });
    const before = heapAfterGc();
    let r;
    try {
      r = await load(client, users, draws, bounded ? TIME_BOUND_MS : Infinity);
    } catch (error) {
      r = { done: 0, failures: REQUESTS, failure: String(error), rps: NaN, p50: NaN, p99: NaN, ms: 0, timedOut: false };
    }
    const stats = await ipc('stats', { url: server });
    const usersRun = new Set(draws.subarray(0, r.done)).size;
    const withConnections = heapAfterGc();
    const openAfterRun = client.connections?.();
    // Idle connections close (ntlmkit: keepAliveTimeout); what is left is the memory of users without one.
    await sleep(KEEP_ALIVE_MS + 500);
    const idle = heapAfterGc();
    const openWhenIdle = client.connections?.();
    await client.close();
    const perUserOpen = (withConnections - before) / usersRun;
    const perUserIdle = (idle - before) / usersRun;
    rows.push({ kind, r, stats, perUserOpen, perUserIdle, openAfterRun, openWhenIdle, bounded });
  }
  await ipc('stopAll');

  const bytes = (n) => (!Number.isFinite(n) ? '—' : Math.abs(n) < 1024 ? `${fmt(n)} B` : `${fmt(n / 1024, 1)} KB`);
  log(
    '| client | requests done | req/s | failures | handshakes | most sockets open at the server | ' +
      'heap per user, connections open | heap per user, no connection | p50 | p99 |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { kind, r, stats, perUserOpen, perUserIdle, bounded } of rows) {
    const bound = r.timedOut && bounded ? ` (time bound ${fmt(TIME_BOUND_MS / 1000)} s)` : '';
    const done = r.done === REQUESTS ? fmt(r.done) : `${fmt(r.done)} of ${fmt(REQUESTS)}${bound}`;
    const failures = r.failures ? `**${fmt(r.failures)}** (${r.failure})` : '0';
    const idle = kind.startsWith('ntlmkit') ? bytes(perUserIdle) : '—';
    const cells = [
      kind,
      done,
      fmt(r.rps),
      failures,
      fmt(stats.handshakes),
      fmt(stats.maxEstablished),
      bytes(perUserOpen),
      idle,
    ];
    log(`| ${cells.join(' | ')} | ${fmt(r.p50, 1)} ms | ${fmt(r.p99, 1)} ms |`);
  }
  log();
  log(
    `${fmt(seen)} of the ${fmt(USERS)} users appear among the ${fmt(REQUESTS)} draws (a Zipf tail is rarely drawn); ` +
      'heap per user divides by the users a client served. Heap is measured after a full collection (`--expose-gc`) ' +
      "against the heap before the run (after a warm-up as other users), with the users' credentials made beforehand " +
      "(they are the application's); " +
      `"no connection": after the idle connections closed (ntlmkit: keepAliveTimeout ${fmt(KEEP_ALIVE_MS)} ms). ` +
      "Sockets are counted at the server from the accept to the client's FIN. " +
      "ntlmkit undici and fetch: one NtlmDispatcher, `withCredentials(user)` per request (fetch: Node's global fetch); " +
      'ntlmkit axios: one instance, `ntlm: { credentials }` per request; ' +
      `httpntlm: credentials per call; axios-ntlm: one instance per user. Competitors stop at ${fmt(TIME_BOUND_MS / 1000)} s.`,
  );
  for (const { kind, openAfterRun, openWhenIdle } of rows) {
    if (openAfterRun === undefined) continue;
    log(`- ${kind}: ${fmt(openAfterRun)} connections open after the run, ${fmt(openWhenIdle)} when idle.`);
  }
  if (!globalThis.gc) log('(Run with `node --expose-gc` for heap figures after a full collection.)');
  log();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fmt = (n, digits = 0) =>
    n === undefined || Number.isNaN(n)
      ? '—'
      : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const server = await serverProcess();
  try {
    await manyUsers({
      log: (line = '') => console.log(line),
      fmt,
      quick: process.env.BENCH_QUICK === '1',
      ipc: server.ipc,
    });
  } finally {
    server.stop();
  }
}
