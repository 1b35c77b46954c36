// Section 4 of `pnpm bench`: AUTHENTICATE messages per second, ntlmkit beside the JS peers.
// Runs alone with `node bench/tokens.mjs` (after `npx -y pnpm@10 build`); run.mjs calls it in the full run.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, parseChallengeMessage, prepareCredentials, toBase64,
  utf16le, AvId, dateToFiletime,
} from '@ntlmkit/core';

const require = createRequire(import.meta.url);

export async function tokenCreation({ log, fmt, quick }) {
  log('## 4. AUTHENTICATE messages per second (same user, password and CHALLENGE with target info)');
  log();
  log('| implementation | messages/s | ratio to ntlmkit | what it produced |');
  log('| --- | ---: | ---: | --- |');
  const challengeBytes = createChallengeMessage({
    flags: 0xe28a8215, serverChallenge: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), targetName: 'EXAMPLE',
    targetInfo: [
      { id: AvId.NbDomainName, value: utf16le('EXAMPLE') }, { id: AvId.NbComputerName, value: utf16le('SRV') },
      { id: AvId.DnsDomainName, value: utf16le('example.test') }, { id: AvId.Timestamp, value: dateToFiletime(Date.now()) },
    ],
    version: { major: 10, minor: 0, build: 20348, revision: 15 },
  });
  const header = `NTLM ${toBase64(challengeBytes)}`;
  const negotiate = createNegotiateMessage();
  const seconds = quick ? 0.2 : 2;
  const measure = (fn) => {
    for (let i = 0; i < 200; i++) fn();
    let count = 0;
    const t = performance.now();
    while (performance.now() - t < seconds * 1000) {
      for (let i = 0; i < 50; i++) fn();
      count += 50;
    }
    return (count / (performance.now() - t)) * 1000;
  };
  const results = [];
  const challenge = parseChallengeMessage(challengeBytes);
  const user = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
  results.push(['@ntlmkit/core', measure(() => createAuthenticateMessage({ negotiate, challenge, ...user })), 'NTLMv2 + MIC (the default)']);
  results.push(['@ntlmkit/core, mic: false (like for like)', measure(() => createAuthenticateMessage({ negotiate, challenge, ...user, mic: false })), 'NTLMv2, no MIC']);
  // What the HTTP adapters do: the credentials resolved once, NTOWFv2 derived once (prepareCredentials).
  const credentials = prepareCredentials(user);
  results.push(['@ntlmkit/core, prepared credentials', measure(() => createAuthenticateMessage({ negotiate, challenge, credentials })), 'NTLMv2 + MIC']);
  results.push(['@ntlmkit/core, prepared credentials, mic: false', measure(() => createAuthenticateMessage({ negotiate, challenge, credentials, mic: false })), 'NTLMv2, no MIC']);
  try {
    const ntlm = require('httpntlm').ntlm;
    const type2 = ntlm.parseType2Message(header, (e) => { if (e) throw e; });
    results.push(['httpntlm', measure(() => ntlm.createType3Message(type2, { username: 'alice', password: 'Passw0rd!', domain: 'EXAMPLE', workstation: '' })), 'NTLMv2, no MIC']);
  } catch (error) {
    results.push(['httpntlm', NaN, `fails: ${String(error.message).slice(0, 60)}`]);
  }
  try {
    const ews = require('@ewsjs/ntlm-client');
    const type2 = ews.decodeType2Message(header);
    results.push(['@ewsjs/ntlm-client', measure(() => ews.createType3Message(type2, 'alice', 'Passw0rd!', '', 'EXAMPLE')), 'NTLMv2, no MIC']);
  } catch (error) {
    results.push(['@ewsjs/ntlm-client', NaN, `fails: ${String(error.message).slice(0, 60)}`]);
  }
  const ours = results[0][1];
  for (const [name, rate, what] of results) log(`| ${name} | ${fmt(rate)} | ${fmt(rate / ours, 2)}× | ${what} |`);
  const rate = (name) => results.find((r) => r[0] === name)[1];
  const fastest = Math.max(...['httpntlm', '@ewsjs/ntlm-client'].map(rate).filter((r) => !Number.isNaN(r)));
  log();
  log(`Against the fastest competitor (${fmt(fastest)}/s, no MIC): like for like (no MIC) ${fmt(rate('@ntlmkit/core, mic: false (like for like)') / fastest, 2)}× per call, ` +
    `${fmt(rate('@ntlmkit/core, prepared credentials, mic: false') / fastest, 2)}× with prepared credentials; with the MIC ${fmt(rate('@ntlmkit/core') / fastest, 2)}× and ${fmt(rate('@ntlmkit/core, prepared credentials') / fastest, 2)}×.`);
  log();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  await tokenCreation({ log: (line = '') => console.log(line), fmt, quick: process.env.BENCH_QUICK === '1' });
}
