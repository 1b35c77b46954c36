// Section 4 of `pnpm bench`: AUTHENTICATE messages per second, ntlmkit beside the JS peers.
// Runs alone with `node --expose-gc bench/tokens.mjs` (after `npx -y pnpm@10 build`); run.mjs calls it in
// the full run.
// Every row builds the whole message from the password per call (as the peers do), except the two
// "prepared credentials" rows. The isomorphic root uses @noble/hashes; importing @ntlmkit/core/node
// switches MD5/HMAC-MD5 to node:crypto (same bytes), as a Node application or adapter does.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  createAuthenticateMessage,
  createChallengeMessage,
  createNegotiateMessage,
  parseChallengeMessage,
  prepareCredentials,
  toBase64,
  utf16le,
  AvId,
  dateToFiletime,
} from '@ntlmkit/core';

const require = createRequire(import.meta.url);

/** Calls per second over one round (100 ms, after a warm-up). */
function rates(fn, quick) {
  for (let i = 0; i < 200; i++) fn();
  globalThis.gc?.();
  const ms = quick ? 20 : 100;
  let count = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    for (let i = 0; i < 50; i++) fn();
    count += 50;
  }
  return (count / (performance.now() - t)) * 1000;
}

export async function tokenCreation({ log, fmt, quick }) {
  log('## 4. AUTHENTICATE messages per second (same user, password and CHALLENGE with target info)');
  log();
  log('| implementation | messages/s | ratio to ntlmkit | what it produced |');
  log('| --- | ---: | ---: | --- |');
  const challengeBytes = createChallengeMessage({
    flags: 0xe28a8215,
    serverChallenge: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    targetName: 'EXAMPLE',
    targetInfo: [
      { id: AvId.NbDomainName, value: utf16le('EXAMPLE') },
      { id: AvId.NbComputerName, value: utf16le('SRV') },
      { id: AvId.DnsDomainName, value: utf16le('example.test') },
      { id: AvId.Timestamp, value: dateToFiletime(Date.now()) },
    ],
    version: { major: 10, minor: 0, build: 20348, revision: 15 },
  });
  const header = `NTLM ${toBase64(challengeBytes)}`;
  const negotiate = createNegotiateMessage();
  const challenge = parseChallengeMessage(challengeBytes);
  const user = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
  const credentials = prepareCredentials(user);
  const candidates = [
    [
      '@ntlmkit/core/node',
      () => createAuthenticateMessage({ negotiate, challenge, ...user }),
      'NTLMv2 + MIC (the default)',
    ],
    [
      '@ntlmkit/core/node, mic: false (like for like)',
      () => createAuthenticateMessage({ negotiate, challenge, ...user, mic: false }),
      'NTLMv2, no MIC',
    ],
    // What the HTTP adapters do: the credentials resolved once, NTOWFv2 derived once (prepareCredentials).
    [
      '@ntlmkit/core/node, prepared credentials',
      () => createAuthenticateMessage({ negotiate, challenge, credentials }),
      'NTLMv2 + MIC',
    ],
    [
      '@ntlmkit/core/node, prepared credentials, mic: false',
      () => createAuthenticateMessage({ negotiate, challenge, credentials, mic: false }),
      'NTLMv2, no MIC',
    ],
  ];
  try {
    const ntlm = require('httpntlm').ntlm;
    const type2 = ntlm.parseType2Message(header, (e) => {
      if (e) throw e;
    });
    const fn = () =>
      ntlm.createType3Message(type2, { username: 'alice', password: 'Passw0rd!', domain: 'EXAMPLE', workstation: '' });
    fn();
    candidates.push(['httpntlm', fn, 'NTLMv2, no MIC']);
  } catch (error) {
    candidates.push(['httpntlm', undefined, `fails: ${String(error.message).slice(0, 60)}`]);
  }
  try {
    const ews = require('@ewsjs/ntlm-client');
    const type2 = ews.decodeType2Message(header);
    const fn = () => ews.createType3Message(type2, 'alice', 'Passw0rd!', '', 'EXAMPLE');
    fn();
    candidates.push(['@ewsjs/ntlm-client', fn, 'NTLMv2, no MIC']);
  } catch (error) {
    candidates.push(['@ewsjs/ntlm-client', undefined, `fails: ${String(error.message).slice(0, 60)}`]);
  }
  // The isomorphic root before @ntlmkit/core/node is loaded (the hash implementation is process-wide).
  const isomorphic = rates(() => createAuthenticateMessage({ negotiate, challenge, ...user }), quick);
  await import('@ntlmkit/core/node'); // from here on: node:crypto's MD5 and HMAC-MD5
  // Interleaved short rounds, best round per implementation: on a shared machine a load spike then
  // slows every implementation's rounds alike instead of whichever happened to run during it.
  const best = new Map();
  const rounds = quick ? 2 : 20;
  const runnable = candidates.filter(([, fn]) => fn);
  for (let round = 0; round < rounds; round++) {
    // A different order each round, and a collection before each (with --expose-gc), so that no
    // implementation pays for the garbage of the one before it.
    for (let k = 0; k < runnable.length; k++) {
      const [name, fn] = runnable[(k + round) % runnable.length];
      best.set(name, Math.max(best.get(name) ?? 0, rates(fn, quick)));
    }
  }
  const results = candidates.map(([name, fn, what]) => [name, fn ? best.get(name) : NaN, what]);
  results.push(['@ntlmkit/core (isomorphic root, @noble/hashes)', isomorphic, 'NTLMv2 + MIC']);
  const ours = results[0][1];
  for (const [name, rate, what] of results) log(`| ${name} | ${fmt(rate)} | ${fmt(rate / ours, 2)}× | ${what} |`);
  const rate = (name) => results.find((r) => r[0] === name)[1];
  const fastest = Math.max(...['httpntlm', '@ewsjs/ntlm-client'].map(rate).filter((r) => !Number.isNaN(r)));
  log();
  log(
    `Against the fastest competitor (${fmt(fastest)}/s, no MIC), on Node (@ntlmkit/core/node), per call from the password: ` +
      `with the MIC ${fmt(rate('@ntlmkit/core/node') / fastest, 2)}×, like for like (no MIC) ${fmt(rate('@ntlmkit/core/node, mic: false (like for like)') / fastest, 2)}×; ` +
      `with prepared credentials ${fmt(rate('@ntlmkit/core/node, prepared credentials') / fastest, 2)}× and ${fmt(rate('@ntlmkit/core/node, prepared credentials, mic: false') / fastest, 2)}×. ` +
      `The isomorphic root (@noble/hashes) with the MIC: ${fmt(isomorphic / fastest, 2)}×.`,
  );
  log();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fmt = (n, digits = 0) =>
    n === undefined || Number.isNaN(n)
      ? '—'
      : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  await tokenCreation({ log: (line = '') => console.log(line), fmt, quick: process.env.BENCH_QUICK === '1' });
}
