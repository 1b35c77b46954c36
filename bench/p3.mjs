import '@ntlmkit/core/node';
import { createAuthenticateMessage, createChallengeMessage, createNegotiateMessage, parseChallengeMessage, utf16le, AvId, dateToFiletime, prepareCredentials } from '@ntlmkit/core';
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
const credentials = prepareCredentials(user);
function bench(name, fn, n = 50000) {
  for (let i = 0; i < 5000; i++) fn();
  globalThis.gc?.();
  const t = performance.now(); const c = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const cpu = process.cpuUsage(c);
  console.log(name.padEnd(44), ((performance.now() - t) * 1000 / n).toFixed(3), 'us wall', ((cpu.user + cpu.system) / n).toFixed(3), 'us cpu');
}
for (let r = 0; r < 3; r++) {
bench('per call mic', () => createAuthenticateMessage({ negotiate, challenge, ...user }));
bench('per call no mic', () => createAuthenticateMessage({ negotiate, challenge, ...user, mic: false }));
bench('prepared mic', () => createAuthenticateMessage({ negotiate, challenge, credentials }));
bench('prepared no mic', () => createAuthenticateMessage({ negotiate, challenge, credentials, mic: false }));
}
