// overhead with fake crypto, best of many interleaved rounds
import { createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, parseChallengeMessage, utf16le, AvId, dateToFiletime, crypto } from '@ntlmkit/core';
const challengeBytes = createChallengeMessage({
  flags: 0xe28a8215, serverChallenge: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), targetName: 'EXAMPLE',
  targetInfo: [
    { id: AvId.NbDomainName, value: utf16le('EXAMPLE') }, { id: AvId.NbComputerName, value: utf16le('SRV') },
    { id: AvId.DnsDomainName, value: utf16le('example.test') }, { id: AvId.Timestamp, value: dateToFiletime(Date.now()) },
  ],
  version: { major: 10, minor: 0, build: 20348, revision: 15 },
});
const negotiate = createNegotiateMessage();
const challenge = parseChallengeMessage(challengeBytes);
const user = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const K = new Uint8Array(16).fill(1);
crypto.useHashProvider({ name: 'fake', md5: () => K, hmacMd5: () => K, macKey: () => ({ mac: () => K }) });
const fns = { full: () => createAuthenticateMessage({ negotiate, challenge, ...user }), rc4: () => crypto.rc4(K, K), md4: () => crypto.md4(K) };
const best = {};
for (let r = 0; r < 20; r++) for (const [k, fn] of Object.entries(fns)) {
  for (let i = 0; i < 500; i++) fn();
  globalThis.gc?.();
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 100) { for (let i = 0; i < 50; i++) fn(); n += 50; }
  best[k] = Math.min(best[k] ?? 1e9, (performance.now() - t) * 1000 / n);
}
console.log(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.toFixed(3)])));
