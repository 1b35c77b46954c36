// The package root exports what the README documents, and nothing of the server's inside (the gate, the
// handshake step, the fault helpers): a change to this list is a change to the public API.
import * as root from '../src/index';

test('the runtime exports of @ntlmkit/server', () => {
  expect(Object.keys(root).sort()).toEqual([
    'NtlmAcceptor', 'Users', 'createNtlmProxy', 'createNtlmServer', 'createSelfSignedCertificate', 'defaultHandler',
  ]);
});
