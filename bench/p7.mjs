import { createRequire } from 'node:module';
import { nodeHashProvider } from '@ntlmkit/core/node';
import { createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, parseChallengeMessage, utf16le, AvId, dateToFiletime, toBase64, crypto } from '@ntlmkit/core';
const require = createRequire(import.meta.url);
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
const ews = require('@ewsjs/ntlm-client');
const type2 = ews.decodeType2Message(`NTLM ${toBase64(challengeBytes)}`);
const K = new Uint8Array(16).fill(1);
const fake = { name: 'fake', md5: () => K, hmacMd5: () => K, macKey: () => ({ mac: () => K }) };
const ours = () => createAuthenticateMessage({ negotiate, challenge, ...user });
const impls = {
  oursNode: [nodeHashProvider, ours],
  oursFake: [fake, ours],
  ews: [nodeHashProvider, () => ews.createType3Message(type2, 'alice', 'Passw0rd!', '', 'EXAMPLE')],
};
const best = {};
for (let r = 0; r < 25; r++) for (const [k, [prov, fn]] of Object.entries(impls)) {
  crypto.useHashProvider(prov);
  for (let i = 0; i < 500; i++) fn();
  globalThis.gc?.();
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 100) { for (let i = 0; i < 50; i++) fn(); n += 50; }
  best[k] = Math.max(best[k] ?? 0, n / (performance.now() - t) * 1000);
}
const us = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, (1e6 / v).toFixed(2) + 'us']));
console.log(us, 'crypto in situ', (1e6 / best.oursNode - 1e6 / best.oursFake).toFixed(2));
