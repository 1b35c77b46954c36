// pnpm bench: one run, every figure side by side. Writes bench/results.md and bench/throughput.svg.
// BENCH_QUICK=1 runs a reduced version (CI uses it to show the benchmark still runs; no timing is judged)
// and writes bench/results.quick.md only.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { makeClient, NTLM_CLIENTS, BASELINES } from './clients.mjs';
import { tokenCreation } from './tokens.mjs';
import { manyUsers } from './many-users.mjs';
import { updateReadme } from './readme.mjs';
import { serverProcess } from './server-process.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const QUICK = process.env.BENCH_QUICK === '1';
const N = QUICK ? 60 : 2000;
const SOAK = QUICK ? 300 : 50_000;
const UPLOAD = QUICK ? 1024 * 1024 : 8 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = QUICK ? 2000 : 5000;
const GIVE_UP_AFTER = 5;
// BENCH_ONLY=throughput,apache runs only the named sections (roundtrips, throughput, upload, tokens, soak,
// apache, many-users, handshakes) and writes bench/results.only.md; BENCH_CLIENTS limits the clients of the
// throughput and apache sections (names from clients.mjs, comma-separated:
// BENCH_CLIENTS='ntlmkit axios,baseline axios').
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const runs = (section) => !ONLY || ONLY.has(section);
// BENCH_CONDITIONS='c=32;c=1, 2 ms' runs only these columns of the throughput section; BENCH_VERBOSE=1 prints
// every measured run on stderr.
const CONDITIONS = process.env.BENCH_CONDITIONS?.split(';');
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const measured = (kinds) =>
  process.env.BENCH_CLIENTS ? kinds.filter((k) => process.env.BENCH_CLIENTS.split(',').includes(k)) : kinds;
const out = [];
const log = (line = '') => {
  out.push(line);
  console.log(line);
};

// --- the server process ---
const server = await serverProcess();
const { ipc } = server;

/**
 * `concurrency` workers sending GETs: `n` of them, or (`seconds`) as many as they start before that much time
 * has passed. Returns the requests per second over the whole run (in-flight requests included) and the failures.
 */
async function load(client, url, n, concurrency, seconds = 0) {
  let sent = 0;
  let failures = 0;
  let successes = 0;
  // A client that fails its first requests and never succeeds is not measured further: each of its
  // requests may take REQUEST_TIMEOUT_MS, so the rest of the run would only wait. They all count as failed.
  const gaveUp = () => successes === 0 && failures >= GIVE_UP_AFTER;
  const t = performance.now();
  const deadline = t + seconds * 1000;
  const more = seconds > 0 ? () => performance.now() < deadline : () => sent < n;
  const worker = async () => {
    while (more() && !gaveUp()) {
      sent++;
      let timer;
      try {
        // A request that hangs counts as a failure instead of stalling the run.
        const timeout = new Promise(
          (_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), REQUEST_TIMEOUT_MS)),
        );
        const r = await Promise.race([client.get(url), timeout]);
        if (r.status !== 200) failures++;
        else successes++;
      } catch {
        failures++;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - t;
  if (gaveUp()) return { rps: 0, failures: sent };
  return { rps: (sent / ms) * 1000, failures };
}

// Warm up (connections, handshakes, the JIT), then ROUNDS runs each, the clients of a table cell
// taking turns, each round in the reverse order of the one before (A B C, C B A, B C A, A C B, …): this VM's
// speed drifts by tens of per cent from one second to the next, so a ratio is only worth something between
// figures measured side by side, and many short rounds in alternating order say more than a few long ones (the
// median of 40 per-round ratios of 0.125 s runs moved by ±0.01 between repeats where that of 10 of 0.5 s moved
// by ±0.09). Failures of every run, the warm-up's included, are counted; a client that never gets through is
// not run again.
// Every run lasts the same time, whatever the client's rate: a run sized by a count of requests lasts less for
// a client that was still slow in its warm-up, and a short run pays more, in proportion, for its start (the
// first requests after the pause before it) and its end (the last requests in flight): a client's figure
// would then depend on the length of its runs.
const MIN_RUN_SECONDS = 0.125;
// A client's warm-up lasts this long: in a new process the first client takes ~0.8 s to reach its speed (the
// JIT compiles its code and the undici code it shares with its baseline, which then finds it compiled).
const MIN_WARM_SECONDS = QUICK ? 0 : 1;
const ROUNDS = QUICK ? 1 : 40;

/**
 * A client's figure against its baseline: the median of their per-round ratios (each round's runs were
 * measured within seconds of each other), or the ratio of the best runs where there are no rounds.
 */
function ratioTo(r, base) {
  if (!r || !base) return NaN;
  if (r.runs?.length && r.runs.length === base.runs?.length) {
    const each = r.runs.map((x, i) => x / base.runs[i]).sort((a, b) => a - b);
    const mid = each.length >> 1;
    return each.length % 2 ? each[mid] : (each[mid - 1] + each[mid]) / 2;
  }
  return r.rps / base.rps;
}

/** The clients in the order they take turns: each ntlmkit adapter beside its baseline, then the others. */
function sideBySide(kinds) {
  const order = [];
  for (const kind of kinds) {
    if (order.includes(kind)) continue;
    order.push(kind);
    const partner = kind.startsWith('ntlmkit ') ? BASELINES[makeClient(kind).library] : undefined;
    if (partner && kinds.includes(partner) && !order.includes(partner)) order.push(partner);
  }
  return order;
}

/**
 * Before a measured run: a moment for the sockets the previous client closed. No forced collection: after
 * `gc()` this process runs its next ~2,000 requests at about half speed (undici, c=32: 148 ms for 2,000 GETs
 * after a gc(), 82 ms without), more so for a client that allocates more, so a run that follows one measures the
 * aftermath of a collection no application forces instead of the client. The garbage of the client before is
 * left to the collector as it comes, on whichever client it falls: the alternating order spreads it.
 */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, QUICK ? 0 : 10));
}

