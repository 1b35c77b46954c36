// A TypeScript consumer of the installed tarballs, compiled with `nodenext` and with `bundler`
// resolution (strict, declarations checked: no skipLibCheck), then run.
import { Agent } from 'node:https';
import { request, type Dispatcher } from 'undici';
import { decodeToken, isNtlmError, type Credentials, type DecodedToken } from '@ntlmkit/core';
import { NtlmHttpEngine } from '@ntlmkit/core/http';
import { NtlmDispatcher, createNtlmFetch } from '@ntlmkit/undici';
import { createNtlmAxios } from '@ntlmkit/axios';
import { controlCookie, ntlmCredentials } from '@ntlmkit/airlock';
import { createNtlmServer } from '@ntlmkit/server';

interface Result {
  client: string;
  scheme: string;
  status: number;
  user: string;
}

const credentials: Credentials = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const users = { 'EXAMPLE\\alice': 'Passw0rd!' };
const plain = createNtlmServer({ users });
const secure = createNtlmServer({ users, https: true, tokenChecking: 'require' });
const outcomes: unknown[] = [];
for (const s of [plain, secure])
  s.on('ntlm', (o) =>
    outcomes.push({ ok: o.ok, user: o.user, dialect: o.dialect, mic: o.mic, channelBinding: o.channelBinding }),
  );
const urls: Record<string, string> = {
  http: await plain.start(),
  https: (await secure.start()).replace('127.0.0.1', 'localhost'),
};
const tls = { ca: secure.certificate };
const results: Result[] = [];
try {
  for (const [scheme, url] of Object.entries(urls)) {
    const dispatcher = new NtlmDispatcher({ credentials, connect: tls });
    const r: Dispatcher.ResponseData = await request(`${url}/undici`, { dispatcher });
    const body = (await r.body.json()) as { user: string };
    results.push({ client: 'undici', scheme, status: r.statusCode, user: body.user });
    await dispatcher.close();

    const ntlmFetch = createNtlmFetch({ credentials, connect: tls });
    const f = await ntlmFetch(`${url}/fetch`);
    results.push({ client: 'fetch', scheme, status: f.status, user: ((await f.json()) as { user: string }).user });
    await ntlmFetch.close();

    const api = createNtlmAxios({ credentials, httpsAgent: new Agent(tls) });
    const a = await api.get<{ user: string }>(`${url}/axios`);
    results.push({ client: 'axios', scheme, status: a.status, user: a.data.user });
    api.ntlm.destroy();
  }
} finally {
  await plain.stop();
  await secure.stop();
}
let tokenError: { isNtlmError: boolean; code?: string } | undefined;
try {
  const decoded: DecodedToken = decodeToken('TlRMTVNTUAAJAAAA');
  console.error('decoded a broken token', decoded.name);
} catch (error) {
  tokenError = { isNtlmError: isNtlmError(error), code: isNtlmError(error) ? error.code : undefined };
}
const cookie: string = controlCookie(
  ntlmCredentials({ domain: 'CORP', username: 'alice', password: 'p:w', mapping: 'exchange' }),
);
console.log(JSON.stringify({ results, outcomes, tokenError, cookie, subpath: typeof NtlmHttpEngine }));
