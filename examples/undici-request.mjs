// undici's request() through an NtlmDispatcher.
import { request } from 'undici';
import { NtlmDispatcher } from '@ntlmkit/undici';
import { target } from './target.mjs';

const { url, credentials, tls, stop } = await target();
const dispatcher = new NtlmDispatcher({ credentials, connect: tls });
try {
  const { statusCode, body } = await request(`${url}/reports?year=2026`, { dispatcher });
  console.log(statusCode, await body.text());
  const post = await request(`${url}/reports`, {
    dispatcher,
    method: 'POST',
    body: JSON.stringify({ title: 'Q4' }),
    headers: { 'content-type': 'application/json' },
  });
  console.log(post.statusCode, await post.body.text());
} finally {
  await dispatcher.close();
  await stop();
}
