// What every consumer (ESM, CommonJS, TypeScript) does with the packages it loaded its own way:
// authenticate against an embedded @ntlmkit/server through undici, fetch and axios, over HTTP and
// over HTTPS with the channel binding required (EPA). The caller passes the modules in.
module.exports = async function scenario({ core, ntlmUndici, ntlmAxios, airlock, server, undici, https }) {
  const users = { 'EXAMPLE\\alice': 'Passw0rd!' };
  const credentials = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
  const outcomes = [];
  const plain = server.createNtlmServer({ users });
  const secure = server.createNtlmServer({ users, https: true, tokenChecking: 'require' });
  for (const s of [plain, secure])
    s.on('ntlm', (o) =>
      outcomes.push({ ok: o.ok, user: o.user, dialect: o.dialect, mic: o.mic, channelBinding: o.channelBinding }),
    );
  const urls = { http: await plain.start(), https: (await secure.start()).replace('127.0.0.1', 'localhost') };
  const tls = { ca: secure.certificate };
  const results = [];
  try {
    for (const [scheme, url] of Object.entries(urls)) {
      const dispatcher = new ntlmUndici.NtlmDispatcher({ credentials, connect: tls });
      const r = await undici.request(`${url}/undici`, { dispatcher });
      results.push({ client: 'undici', scheme, status: r.statusCode, user: (await r.body.json()).user });
      await dispatcher.close();

      const ntlmFetch = ntlmUndici.createNtlmFetch({ credentials, connect: tls });
      const f = await ntlmFetch(`${url}/fetch`);
      results.push({ client: 'fetch', scheme, status: f.status, user: (await f.json()).user });
      await ntlmFetch.close();

      const api = ntlmAxios.createNtlmAxios({ credentials, httpsAgent: new https.Agent(tls) });
      const a = await api.get(`${url}/axios`);
      results.push({ client: 'axios', scheme, status: a.status, user: a.data.user });
      api.ntlm.destroy();
    }
  } finally {
    await plain.stop();
    await secure.stop();
  }
  let tokenError;
  try {
    core.decodeToken('TlRMTVNTUAAJAAAA');
  } catch (error) {
    tokenError = {
      isNtlmError: core.isNtlmError(error),
      instanceOf: error instanceof core.NtlmError,
      code: error.code,
    };
  }
  const cookie = airlock.controlCookie(
    airlock.ntlmCredentials({ domain: 'CORP', username: 'alice', password: 'p:w', mapping: 'exchange' }),
  );
  return { results, outcomes, tokenError, cookie };
};
