#!/usr/bin/env node
// Runs @ntlmkit/server by hand:
//   ntlmkit-server --port 8080 --user 'EXAMPLE\alice:Passw0rd!' [--https --cert-file cert.pem] ...
// Every argument is checked: a mistake prints one line and the usage, and exits with status 2. No message
// ever repeats a password (nor an argument that could be one).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createNtlmServer } from '../dist/esm/index.js';

/** Every flag: its type, whether it repeats, its value's name and what it does (the usage is made from this). */
const FLAGS = {
  port: { type: 'string', value: 'N', help: 'port to listen on, 0 to 65535 (default 8080; 0 picks a free one)' },
  host: { type: 'string', value: 'H', help: 'address to listen on (default 127.0.0.1)' },
  user: {
    type: 'string',
    multiple: true,
    value: 'DOMAIN\\user:password',
    help: "a user (DOMAIN\\user, user@domain or user), ':', the password\n(repeatable; default EXAMPLE\\alice:Passw0rd!)",
  },
  https: { type: 'boolean', help: 'HTTPS with a fresh self-signed certificate (localhost, 127.0.0.1, ::1)' },
  'cert-file': {
    type: 'string',
    value: 'PATH',
    help: 'with --https: write the certificate (PEM) there, e.g. for curl --cacert',
  },
  'token-checking': {
    type: 'string',
    value: 'MODE',
    help: 'channel bindings over HTTPS: none | allow | require (default allow)',
  },
  schemes: {
    type: 'string',
    value: 'S',
    help: 'what a 401 offers: NTLM | Negotiate | both | both-joined (default both)',
  },
  spn: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    help: 'accepted SPN, e.g. HTTP/localhost (repeatable; makes the SPN mandatory)',
  },
  'lm-compatibility': { type: 'string', value: 'N', help: '0 to 5: 5 (default) NTLMv2 only, 4 or lower also NTLMv1' },
  'lenient-session-key': {
    type: 'boolean',
    help:
      'KEY_EXCH alone makes the encrypted session key count for the MIC\n' +
      '(as gss-ntlmssp and Samba; default: MS-NLMP, KEY_EXCH with SIGN or SEAL)',
  },
  'require-mic': { type: 'boolean', help: 'refuse an NTLMv2 AUTHENTICATE without a MIC' },
  'per-request': { type: 'boolean', help: 'demand a handshake on every request' },
  delay: { type: 'string', value: 'MS', help: 'delay every response by MS milliseconds (default 0)' },
  'keep-alive-hint': { type: 'string', value: 'N', help: "send 'Keep-Alive: timeout=N' with every response" },
  'close-idle-after': { type: 'string', value: 'MS', help: 'close a connection idle for MS milliseconds, unannounced' },
  quiet: { type: 'boolean', help: 'do not log each outcome' },
  help: { type: 'boolean', short: 'h', help: 'print this and exit' },
};

const labels = Object.entries(FLAGS).map(
  ([name, f]) => `${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`,
);
const column = Math.max(...labels.map((l) => l.length)) + 4;
const usage = `usage: ntlmkit-server [options]\n${Object.values(FLAGS)
  .map((f, i) => `  ${labels[i].padEnd(column - 2)}${f.help.replaceAll('\n', `\n${' '.repeat(column)}`)}`)
  .join('\n')}`;

function fail(message) {
  console.error(`ntlmkit-server: ${message}\n${usage}`);
  process.exit(2);
}

// `pnpm … start -- --port 8080` hands the `--` through: it is not an argument.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();

/** Parses with our own messages: parseArgs' would quote positional arguments, which may be passwords. */
function parse(args) {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map(([name, { type, multiple = false, short }]) => [
      name,
      short ? { type, multiple, short } : { type, multiple },
    ]),
  );
  let tokens;
  try {
    ({ tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true }));
  } catch {
    fail('the arguments cannot be read');
  }
  const values = {};
  for (const token of tokens) {
    if (token.kind === 'option-terminator') fail("unexpected '--'");
    if (token.kind === 'positional') {
      fail('unexpected argument (values go after their flag, e.g. --port 8080; quote a --user value with spaces)');
    }
    const flag = FLAGS[token.name];
    if (!flag) fail(`unknown option ${token.rawName}`);
    if (flag.type === 'boolean' && token.inlineValue) fail(`--${token.name} takes no value`);
    if (flag.type === 'string') {
      if (token.value === undefined || token.value === '') fail(`--${token.name} needs a value`);
      if (!token.inlineValue && token.value.startsWith('-')) {
        const name = `--${token.name}`;
        fail(`${name} needs a value (got another option; write ${name}=VALUE for one that starts with '-')`);
      }
    }
    const value = flag.type === 'boolean' ? true : token.value;
    if (flag.multiple) (values[token.name] ??= []).push(value);
    else if (token.name in values) fail(`--${token.name} is given twice`);
    else values[token.name] = value;
  }
  return values;
}

