// NTLM for every undici request in the process. List the origins that may receive the credentials:
// a global dispatcher also serves redirects, and credentials must not follow them elsewhere.
import { request, setGlobalDispatcher, getGlobalDispatcher } from 'undici';
import { NtlmDispatcher } from '@ntlmkit/undici';
import { target } from './target.mjs';

const { url, credentials, tls, stop } = await target();
const previous = getGlobalDispatcher();
const dispatcher = new NtlmDispatcher({ credentials, connect: tls, origins: [new URL(url).origin] });
setGlobalDispatcher(dispatcher);
try {
  const { statusCode, body } = await request(`${url}/global`);
  console.log(statusCode, await body.text());
} finally {
  setGlobalDispatcher(previous);
  await dispatcher.close();
  await stop();
}
