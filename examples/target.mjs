// Where the examples send requests: NTLM_URL / NTLM_USER / NTLM_PASSWORD for a real server,
// otherwise an embedded @ntlmkit/server on loopback (HTTPS, channel binding required).
import { createNtlmServer } from '@ntlmkit/server';

export async function target() {
  if (process.env.NTLM_URL) {
    return {
      url: process.env.NTLM_URL,
      credentials: { username: process.env.NTLM_USER ?? '', password: process.env.NTLM_PASSWORD ?? '' },
      tls: { rejectUnauthorized: process.env.NTLM_INSECURE !== '1' },
      stop: async () => {},
    };
  }
  const server = createNtlmServer({ users: { 'EXAMPLE\\alice': 'Passw0rd!' }, https: true, tokenChecking: 'require' });
  const url = await server.start();
  return {
    url,
    credentials: { username: 'EXAMPLE\\alice', password: 'Passw0rd!' },
    // Trust the embedded server's self-signed certificate, and nothing else.
    tls: { ca: server.certificate, servername: 'localhost' },
    stop: () => server.stop(),
  };
}
