#!/usr/bin/env node
// Runs @ntlmkit/server by hand:
//   ntlmkit-server --port 8080 --user 'EXAMPLE\alice:Passw0rd!' [--https] [--token-checking require] ...
import { parseArgs } from 'node:util';
import { createNtlmServer } from '../dist/esm/index.js';

const usage = `usage: ntlmkit-server [options]
  --port N                 port on 127.0.0.1 (default 8080; 0 picks a free one)
  --host H                 address to listen on (default 127.0.0.1)
  --user 'DOMAIN\\user:password'   a user (repeatable; default EXAMPLE\\alice:Passw0rd!)
  --https                  HTTPS with a fresh self-signed certificate
  --token-checking MODE    none | allow | require (channel bindings over HTTPS; default allow)
  --schemes S              NTLM | Negotiate | both | both-joined (default both)
  --spn NAME               accepted SPN, e.g. HTTP/localhost (repeatable; makes the SPN mandatory)
  --lm-compatibility N     5 (default) NTLMv2 only, 4 also NTLMv1
  --per-request            demand a handshake on every request
  --delay MS               delay every response
  --quiet                  do not log each outcome`;

// `pnpm … start -- --port 8080` hands the `--` through: it is not an argument.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
let args;
try {
  args = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' },
      user: { type: 'string', multiple: true }, https: { type: 'boolean', default: false },
      'token-checking': { type: 'string', default: 'allow' }, schemes: { type: 'string', default: 'both' },
      spn: { type: 'string', multiple: true }, 'lm-compatibility': { type: 'string', default: '5' },
      'per-request': { type: 'boolean', default: false }, delay: { type: 'string', default: '0' },
      quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    },
  }).values;
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const users = {};
for (const entry of args.user ?? ['EXAMPLE\\alice:Passw0rd!']) {
  const colon = entry.indexOf(':');
  if (colon < 1) {
    console.error(`--user must look like 'DOMAIN\\user:password', got ${JSON.stringify(entry.split(':')[0])}`);
    process.exit(2);
  }
  users[entry.slice(0, colon)] = entry.slice(colon + 1);
}
if (!['none', 'allow', 'require'].includes(args['token-checking'])) {
  console.error('--token-checking must be none, allow or require');
  process.exit(2);
}
const server = createNtlmServer({
  users,
  https: args.https,
  tokenChecking: args['token-checking'],
  schemes: args.schemes,
  spns: args.spn,
  lmCompatibilityLevel: Number(args['lm-compatibility']),
  perRequest: args['per-request'],
  faults: { delayMs: Number(args.delay) },
});
if (!args.quiet) {
  server.on('ntlm', (o) => console.log(`${o.ok ? 'OK  ' : 'FAIL'} conn=${o.connection} ${o.method} ${o.path} user=${o.user ?? '-'} dialect=${o.dialect ?? '-'} mic=${o.mic} cb=${o.channelBinding}${o.reason ? ` reason="${o.reason}"` : ''}`));
}
const url = await server.start(Number(args.port), args.host);
console.log(`ntlmkit server listening on ${url} (users: ${Object.keys(users).join(', ')})`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.stop().then(() => process.exit(0)));
