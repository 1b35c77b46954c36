import { createRequire } from 'node:module';
import '@ntlmkit/core/node';
import { createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, parseChallengeMessage, utf16le, AvId, dateToFiletime, toBase64 } from '@ntlmkit/core';
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
const impls = {
  ours: () => createAuthenticateMessage({ negotiate, challenge, ...user }),
  oursNoMic: () => createAuthenticateMessage({ negotiate, challenge, ...user, mic: false }),
  ews: () => ews.createType3Message(type2, 'alice', 'Passw0rd!', '', 'EXAMPLE'),
};
const best = {};
for (let r = 0; r < 30; r++) for (const [k, fn] of Object.entries(impls)) {
  for (let i = 0; i < 500; i++) fn();
  globalThis.gc?.();
  const t = performance.now(); let n = 0;
  while (performance.now() - t < 100) { for (let i = 0; i < 50; i++) fn(); n += 50; }
  const rate = n / (performance.now() - t) * 1000;
  best[k] = Math.max(best[k] ?? 0, rate);
}
console.log(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v)])), 'mic ratio', (best.ours / best.ews).toFixed(2), 'nomic ratio', (best.oursNoMic / best.ews).toFixed(2));
