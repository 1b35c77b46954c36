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
function bench(name, fn, n = 100000) {
  for (let i = 0; i < 20000; i++) fn();
  globalThis.gc?.();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  console.log(name.padEnd(30), ((performance.now() - t) * 1000 / n).toFixed(3), 'us');
}
for (let r = 0; r < 5; r++) bench('per call mic, no crypto', () => createAuthenticateMessage({ negotiate, challenge, ...user }));
