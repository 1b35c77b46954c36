#!/usr/bin/env node
// ntlmkit decode <token>: pretty-prints an NTLM Type 1/2/3 token (base64, or a whole header line).
import { describeToken, isNtlmError } from '../dist/esm/index.js';

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: ntlmkit decode <base64 token | "NTLM <token>" | "WWW-Authenticate: NTLM <token>">\n       (reads the token from standard input when none is given)';

async function readStdin() {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data.trim();
}

if (command !== 'decode') {
  console.error(usage);
  process.exit(command === '--help' || command === '-h' ? 0 : 2);
}
const token = rest.length ? rest.join(' ') : await readStdin();
if (!token) {
  console.error(usage);
  process.exit(2);
}
try {
  console.log(describeToken(token));
} catch (error) {
  console.error(isNtlmError(error) ? `cannot decode: ${error.message} (${error.code})` : error);
  process.exit(1);
}
