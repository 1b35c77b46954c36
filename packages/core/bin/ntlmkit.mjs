#!/usr/bin/env node
// ntlmkit decode: prints every NTLM token (Type 1/2/3) found in its input, in order. The input is
// what users have: a token, header lines, `curl -v` output, a log file. AUTHENTICATE responses are
// redacted unless --full is given (an NTLMv2 response can be cracked offline).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describeToken, describeTokenRedacted, isNtlmError } from '../dist/esm/index.js';
import { findNtlmTokens } from '../dist/esm/decode.js';

const usage = `usage: ntlmkit decode [--full] [TOKEN | HEADER LINE | FILE | -]...

Decodes every NTLM token in the input, in order: base64 tokens, "NTLM <token>", header lines
("Authorization: NTLM …", "WWW-Authenticate: …", "Proxy-Authorization: …", "Proxy-Authenticate: …"),
or whole \`curl -v\` output. Arguments that name a file are read; "-" or no argument reads standard input.

  --full   show the responses of an AUTHENTICATE (LM/NT responses, NTProofStr, session key, MIC);
           by default they are redacted to their lengths: an NTLMv2 response can be cracked offline.

examples:
  npx -p @ntlmkit/core ntlmkit decode 'WWW-Authenticate: NTLM TlRMTVNTUAACAAAA…'
  curl -v --ntlm -u 'CORP\\user' https://server/ 2>&1 | npx -p @ntlmkit/core ntlmkit decode`;

async function readStdin() {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data;
}

function isFile(path) {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === '--help' || command === '-h' || command === 'help') {
  console.log(usage);
  process.exit(0);
}
if (command !== 'decode') {
  console.error(command ? `unknown command "${command}"\n\n${usage}` : usage);
  process.exit(2);
}

let full = false;
const inputs = [];
let words = [];
const flush = () => {
  if (words.length) inputs.push(words.join(' '));
  words = [];
};
let options = true;
for (const arg of rest) {
  if (options && arg === '--') options = false;
  else if (options && (arg === '--help' || arg === '-h')) {
    console.log(usage);
    process.exit(0);
  } else if (options && arg === '--full') full = true;
  else if (options && arg.startsWith('--')) {
    console.error(`unknown option ${arg}\n\n${usage}`);
    process.exit(2);
  } else if (arg === '-') {
    flush();
    inputs.push(await readStdin());
  } else if (isFile(arg)) {
    flush();
    inputs.push(readFileSync(arg, 'utf8'));
  } else words.push(arg);
}
flush();
if (inputs.length === 0) inputs.push(await readStdin());
const text = inputs.join('\n');
if (!text.trim()) {
  console.error(usage);
  process.exit(2);
}

const tokens = findNtlmTokens(text);
if (!tokens.some((t) => t.ntlm)) {
  const why = tokens.length
    ? 'only SPNEGO or Kerberos tokens under Negotiate'
    : 'a base64 token starting with TlRMTVNTUA, or "NTLM <token>"';
  console.error(`cannot decode: no NTLM token found in the input (${why})`);
  process.exit(1);
}
const describe = full ? describeToken : describeTokenRedacted;
let failed = 0;
let redacted = false;
tokens.forEach((t, i) => {
  const title = tokens.length > 1 || t.context ? `#${i + 1}${t.context ? ` ${t.context}` : ''} (line ${t.line})` : '';
  if (i > 0) console.log('');
  if (title) console.log(title);
  if (!t.ntlm) {
    console.log('  not raw NTLM (an SPNEGO or Kerberos token under Negotiate): not decoded');
    return;
  }
  try {
    const description = describe(t.token);
    if (!full && description.startsWith('AUTHENTICATE')) redacted = true;
    console.log(description);
  } catch (error) {
    failed++;
    const why = isNtlmError(error) ? `${error.message} (${error.code})` : String(error);
    console.log(`  cannot decode: ${why}`);
    console.error(`cannot decode token #${i + 1} (line ${t.line}): ${why}`);
  }
});
if (redacted) console.log('\n(AUTHENTICATE responses redacted to their lengths; --full shows them)');
process.exit(failed ? 1 : 0);
