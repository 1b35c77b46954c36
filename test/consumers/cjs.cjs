// A CommonJS consumer of the installed tarballs.
const https = require('node:https');
const undici = require('undici');
const core = require('@ntlmkit/core');
const ntlmUndici = require('@ntlmkit/undici');
const ntlmAxios = require('@ntlmkit/axios');
const airlock = require('@ntlmkit/airlock');
const server = require('@ntlmkit/server');
const { NtlmHttpEngine } = require('@ntlmkit/core/http');
const scenario = require('./scenario.cjs');

scenario({ core, ntlmUndici, ntlmAxios, airlock, server, undici, https }).then((out) => {
  const resolved = ['@ntlmkit/core', '@ntlmkit/undici', '@ntlmkit/axios', '@ntlmkit/airlock', '@ntlmkit/server'].map(
    (m) => require.resolve(m),
  );
  console.log(JSON.stringify({ ...out, resolved, subpath: typeof NtlmHttpEngine }));
});
