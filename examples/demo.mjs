// pnpm demo: starts the embedded @ntlmkit/server on loopback (HTTP, and HTTPS with channel binding
// required), authenticates through axios, undici request() and fetch, and prints every step as it
// crossed the wire. Exits 0 only if every step succeeded.
import https from 'node:https';
import { request } from 'undici';
import { createNtlmServer } from '@ntlmkit/server';
import { NtlmDispatcher, createNtlmFetch } from '@ntlmkit/undici';
import { createNtlmAxios } from '@ntlmkit/axios';
import { decodeToken } from '@ntlmkit/core';

const credentials = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const color = process.stdout.isTTY ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_c, text) => text;
const dim = (t) => color(2, t);
const ok = (t) => color(32, t);
const bad = (t) => color(31, t);

function tokenSummary(header) {
  const [scheme, token] = String(header).split(' ');
  const d = decodeToken(token);
  const field = (name) => d.fields.find(([k]) => k === name)?.[1];
  const pairs = d.fields.filter(([k]) => k.startsWith('  ')).map(([k, v]) => `${k.trim()}=${v}`);
  switch (d.name) {
    case 'NEGOTIATE':
      return [`${scheme} NEGOTIATE (${d.length} bytes)`, `flags ${field('flags')}`, `version ${field('version')}`];
    case 'CHALLENGE':
      return [
        `${scheme} CHALLENGE (${d.length} bytes)`,
        `flags ${field('flags')}`,
        `server challenge ${field('server challenge')}, target ${field('target name')}`,
        `timestamp ${field('timestamp')}`,
        `target info: ${pairs.join(', ')}`,
      ];
    default:
      return [
        `${scheme} AUTHENTICATE (${d.length} bytes): ${field('dialect')}, user ${field('domain')}\\${field('user')}`,
        `MIC ${field('MIC')}`,
        `channel binding ${field('channel binding')}`,
        `AV pairs: ${pairs.filter((p) => !p.startsWith('MsvAvNb') && !p.startsWith('MsvAvDns')).join(', ')}`,
      ];
  }
}

/** Prints what the server receives and sends, request by request. */
function tap(server) {
  server.on('request', (req, res) => {
    const auth = req.headers.authorization;
    const lines = [`→ ${req.method} ${req.url}${auth ? '' : dim('  (no Authorization header)')}`];
    if (auth) lines.push(...tokenSummary(auth).map((l, i) => (i === 0 ? `  Authorization: ${l}` : `      ${l}`)));
    res.once('finish', () => {
      const challenges = [].concat(res.getHeader('www-authenticate') ?? []);
      lines.push(`← ${res.statusCode}`);
      for (const c of challenges) {
        if (c.includes(' '))
          lines.push(...tokenSummary(c).map((l, i) => (i === 0 ? `  WWW-Authenticate: ${l}` : `      ${l}`)));
        else lines.push(`  WWW-Authenticate: ${c}`);
      }
      const outcome = res.getHeader('x-ntlm-outcome');
      if (outcome) {
        const o = JSON.parse(String(outcome));
        lines.push(
          `  server verdict: ${o.ok ? ok('accepted') : bad(`refused: ${o.reason}`)} user=${o.user} dialect=${o.dialect} MIC=${o.mic ? 'verified' : 'none'} channel binding=${o.channelBinding}${o.spn ? ` SPN=${o.spn}` : ''}`,
        );
      }
      console.log(lines.map((l) => `  ${l}`).join('\n'));
    });
  });
}

const plain = createNtlmServer({ users: { 'EXAMPLE\\alice': 'Passw0rd!' } });
const secure = createNtlmServer({ users: { 'EXAMPLE\\alice': 'Passw0rd!' }, https: true, tokenChecking: 'require' });
tap(plain);
tap(secure);
const httpUrl = await plain.start();
const httpsUrl = (await secure.start()).replace('127.0.0.1', 'localhost');
const tls = { ca: secure.certificate };

const clients = {
  axios: () => {
    const api = createNtlmAxios({ credentials, httpsAgent: new https.Agent(tls) });
    return {
      get: async (url) => {
        const r = await api.get(url);
        return { status: r.status, user: r.data.user };
      },
      close: () => api.ntlm.destroy(),
    };
  },
  'undici request()': () => {
    const dispatcher = new NtlmDispatcher({ credentials, connect: tls });
    return {
      get: async (url) => {
        const r = await request(url, { dispatcher });
        const body = await r.body.json();
        return { status: r.statusCode, user: body.user };
      },
      close: () => dispatcher.close(),
    };
  },
  fetch: () => {
    const f = createNtlmFetch({ credentials, connect: tls });
    return {
      get: async (url) => {
        const r = await f(url);
        const body = await r.json();
        return { status: r.status, user: body.user };
      },
      close: () => f.close(),
    };
  },
};

const results = [];
for (const [name, make] of Object.entries(clients)) {
  for (const [label, base, server] of [
    ['HTTP', httpUrl, plain],
    ['HTTPS, channel binding required', httpsUrl, secure],
  ]) {
    console.log(`\n${color(1, `== ${name} → ${label}`)} ${dim(base)}`);
    const client = make();
    const outcomes = [];
    const listener = (o) => outcomes.push(o);
    server.on('ntlm', listener);
    try {
      const first = await client.get(`${base}/demo`);
      console.log(`  ${dim('… and a second request on the authenticated connection:')}`);
      const second = await client.get(`${base}/again`);
      const o = outcomes.at(-1);
      const good =
        first.status === 200 &&
        second.status === 200 &&
        first.user === 'EXAMPLE\\alice' &&
        o?.ok &&
        o.mic &&
        (label === 'HTTP' || o.channelBinding === 'present');
      results.push([`${name}, ${label}`, good]);
      console.log(`  ${good ? ok('✔') : bad('✘')} ${first.status} as ${first.user}; handshakes ${outcomes.length}`);
    } catch (error) {
      results.push([`${name}, ${label}`, false]);
      console.log(`  ${bad('✘')} ${error.message}`);
    } finally {
      await client.close();
    }
  }
}

await plain.stop();
await secure.stop();
const failed = results.filter(([, good]) => !good);
console.log(
  `\n${failed.length ? bad(`${failed.length} of ${results.length} failed: ${failed.map(([n]) => n).join('; ')}`) : ok(`All ${results.length} authenticated: NTLMv2 with MIC over HTTP, plus channel binding over HTTPS.`)}`,
);
process.exit(failed.length ? 1 : 0);