/**
 * `entries`: [{ key, client, url }]; returns { [key]: { rps, failures, runs } }. In quick mode a warm-up is
 * `warmUp` requests and a run `n`; otherwise both are timed (MIN_WARM_SECONDS, MIN_RUN_SECONDS).
 */
async function measureTogether(entries, warmUp, n, concurrency) {
  const out = {};
  const live = [];
  for (const e of entries) {
    try {
      const warm = await load(e.client, e.url, warmUp, concurrency, MIN_WARM_SECONDS);
      if (warm.rps === 0) {
        out[e.key] = { rps: 0, failures: n };
        continue;
      }
      out[e.key] = { rps: 0, failures: warm.failures, runs: [] };
      live.push(e);
    } catch (error) {
      out[e.key] = { rps: NaN, failures: n, error: String(error) };
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = live.map((_, i) => live[(i + (round >> 1)) % live.length]);
    if (round % 2) order.reverse();
    for (const e of order) {
      try {
        await settle();
        const r = await load(e.client, e.url, n, concurrency, QUICK ? 0 : MIN_RUN_SECONDS);
        if (VERBOSE) console.error(`  round ${round + 1}, ${e.key}, c=${concurrency}: ${Math.round(r.rps)} req/s`);
        out[e.key].rps = Math.max(out[e.key].rps, r.rps);
        out[e.key].runs.push(r.rps);
        out[e.key].failures += r.failures;
      } catch (error) {
        out[e.key] = { rps: NaN, failures: n, error: String(error) };
      }
    }
  }
  return out;
}

/** How a table's runs were made, for its heading (`quickN`: the requests per run in quick mode). */
function howRun(quickN, who) {
  const run = QUICK
    ? `${fmt(quickN)} GETs per run`
    : `runs of ${MIN_RUN_SECONDS} s after a warm-up of ${MIN_WARM_SECONDS} s`;
  const rounds =
    ROUNDS > 1
      ? `${ROUNDS} rounds taken in turns by ${who} (each round in the reverse order of the one before)`
      : `one round`;
  return `${run}, ${rounds}; requests per second of the best run`;
}

const fmt = (n, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

log(`# ntlmkit benchmarks`);
log();
log(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; server in a separate process on loopback (@ntlmkit/server, NTLMv1 allowed so that every competitor can authenticate).${QUICK ? ' **Quick mode (BENCH_QUICK=1): reduced counts, figures not meaningful.**' : ''}`,
);
log(`Command: \`npx -y pnpm@10 bench\` (${new Date().toISOString().slice(0, 10)}).`);
log();

// --- 1. Round trips ---
log('## 1. Round trips (HTTP exchanges the server sees)');
log();
log(
  '| client | (a) first request, new origin | (b) new connection, known origin | (c) authenticated connection | dialect seen by the server |',
);
log('| --- | ---: | ---: | ---: | --- |');
if (runs('roundtrips')) {
  const url = await ipc('start', { authenticate: true });
  const rows = [
    ...NTLM_CLIENTS.slice(0, 1).map((k) => [k, {}]),
    ['ntlmkit undici', { preemptive: true }],
    ...NTLM_CLIENTS.slice(1).map((k) => [k, {}]),
  ];
  for (const [kind, extra] of rows) {
    const client = extra.preemptive ? makePreemptive(kind) : makeClient(kind);
    const counts = [];
    let dialects = {};
    try {
      for (let step = 0; step < 3; step++) {
        if (step === 1) await ipc('drop', { url });
        await ipc('reset', { url });
        const r = await client.get(url).catch(() => ({ status: 0 }));
        const s = await ipc('stats', { url });
        dialects = { ...dialects, ...s.dialects };
        counts.push(r.status === 200 ? String(s.requests) : `${s.requests} (failed: ${r.status})`);
      }
    } finally {
      await client.close();
    }
    log(
      `| ${kind}${extra.preemptive ? ' (preemptive: true)' : ''} | ${counts.join(' | ')} | ${Object.keys(dialects).join(', ')} |`,
    );
  }
  await ipc('stopAll');
}
log();

function makePreemptive(kind) {
  // The undici adapter with NEGOTIATE on the very first request.
  return { ...makeClientWith(kind, { preemptive: true }) };
}
function makeClientWith(kind, options) {
  const { NtlmDispatcher } = require('@ntlmkit/undici');
  const { request } = require('undici');
  const dispatcher = new NtlmDispatcher({
    credentials: { username: 'EXAMPLE\\alice', password: 'Passw0rd!' },
    ...options,
  });
  return {
    get: async (url) => {
      const r = await request(url, { dispatcher });
      await r.body.dump();
      return { status: r.statusCode };
    },
    close: () => dispatcher.close(),
  };
}

// --- 2. Throughput ---
log(
  `## 2. Throughput (${howRun(N, 'the clients of a column')}; ratio to the same library's unauthenticated keep-alive baseline: the median of the ${ROUNDS} per-round ratios)`,
);
log();
log(
  "Baselines: undici's `request` with an `Agent`; Node's global `fetch` with an undici `Agent` as its dispatcher (what `createNtlmFetch` calls by default); axios with a keep-alive `http.Agent`; `node:http` with a keep-alive Agent. Connections per origin: 32 for every client at c=32 (ntlmkit's default is 16), 8 in the pool 8 columns, each library's default at c=1.",
);
log();
const conditions = [
  { label: 'c=1', c: 1 },
  // At c=32 every client gets 32 connections per origin (ntlmkit's default is 16, the plain clients' unlimited):
  // like for like, so that a ratio measures the cost of NTLM, not a smaller pool.
  { label: 'c=32', c: 32, connections: 32 },
  { label: 'c=32, pool 8', c: 32, connections: 8 },
  { label: 'c=1, 2 ms', c: 1, delayMs: 2 },
  { label: 'c=32, 2 ms', c: 32, delayMs: 2, connections: 32 },
  { label: 'c=32, pool 8, 2 ms', c: 32, connections: 8, delayMs: 2 },
];
const throughput = {};
const columns = conditions.filter((c) => !CONDITIONS || CONDITIONS.includes(c.label));
log(`| client | ${columns.map((c) => c.label).join(' | ')} |`);
log(`| --- | ${columns.map(() => '---:').join(' | ')} |`);
const kinds = measured([...NTLM_CLIENTS, ...Object.values(BASELINES)]);
for (const cond of runs('throughput') ? columns : []) {
  const authUrl = await ipc('start', { authenticate: true, delayMs: cond.delayMs ?? 0 });
  const plainUrl = await ipc('start', { authenticate: false, delayMs: cond.delayMs ?? 0 });
  const entries = sideBySide(kinds).map((kind) => {
    const client = makeClient(kind, { connections: cond.connections });
    return { key: kind, client, url: client.auth ? authUrl : plainUrl };
  });
  try {
    const cell = await measureTogether(entries, Math.max(cond.c, QUICK ? 10 : 200), N, cond.c);
    for (const kind of kinds) (throughput[kind] ??= {})[cond.label] = cell[kind];
  } finally {
    for (const e of entries) await e.client.close();
  }
  await ipc('stopAll');
}
for (const kind of runs('throughput') ? kinds : []) {
  const cells = columns.map((cond) => {
    const r = throughput[kind][cond.label];
    const base = throughput[BASELINES[makeClient(kind).library]]?.[cond.label];
    const ratio = base && !kind.startsWith('baseline') ? ` (${fmt(ratioTo(r, base), 2)}×)` : '';
    const failed = r.failures ? ` **${fmt(r.failures)} failed**` : '';
    return `${fmt(r.rps)}${ratio}${failed}`;
  });
  log(`| ${kind} | ${cells.join(' | ')} |`);
}
log();
if (runs('throughput') && !process.env.BENCH_CLIENTS && !CONDITIONS) {
  const best = (label) =>
    Math.max(
      ...['axios-ntlm', 'httpntlm'].filter((k) => !throughput[k][label].failures).map((k) => throughput[k][label].rps),
      0,
    );
  for (const label of ['c=32', 'c=32, pool 8', 'c=32, 2 ms']) {
    const competitor = best(label);
    const parts = ['ntlmkit undici', 'ntlmkit fetch', 'ntlmkit axios'].map(
      (k) => `${k} ${competitor ? fmt(throughput[k][label].rps / competitor, 1) : '∞'}×`,
    );
    log(`- ${label}: against the best competitor without failures (${fmt(competitor)} req/s): ${parts.join(', ')}.`);
  }
}
log();

// --- 3. Upload ---
log(`## 3. Upload: POST of ${fmt(UPLOAD / 1024 / 1024)} MiB to a known NTLM origin`);
log();
log('| client | buffer: bytes received per request | stream: bytes received per request | stream intact |');
log('| --- | ---: | ---: | --- |');
if (runs('upload')) {
  const body = Buffer.alloc(UPLOAD, 0x61);
  const sha = createHash('sha256').update(body).digest('hex');
  const url = await ipc('start', { authenticate: true });
  for (const kind of NTLM_CLIENTS) {
    const client = makeClient(kind);
    const cells = [];
    let intact = '—';
    try {
      await client.get(url); // the origin is now known to the clients that remember it
      for (const streamed of [false, true]) {
        await ipc('drop', { url }); // a new connection: the upload goes with a handshake
        await ipc('reset', { url });
        let r;
        try {
          r = await client.post(url, streamed ? Readable.from(chunks(body)) : body);
        } catch (error) {
          cells.push(`fails (${String(error.message ?? error).slice(0, 60)})`);
          continue;
        }
        const s = await ipc('stats', { url });
        cells.push(
          r.status === 200
            ? `${fmt(s.bodyBytes / UPLOAD, 2)}× (${fmt(s.bodyBytes)})`
            : `status ${r.status} (${fmt(s.bodyBytes)} bytes sent)`,
        );
        if (streamed)
          intact =
            r.status === 200 && r.json?.bodySha256 === sha
              ? 'yes'
              : `no (${fmt(r.json?.bodyLength ?? 0)} bytes arrived)`;
      }
    } finally {
      await client.close();
    }
    log(`| ${kind} | ${cells.join(' | ')} | ${intact} |`);
  }
  await ipc('stopAll');
}
log();

function* chunks(buffer) {
  for (let i = 0; i < buffer.length; i += 64 * 1024) yield buffer.subarray(i, i + 64 * 1024);
}

// --- 4. Token creation (bench/tokens.mjs; runs alone with `node bench/tokens.mjs`) ---
if (runs('tokens')) await tokenCreation({ log, fmt, quick: QUICK });

// --- 5. Soak ---
log(`## 5. Soak: ${fmt(SOAK)} requests at concurrency 64, pool of 16 connections`);
log();
log('| adapter | req/s | errors | max open sockets (server) | pool size | heap growth | RSS growth |');
log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
if (runs('soak')) {
  const url = await ipc('start', { authenticate: true });
  for (const kind of ['ntlmkit undici', 'ntlmkit fetch', 'ntlmkit axios']) {
    await ipc('drop', { url });
    const client = makeClient(kind, { connections: 16 });
    await load(client, url, 64, 64);
    await ipc('reset', { url });
    global.gc?.();
    const before = process.memoryUsage();
    const r = await load(client, url, SOAK, 64);
    global.gc?.();
    const after = process.memoryUsage();
    const s = await ipc('stats', { url });
    await client.close();
    const mb = (b) => `${fmt(b / 1024 / 1024, 1)} MB`;
    log(
      `| ${kind} | ${fmt(r.rps)} | ${fmt(r.failures)} | ${s.maxOpen} | 16 | ${mb(after.heapUsed - before.heapUsed)} | ${mb(after.rss - before.rss)} |`,
    );
  }
  await ipc('stopAll');
}
log();
if (!global.gc) log('(Run with `node --expose-gc` for heap figures after a full collection.)');

// --- 6. The same clients against a real third-party server, where its Debian packages are installed ---
const apacheModule = '/usr/lib/apache2/modules/mod_auth_gssapi.so';
if (!runs('apache')) {
  // not asked for (BENCH_ONLY)
} else if (existsSync('/usr/sbin/apache2') && existsSync(apacheModule)) {
  const script = join(here, '..', 'test', 'peers', 'apache-ntlm');
  // A fresh Apache per client: a client that leaves idle keep-alive connections behind (httpntlm opens
  // a new agent per call) would otherwise hold Apache's workers and slow down whoever comes next.
  // A port the system just handed out (a random one may be taken by a test running beside us).
  const freePort = () =>
    new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
  const withApache = async (fn) => {
    const dir = mkdtempSync(join(tmpdir(), 'ntlmkit-bench-apache-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    try {
      // mod_auth_gssapi's debug lines (the interop tests' log level) would cost every authenticated request.
      execFileSync('sh', [join(script, 'start.sh'), String(port), dir], {
        stdio: 'pipe',
        // Both worker processes from the start (50 threads for 32 connections): with one, Apache's event MPM
        // closes keep-alive connections (one between a CHALLENGE and its AUTHENTICATE too) while its 25
        // threads are all busy, and the bench would measure an overloaded server.
        env: { ...process.env, APACHE_LOG_LEVEL: 'warn', APACHE_START_SERVERS: '2' },
      });
      return await fn(`http://127.0.0.1:${port}`);
    } finally {
      try {
        execFileSync('sh', [join(script, 'stop.sh'), dir], { stdio: 'pipe' });
      } catch {
        // it was not started
      }
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const n = QUICK ? 40 : 1000;
  log(
    `## 6. Against Apache + mod_auth_gssapi + gss-ntlmssp (${howRun(n, 'each ntlmkit adapter and its baseline on the same Apache')}; ratio: the median of the per-round ratios; 32 connections per client at c=32; NTLM clients get /index.html, the baselines the same Apache's unauthenticated /public/index.html)`,
  );
  log();
  log('| client | c=1 | c=32 |');
  log('| --- | ---: | ---: |');
  const rows = {};
  // An ntlmkit adapter and its baseline share an Apache (their ratio is measured side by side); every other
  // client gets one of its own.
  const all = measured([...NTLM_CLIENTS, ...Object.values(BASELINES)]);
  const groups = [];
  for (const kind of all) {
    const partner = kind.startsWith('ntlmkit ') ? BASELINES[makeClient(kind).library] : undefined;
    if (groups.some((g) => g.includes(kind))) continue;
    groups.push(partner && all.includes(partner) ? [kind, partner] : [kind]);
  }
  for (const group of groups) {
    await withApache(async (base) => {
      for (const c of [1, 32]) {
        // 32 connections for every client at c=32, as in section 2.
        const entries = group.map((kind) => ({
          key: kind,
          client: makeClient(kind, c === 32 ? { connections: 32 } : {}),
          url: kind.startsWith('baseline') ? `${base}/public/index.html` : `${base}/index.html`,
        }));
        try {
          // A few requests one at a time first (the first handshakes, the JIT).
          const first = {};
          for (const e of entries) first[e.key] = (await load(e.client, e.url, QUICK ? 2 : 20, 1)).failures;
          const cell = await measureTogether(entries, Math.max(c, QUICK ? 5 : 100), n, c);
          for (const kind of group)
            (rows[kind] ??= {})[c] = { ...cell[kind], failures: cell[kind].failures + first[kind] };
        } finally {
          for (const e of entries) await e.client.close();
        }
      }
    });
  }
  for (const [kind, r] of Object.entries(rows)) {
    const base = rows[BASELINES[makeClient(kind).library]];
    log(
      `| ${kind} | ${[1, 32].map((c) => `${fmt(r[c].rps)}${kind.startsWith('baseline') ? '' : ` (${fmt(ratioTo(r[c], base[c]), 2)}×)`}${r[c].failures ? ` **${fmt(r[c].failures)} failed**` : ''}`).join(' | ')} |`,
    );
  }
  log();
  log(
    "(gss-ntlmssp rejects a NEGOTIATE shorter than 40 bytes and NTLMv1. A failure is a request that did not end in a 200; the plain clients' few are keep-alive connections Apache closed under load (undici reports UND_ERR_SOCKET), which they do not retry.)",
  );
  log();
} else {
  log('## 6. Against Apache + gss-ntlmssp: skipped (apt-get install apache2 libapache2-mod-auth-gssapi gss-ntlmssp)');
  log();
}

// --- 7. Many users through one client (bench/many-users.mjs; alone: `node --expose-gc bench/many-users.mjs`) ---
if (runs('many-users')) await manyUsers({ log, fmt, quick: QUICK, ipc });

// --- 8. Handshake-bound workloads: every request pays a new connection (and TLS) and, for NTLM, a handshake ---
if (runs('handshakes')) {
  const n = QUICK ? 30 : 1000;
  const cases = [
    { label: 'HTTP, closed after every response', https: false },
    { label: 'HTTPS, closed after every response, channel binding checked', https: true },
  ];
  log(
    `## 8. Handshake-bound workloads (${howRun(n, 'the clients of a column')}; ratio to the same library's unauthenticated new-connection baseline: the median of the ${ROUNDS} per-round ratios)`,
  );
  log();
  log(
    'The server closes the connection after every response, so every request opens a new connection (over HTTPS a TLS handshake too; ntlmkit resumes TLS sessions) and, for NTLM, runs a handshake on it: two exchanges per request to a known origin instead of one. Channel bindings: `tokenChecking: allow` (checked when sent; axios-ntlm and httpntlm send none).',
  );
  log();
  log(`| client | ${cases.flatMap((c) => [`${c.label}, c=1`, `${c.label}, c=8`]).join(' | ')} |`);
  log(`| --- | ${cases.flatMap(() => ['---:', '---:']).join(' | ')} |`);
  const rows = {};
  for (const cond of cases) {
    const authUrl = await ipc('start', {
      authenticate: true,
      closeEach: true,
      https: cond.https,
      tokenChecking: 'allow',
    });
    const plainUrl = await ipc('start', { authenticate: false, closeEach: true, https: cond.https });
    for (const c of [1, 8]) {
      const entries = sideBySide([...NTLM_CLIENTS, ...Object.values(BASELINES)]).map((kind) => {
        const client = makeClient(kind, { insecure: cond.https });
        return { key: kind, client, url: client.auth ? authUrl : plainUrl };
      });
      try {
        const cell = await measureTogether(entries, Math.max(c, QUICK ? 5 : 50), n, c);
        for (const e of entries) (rows[e.key] ??= {})[`${cond.label} ${c}`] = cell[e.key];
      } finally {
        for (const e of entries) await e.client.close();
      }
    }
    await ipc('stopAll');
  }
  for (const kind of [...NTLM_CLIENTS, ...Object.values(BASELINES)]) {
    const base = rows[BASELINES[makeClient(kind).library]];
    const cells = cases.flatMap((cond) =>
      [1, 8].map((c) => {
        const key = `${cond.label} ${c}`;
        const r = rows[kind][key];
        const ratio = kind.startsWith('baseline') ? '' : ` (${fmt(ratioTo(r, base[key]), 2)}×)`;
        return `${fmt(r.rps)}${ratio}${r.failures ? ` **${fmt(r.failures)} failed**` : ''}`;
      }),
    );
    log(`| ${kind} | ${cells.join(' | ')} |`);
  }
  log();
  const vs = (kind, key) => (rows.httpntlm[key].rps ? `${fmt(rows[kind][key].rps / rows.httpntlm[key].rps, 2)}×` : '∞');
  for (const cond of cases) {
    for (const c of [1, 8]) {
      const key = `${cond.label} ${c}`;
      log(
        `- ${cond.label}, c=${c}, against httpntlm: ${['ntlmkit undici', 'ntlmkit fetch', 'ntlmkit axios'].map((k) => `${k} ${vs(k, key)}`).join(', ')}.`,
      );
    }
  }
  log();
}

// --- chart ---
// Quick figures are not meaningful: they never replace the committed chart.
// A run of some sections, clients or columns only writes results.only.md.
const PARTIAL = Boolean(ONLY || CONDITIONS || process.env.BENCH_CLIENTS);
if (!QUICK && !PARTIAL) {
  writeFileSync(join(here, 'throughput.svg'), chart());
  log("Chart: [throughput.svg](throughput.svg) (ratio to the same library's unauthenticated baseline).");
}
const results = `${out.join('\n')}\n`;
writeFileSync(join(here, PARTIAL ? 'results.only.md' : QUICK ? 'results.quick.md' : 'results.md'), results);
// A full run also renews the README's figures (bench/readme.mjs), so that both show the same run.
if (!QUICK && !PARTIAL) updateReadme(results);
server.stop();

function chart() {
  const labels = ['c=1', 'c=32', 'c=32, pool 8', 'c=32, 2 ms'];
  const colors = ['#4c78a8', '#f58518', '#54a24b', '#b279a2'];
  const rows = NTLM_CLIENTS;
  const barH = 12;
  const groupH = labels.length * barH + 16;
  const width = 720;
  const left = 130;
  const scale = (width - left - 80) / 1.2;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${rows.length * groupH + 70}" font-family="sans-serif" font-size="11">`;
  svg += `<text x="10" y="18" font-size="14" font-weight="bold">Throughput as a share of the unauthenticated keep-alive baseline</text>`;
  labels.forEach(
    (l, i) =>
      (svg += `<rect x="${left + i * 140}" y="28" width="10" height="10" fill="${colors[i]}"/><text x="${left + i * 140 + 14}" y="37">${l}</text>`),
  );
  rows.forEach((kind, r) => {
    const y0 = 50 + r * groupH;
    svg += `<text x="10" y="${y0 + groupH / 2}">${kind}</text>`;
    labels.forEach((label, i) => {
      const t = throughput[kind][label];
      const base = throughput[BASELINES[makeClient(kind).library]][label];
      const ratio = t.failures ? 0 : Math.min(ratioTo(t, base), 1.2);
      const y = y0 + i * barH;
      svg += `<rect x="${left}" y="${y}" width="${Math.max(ratio * scale, 1)}" height="${barH - 2}" fill="${colors[i]}"/>`;
      svg += `<text x="${left + ratio * scale + 4}" y="${y + barH - 3}">${t.failures ? `${t.failures} failed` : `${ratioTo(t, base).toFixed(2)}×`}</text>`;
    });
  });
  svg += `<line x1="${left + scale}" y1="45" x2="${left + scale}" y2="${rows.length * groupH + 50}" stroke="#999" stroke-dasharray="3,3"/><text x="${left + scale - 8}" y="${rows.length * groupH + 62}">1.0</text>`;
  return `${svg}</svg>\n`;
}
