// Fuzzing parseControlCookie (issue 13): 100,000 seeded inputs, each either a result or an NtlmError
// ERR_NTLM_AIRLOCK_BAD_COOKIE, never anything else. A result is also checked for consistency: what the
// parser returns, the builder writes back to a cookie that reads the same (when the builder accepts it).
import { isDeepStrictEqual } from 'node:util';
import {
  MAX_PARSE_LENGTH,
  controlCookie,
  isNtlmError,
  parseControlCookie,
  percentEncode,
  type CredentialEncoding,
  type ParsedControlCookie,
} from '../src/index';
import { CHARS, commands, int, options, pick, rng, type Random } from './generators';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Pieces of the cookie level: escapes of every separator, both hex cases, broken escapes, attributes. */
const COOKIE_PIECES = [
  'HTTP_NTLM',
  'HTTP_BASIC_AUTH',
  'AUDIT_TOKEN',
  'SET_CREDENTIALS',
  'ADD_CREDENTIALS',
  'REMOVE_CREDENTIALS',
  'SESSION',
  'SESSION%5Bsid%3Aab12%5D',
  '%3D',
  '%3d',
  '=',
  '%26',
  '&',
  '%2C',
  ',',
  '%40',
  '@',
  '%3A',
  ':',
  '%253A',
  '%255C',
  '%5C',
  '%2525',
  '%25',
  '%',
  '%2',
  '%zz',
  '+',
  '%2B',
  '%252B',
  '%20',
  '%2520',
  '%C3%A9',
  '%25C3%25A9',
  '%25E4',
  '%25FF',
  '%FF',
  '%00',
  '%250A',
  '%0A',
  'K',
  '0',
  '600',
  'u',
  'alice',
  'p',
  'map1',
  'a.b-c_d',
  ';',
  '; Path=/',
  ' ',
  '\t',
  '"',
  '\\',
  'AL_CONTROL=',
  'Set-Cookie: ',
];
/** Pieces of the decoded level, percent-encoded as a whole afterwards. */
const COMMAND_PIECES = [
  'HTTP_NTLM=',
  'HTTP_BASIC_AUTH=',
  'AUDIT_TOKEN=',
  'SET_CREDENTIALS=',
  'ADD_CREDENTIALS=',
  'REMOVE_CREDENTIALS=',
  'SESSION_TIMEOUT=1800',
  'SESSION[sid:abc]=TERMINATE',
  'x=',
  '=',
  '&',
  ',',
  '@m1',
  '@',
  '@bad name',
  'u%3Ap',
  'D%5Cu%3Ap',
  '%5Cu%3Ap',
  'u%3A',
  '%3Ap',
  'u',
  '%3A',
  '%5C',
  '%25',
  '%zz',
  '%',
  '+',
  '%2B',
  '%20',
  '%C3%A9',
  '%E4',
  '%FF',
  '%00',
  '%0D%0A',
  '%EF%BB%BF',
  '%F0%9D%84%9E',
  '%ED%A0%80',
  'r',
  'r:60',
  'r:0:3600',
  'r:1:2:K',
  'r:1:2:true',
  'r::',
  'r:1:2:K:x',
  'r:99999999999999999',
  ':',
  'é',
  '\r\n',
  '\u0000',
];

// The grammar's parts: mostly valid ones, some that are not ([valid, invalid]).
type Parts = readonly [readonly string[], readonly string[]];
const NAMES: Parts = [
  [
    'HTTP_NTLM',
    'HTTP_BASIC_AUTH',
    'AUDIT_TOKEN',
    'SET_CREDENTIALS',
    'ADD_CREDENTIALS',
    'REMOVE_CREDENTIALS',
    'SESSION_TIMEOUT',
    'SESSION[sid:abc]',
  ],
  ['x', '', 'http_ntlm', 'HTTP NTLM'],
];
const USERS: Parts = [
  ['u', 'alice', 'D%5Cu', '%C3%A9', '%E4', 'u%20v', 'a%40b'],
  ['%5Cu', 'u%5C', 'a%5Cb%5Cc', '%FF', 'u%0A', '', 'u+v', '%zz'],
];
const PASSWORDS: Parts = [
  ['p', '', '%3A', '%25', '%2C%40%26', '%0D%0A', '%EF%BB%BFx', '%F0%9D%84%9E', '%E4', 'p:q'],
  ['%ED%A0%80', '+', '%'],
];
const MAPPINGS: Parts = [
  ['', '', '@m1', '@a.b-c_d'],
  ['@', '@bad name', '@m@n'],
];
const ROLES: Parts = [
  ['r', 'r:60', 'r:0:3600', 'r:1:2:K', 'r-1.x'],
  ['r:1:2:true', 'r::', 'r:1:2:K:x', 'r:99999999999999999', ''],
];
const AUDITS: Parts = [
  ['alice', 'a%3Ab', 'a%26b', '%C3%A9', 'a%2520b'],
  ['%FF', '', 'a+b', '%0A'],
];

function part(random: Random, parts: Parts): string {
  return pick(random, random() < 0.97 ? parts[0] : parts[1]);
}

function list(random: Random, max: number, item: () => string): string {
  return Array.from({ length: int(random, 1, max) }, item).join(',');
}

