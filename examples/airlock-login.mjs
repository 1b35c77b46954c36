// A small login back end behind an Airlock Gateway: after a successful login it hands the user's
// NTLM credentials to the gateway for the "exchange" mapping, with an AL_CONTROL cookie.
// Run as is: it starts on loopback, logs in once itself, prints the Set-Cookie headers and exits.
import http from 'node:http';
import { ntlmCredentials, auditToken, sendControlCookie, parseControlCookie } from '@ntlmkit/airlock';

const users = { alice: { password: 'Passw0rd!', domain: 'EXAMPLE' } }; // your directory check goes here

const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/login') {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const user = users[username];
  if (!user || user.password !== password) {
    res.writeHead(401, { 'content-type': 'text/plain' }).end('login failed\n');
    return;
  }
  res.setHeader('set-cookie', 'login_state=done; HttpOnly; Path=/'); // other cookies stay intact
  sendControlCookie(res, [
    ntlmCredentials({ domain: user.domain, username, password, mapping: 'exchange' }),
    auditToken(username),
  ]);
  res.writeHead(200, { 'content-type': 'text/plain' }).end('welcome\n');
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const response = await fetch(`http://127.0.0.1:${port}/login`, {
  method: 'POST',
  body: new URLSearchParams({ username: 'alice', password: 'Passw0rd!' }),
});
console.log(response.status, await response.text());
for (const cookie of response.headers.getSetCookie()) {
  console.log(`Set-Cookie: ${cookie}`);
  if (cookie.startsWith('AL_CONTROL=')) {
    const { commands } = parseControlCookie(cookie);
    // What the gateway will read. Printing a definition shows the user, never the password.
    console.log(JSON.stringify(commands));
  }
}
server.close();
