// An Airlock login application, tried end to end on one machine: a login back end that hands the user's
// NTLM credentials to the gateway in an AL_CONTROL cookie, the development gateway of @ntlmkit/airlock,
// and an NTLM back end (@ntlmkit/server) that reports who it authenticated. Two browsers log in as two
// users; each one's requests reach the back end as that user. Run as is: it starts everything on
// loopback, prints what happens and exits. NODE_DEBUG=ntlm-gateway prints the gateway's log too.
import http from 'node:http';
import { createNtlmServer } from '@ntlmkit/server';
import { createAirlockDevGateway, ntlmCredentials, sendControlCookie } from '@ntlmkit/airlock';

// The directory the login application checks passwords against, and the NTLM back end's user table.
const directory = { alice: 'Alice-Passw0rd!', bob: 'B0b-secret:with,separators@%' };
const backend = createNtlmServer({
  users: Object.fromEntries(Object.entries(directory).map(([user, password]) => [`EXAMPLE\\${user}`, password])),
});

// The login application: a form post; on success, the control cookie for the "exchange" mapping.
const login = http.createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  if (req.method !== 'POST' || directory[username] !== password) {
    res.writeHead(401, { 'content-type': 'text/plain' }).end('login failed\n');
    return;
  }
  res.setHeader('set-cookie', 'login_state=done; Path=/; HttpOnly'); // passes the gateway untouched
  sendControlCookie(res, ntlmCredentials({ domain: 'EXAMPLE', username, password, mapping: 'exchange' }));
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`welcome, ${username}\n`);
});

const backendUrl = await backend.start();
await new Promise((resolve) => login.listen(0, '127.0.0.1', resolve));
const gateway = createAirlockDevGateway({
  mappings: [
    { name: 'login', path: '/auth', backend: `http://127.0.0.1:${login.address().port}/` },
    { name: 'exchange', path: '/ews', backend: `${backendUrl}/EWS`, ntlm: true },
  ],
  log: (line) => console.log(`  gateway: ${line}`),
});
const url = await gateway.start();
console.log(`gateway on ${url}`);

// A browser: keeps the gateway's cookies and sends them back.
function browser() {
  const jar = new Map();
  return async (path, init = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${url}${path}`, {
      ...init,
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  };
}

let wrong = 0;
for (const [username, password] of Object.entries(directory)) {
  const visit = browser();
  const loggedIn = await visit('/auth/login', { method: 'POST', body: new URLSearchParams({ username, password }) });
  const cookies = loggedIn.headers.getSetCookie().map((c) => c.split('=')[0]);
  console.log(`${username} logs in: ${loggedIn.status}; cookies the browser gets: ${cookies.join(', ')}`);
  for (const path of ['/ews/Exchange.asmx', '/ews/Services.wsdl']) {
    const response = await visit(path);
    const seen = await response.json();
    console.log(`${username} GET ${path}: ${response.status}, the back end saw ${seen.user} at ${seen.path}`);
    if (seen.user !== `EXAMPLE\\${username}`) wrong++;
  }
}
await gateway.stop();
await backend.stop();
login.close();
if (wrong) {
  console.error(`${wrong} requests reached the back end as the wrong user`);
  process.exit(1);
}
