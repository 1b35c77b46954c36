// NTLM through a corporate proxy (407) with undici and axios: separate proxy and origin credentials.
// Runs as is against an embedded NTLM proxy and origin; set NTLM_PROXY (and NTLM_PROXY_USER /
// NTLM_PROXY_PASSWORD) plus NTLM_URL / NTLM_USER / NTLM_PASSWORD to use real ones.
import https from 'node:https';
import { request } from 'undici';
import { NtlmProxyAgent } from '@ntlmkit/undici';
import { createNtlmAxios } from '@ntlmkit/axios';
import { createNtlmProxy } from '@ntlmkit/server';
import { target } from './target.mjs';

const { url, credentials, tls, stop } = await target();
let proxyUri = process.env.NTLM_PROXY;
let proxyCredentials = { username: process.env.NTLM_PROXY_USER ?? '', password: process.env.NTLM_PROXY_PASSWORD ?? '' };
let proxy;
if (!proxyUri) {
  proxy = createNtlmProxy({ users: { 'CORP\\proxyuser': 'Pr0xy!' } });
  proxyUri = await proxy.start();
  proxyCredentials = { username: 'CORP\\proxyuser', password: 'Pr0xy!' };
}

const dispatcher = new NtlmProxyAgent({ uri: proxyUri, proxyCredentials, credentials, connect: tls });
const api = createNtlmAxios({
  credentials,
  ntlmProxy: { uri: proxyUri, credentials: proxyCredentials },
  httpsAgent: new https.Agent(tls),
});
try {
  const r = await request(`${url}/through-the-proxy`, { dispatcher });
  console.log('undici', r.statusCode, await r.body.text());
  const a = await api.get(`${url}/through-the-proxy`);
  console.log('axios', a.status, a.data);
} finally {
  await dispatcher.close();
  api.ntlm.destroy();
  await proxy?.stop();
  await stop();
}
