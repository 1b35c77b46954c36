// axios with NTLM: a new instance, or NTLM added to an instance you already have.
import https from 'node:https';
import axios from 'axios';
import { createNtlmAxios, withNtlm } from '@ntlmkit/axios';
import { target } from './target.mjs';

const { url, credentials, tls, stop } = await target();
const api = createNtlmAxios({ credentials, baseURL: url, httpsAgent: new https.Agent(tls) });
const existing = withNtlm(axios.create({ baseURL: url, httpsAgent: new https.Agent(tls) }), { credentials });
try {
  const { status, data } = await api.get('/ews/items', { params: { folder: 'inbox' } });
  console.log(status, data);
  const posted = await existing.post('/ews/items', { subject: 'hello' });
  console.log(posted.status, posted.data);
} finally {
  api.ntlm.destroy();
  existing.ntlm.destroy();
  await stop();
}