/** Decoded commands text from the grammar's parts. */
function structured(random: Random): string {
  return Array.from({ length: int(random, 1, 4) }, () => {
    const name = part(random, NAMES);
    if (name.startsWith('HTTP_')) {
      return `${name}=${list(random, 3, () => {
        const user = part(random, USERS);
        return `${random() < 0.9 ? `${user}%3A${part(random, PASSWORDS)}` : user}${part(random, MAPPINGS)}`;
      })}`;
    }
    if (name.endsWith('_CREDENTIALS')) return `${name}=${list(random, 3, () => part(random, ROLES))}`;
    return `${name}=${name === 'AUDIT_TOKEN' ? part(random, AUDITS) : pick(random, ['1800', 'TERMINATE', ''])}`;
  }).join(random() < 0.95 ? '&' : '&&');
}

function mutate(random: Random, input: string): string {
  let s = input;
  for (let n = int(random, 1, 3); n > 0; n--) {
    const at = int(random, 0, s.length);
    switch (int(random, 0, 5)) {
      case 0:
        s = s.slice(0, at) + pick(random, CHARS) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + pick(random, COOKIE_PIECES) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + int(random, 1, 6));
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at, at + int(random, 1, 20)) + s.slice(at);
        break;
      case 4:
        s = s.slice(0, at);
        break;
      default:
        s = s.slice(0, at) + s.charAt(at).toLowerCase() + s.slice(at + 1);
    }
  }
  return s;
}

function join(random: Random, pieces: readonly string[], max: number): string {
  let s = '';
  for (let n = int(random, 1, max); n > 0; n--) s += pick(random, pieces);
  return s;
}

function input(random: Random, seeds: readonly string[], i: number): string {
  if (i % 5000 === 0) {
    // Around the length limit, valid up to it.
    const base = pick(random, seeds);
    return `${base}; Comment=${'c'.repeat(Math.max(0, MAX_PARSE_LENGTH - base.length - 10 + int(random, -2, 2)))}`;
  }
  switch (i % 5) {
    case 0:
      return mutate(random, pick(random, seeds));
    case 1:
      return `${random() < 0.8 ? 'AL_CONTROL=' : ''}${join(random, COOKIE_PIECES, 14)}`;
    case 2:
      return join(random, CHARS, 30);
    default: {
      const decoded = i % 5 === 3 ? join(random, COMMAND_PIECES, 10) : structured(random);
      // Encode the decoded level as the cookie level does; keep it raw sometimes (raw separators are equivalent).
      let value: string;
      try {
        value = random() < 0.8 ? percentEncode(decoded) : decoded;
      } catch {
        value = decoded;
      }
      return `${random() < 0.2 ? 'Set-Cookie: ' : ''}AL_CONTROL=${value}${random() < 0.2 ? '; Path=/; Secure' : ''}`;
    }
  }
}

/** What must hold of every result, and what the builder makes of it. */
function check(parsed: ParsedControlCookie, encoding: CredentialEncoding): string | undefined {
  if (!TOKEN.test(parsed.cookieName)) return 'cookie name is not a token';
  if (!Array.isArray(parsed.commands) || !Array.isArray(parsed.otherCommands)) return 'not arrays';
  if (parsed.commands.length + parsed.otherCommands.length === 0) return 'no command at all';
  const names = parsed.commands.map((c) => c.command);
  if (parsed.commands.length === 0 || new Set(names).size !== names.length) return undefined; // the builder merges
  let header: string;
  try {
    header = controlCookie(parsed.commands);
  } catch (e) {
    // The parser accepts what the gateway reads; the builder refuses a global definition after scoped ones.
    if (isNtlmError(e) && /global definition after|more than the/.test(e.message)) return undefined;
    return `rebuild failed: ${String(e)}`;
  }
  const again = parseControlCookie(header, { encoding });
  return isDeepStrictEqual(again.commands, parsed.commands) ? undefined : 'rebuilt cookie reads differently';
}

test('parseControlCookie: 100,000 seeded inputs give a result or ERR_NTLM_AIRLOCK_BAD_COOKIE, nothing else', () => {
  const random = rng(0x5eed13);
  const seeds = Array.from({ length: 300 }, () => controlCookie(commands(random, 'utf-8'), options(random)));
  const failures: string[] = [];
  let results = 0;
  let refused = 0;
  for (let i = 0; i < 100_000; i++) {
    const text = input(random, seeds, i);
    const encoding: CredentialEncoding = random() < 0.7 ? 'utf-8' : 'iso-8859-1';
    let parsed: ParsedControlCookie;
    try {
      parsed = parseControlCookie(text, { encoding });
    } catch (e) {
      if (isNtlmError(e) && e.code === 'ERR_NTLM_AIRLOCK_BAD_COOKIE') refused++;
      else failures.push(`${JSON.stringify(text.slice(0, 200))}: ${String(e)}`);
      continue;
    }
    results++;
    const problem = check(parsed, encoding);
    if (problem) failures.push(`${JSON.stringify(text.slice(0, 200))}: ${problem}`);
  }
  expect(failures.slice(0, 5)).toEqual([]);
  // The inputs reach both sides: many parse, many are refused.
  expect(results).toBeGreaterThan(10_000);
  expect(refused).toBeGreaterThan(10_000);
});
