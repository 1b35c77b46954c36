// A fetch function with NTLM: same signature as fetch.
import { createNtlmFetch } from '@ntlmkit/undici';
import { target } from './target.mjs';

const { url, credentials, tls, stop } = await target();
const fetch = createNtlmFetch({ credentials, connect: tls });
try {
  const response = await fetch(`${url}/api/items`);
  console.log(response.status, await response.json());
} finally {
  await fetch.close();
  await stop();
}