/** A value in a message: quoted, cut at 60 characters, control characters escaped (backslashes kept as typed). */
const quote = (text) => {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  // eslint-disable-next-line no-control-regex -- C0 controls and DEL are what it escapes
  return `"${shown.replace(/[\u0000-\u001f\u007f"]/g, (c) => JSON.stringify(c).slice(1, -1))}"`;
};

function integer(name, text, min, max) {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    fail(`--${name} must be a whole number from ${min} to ${max}, got ${quote(text)}`);
  }
  return n;
}

function oneOf(name, text, choices) {
  if (text === undefined) return undefined;
  const choice = choices.find((c) => c.toLowerCase() === text.toLowerCase());
  if (!choice) fail(`--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}, got ${quote(text)}`);
  return choice;
}

/** `DOMAIN\user:password` → [name, password]; the messages show the name at most, never the password. */
function user(entry) {
  const colon = entry.indexOf(':');
  if (colon < 0) fail("--user must look like 'DOMAIN\\user:password' (no ':' found)");
  const name = entry.slice(0, colon);
  const password = entry.slice(colon + 1);
  const parts = name.includes('\\') ? name.split('\\') : name.includes('@') ? name.split('@') : [name];
  // eslint-disable-next-line no-control-regex -- C0 controls and DEL are what it refuses
  if (!name || parts.length > 2 || parts.some((p) => p.trim() === '') || /[\u0000-\u001f\u007f]/.test(name)) {
    fail(`--user needs a user name before ':' (DOMAIN\\user, user@domain or user), got ${name ? quote(name) : 'none'}`);
  }
  if (password === '') fail(`--user ${quote(name)} has an empty password`);
  return [name, password];
}

const args = parse(argv);
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const users = {};
for (const [name, password] of (args.user ?? ['EXAMPLE\\alice:Passw0rd!']).map(user)) {
  const taken = Object.keys(users).some((n) => n.toLowerCase() === name.toLowerCase());
  if (taken) fail(`--user ${quote(name)} is given twice`);
  users[name] = password;
}
for (const spn of args.spn ?? []) {
  if (!/^[^/\s]+\/[^/\s]+/.test(spn))
    fail(`--spn must look like SERVICE/host (e.g. HTTP/localhost), got ${quote(spn)}`);
}
if (args['cert-file'] !== undefined && !args.https) fail('--cert-file needs --https');
const port = integer('port', args.port, 0, 65535) ?? 8080;
const host = args.host ?? '127.0.0.1';
const keepAliveHint = integer('keep-alive-hint', args['keep-alive-hint'], 0, 86_400);
const closeIdleAfterMs = integer('close-idle-after', args['close-idle-after'], 1, 2_147_483_647);

const server = createNtlmServer({
  users,
  https: args.https ?? false,
  tokenChecking: oneOf('token-checking', args['token-checking'], ['none', 'allow', 'require']) ?? 'allow',
  schemes: oneOf('schemes', args.schemes, ['NTLM', 'Negotiate', 'both', 'both-joined']) ?? 'both',
  spns: args.spn,
  lmCompatibilityLevel: integer('lm-compatibility', args['lm-compatibility'], 0, 5) ?? 5,
  lenientSessionKey: args['lenient-session-key'] ?? false,
  requireMic: args['require-mic'] ?? false,
  perRequest: args['per-request'] ?? false,
  faults: { delayMs: integer('delay', args.delay, 0, 2_147_483_647) ?? 0, keepAliveHint, closeIdleAfterMs },
});

if (args['cert-file'] !== undefined) {
  try {
    writeFileSync(args['cert-file'], server.certificate);
    console.log(`certificate written to ${args['cert-file']}`);
  } catch (error) {
    console.error(
      `ntlmkit-server: cannot write the certificate to ${args['cert-file']}: ${error.code ?? error.message}`,
    );
    process.exit(1);
  }
}
if (!args.quiet) {
  server.on('ntlm', (o) => {
    const reading = o.reading ? ` reading=${o.reading}${o.micKey ? ` micKey=${o.micKey}` : ''}` : '';
    const who = `user=${o.user ?? '-'} dialect=${o.dialect ?? '-'} mic=${o.mic} cb=${o.channelBinding}`;
    const reason = o.reason ? ` reason="${o.reason}"` : '';
    console.log(`${o.ok ? 'OK  ' : 'FAIL'} conn=${o.connection} ${o.method} ${o.path} ${who}${reading}${reason}`);
  });
}
let url;
try {
  url = await server.start(port, host);
} catch (error) {
  console.error(`ntlmkit-server: cannot listen on ${host}:${port}: ${error.code ?? error.message}`);
  process.exit(1);
}
const strictness =
  `session key: ${args['lenient-session-key'] ? 'lenient' : 'strict'}, ` +
  `MIC: ${args['require-mic'] ? 'required' : 'checked when sent'}`;
console.log(`ntlmkit server listening on ${url} (users: ${Object.keys(users).join(', ')}; ${strictness})`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.stop().then(() => process.exit(0)));
