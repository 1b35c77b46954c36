// Seeded generators of valid control commands, shared by the round-trip and fuzz tests.
import {
  addCredentials,
  auditToken,
  basicAuthCredentials,
  clearBasicAuthCredentials,
  clearNtlmCredentials,
  ntlmCredentials,
  removeCredentials,
  setCredentials,
  type ControlCommand,
  type CookieOptions,
  type CredentialDefinition,
  type CredentialEncoding,
  type RoleGrant,
} from '../src/index';

export type Random = () => number;

/** A small, fast, seeded PRNG (mulberry32-like): every run sees the same inputs. */
export function rng(seed: number): Random {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296;
}

export function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Every separator of the grammar, escapes, spaces, quotes, controls, BOM, astral and CJK characters. */
export const CHARS = [
  'a',
  'Z',
  '0',
  '9',
  ':',
  ',',
  '@',
  '%',
  '\\',
  '&',
  '=',
  ';',
  ' ',
  '"',
  '+',
  '/',
  '?',
  '#',
  '[',
  ']',
  "'",
  '!',
  '*',
  '(',
  ')',
  '~',
  '-',
  '.',
  '_',
  'é',
  'ß',
  'ÿ',
  '\u0085',
  '\u00a0',
  'Ω',
  '€',
  '中',
  '𝄞',
  '😀',
  '\ufeff',
  '\r',
  '\n',
  '\u0000',
  '\t',
  '\u007f',
  '%25',
  '%3A',
  '%2B',
];
const LATIN1 = CHARS.filter((c) => [...c].every((ch) => ch.charCodeAt(0) <= 0xff));
const CONTROL = /\p{Cc}/u;

export function text(random: Random, chars: readonly string[], min: number, max: number, forbid = ''): string {
  const n = int(random, min, max);
  let out = '';
  let guard = 0;
  while ([...out].length < n && guard++ < 1000) {
    const c = pick(random, chars);
    if (![...c].some((ch) => forbid.includes(ch) || (forbid.includes('\u0000') && CONTROL.test(ch)))) out += c;
  }
  return out;
}

const NAME_CHARS = [...'abcXYZ019', '_', '.', '-'];
function nameOf(random: Random): string {
  return pick(random, [...'aZ7']) + text(random, NAME_CHARS, 0, 8);
}

const USER_FORBID = ':\\\u0000'; // '\u0000' stands for every control character

function definitions(random: Random, encoding: CredentialEncoding): CredentialDefinition[] {
  const chars = encoding === 'utf-8' ? CHARS : LATIN1;
  const out: CredentialDefinition[] = [];
  const count = int(random, 1, 4);
  for (let k = 0; k < count; k++) {
    // Global definitions only before mapping-specific ones (the gateway would drop the earlier ones).
    const mapping = k > 0 || random() < 0.5 ? `${nameOf(random)}${k}` : undefined;
    if (random() < 0.15) {
      out.push(mapping === undefined ? { clear: true } : { clear: true, mapping });
      continue;
    }
    const d: CredentialDefinition = {
      username: text(random, chars, 1, 10, USER_FORBID),
      password: text(random, chars, 0, 14),
    };
    if (encoding !== 'utf-8' || random() < 0.3) d.encoding = encoding;
    const domain = random() < 0.5 ? text(random, chars, 1, 6, USER_FORBID) : undefined;
    if (domain !== undefined && random() < 0.3)
      d.username = `${domain}\\${d.username}`; // DOMAIN\user form
    else if (domain !== undefined) d.domain = domain;
    if (mapping !== undefined) d.mapping = mapping;
    out.push(d);
  }
  return out;
}

function roles(random: Random): RoleGrant[] {
  return Array.from({ length: int(random, 1, 3) }, () => {
    const r: RoleGrant = { name: nameOf(random) };
    if (random() < 0.4) r.timeout = int(random, 0, 100_000);
    if (random() < 0.3) r.lifetime = int(random, 0, 1_000_000);
    if (random() < 0.3) r.keepId = random() < 0.7;
    return r;
  });
}

/** One to six valid commands of distinct names, in random order, made by the builders. */
export function commands(random: Random, encoding: CredentialEncoding): ControlCommand[] {
  const makers: (() => ControlCommand)[] = [
    () =>
      random() < 0.1
        ? clearNtlmCredentials(random() < 0.5 ? undefined : nameOf(random))
        : ntlmCredentials(definitions(random, encoding)),
    () => (random() < 0.1 ? clearBasicAuthCredentials() : basicAuthCredentials(definitions(random, encoding))),
    () => auditToken(text(random, CHARS, 1, 12, '\u0000')),
    () => setCredentials(...roles(random)),
    () => addCredentials(...roles(random)),
    () => removeCredentials(...roles(random).map((r) => (random() < 0.5 ? r.name : r))),
  ];
  for (let i = makers.length - 1; i > 0; i--) {
    const j = int(random, 0, i);
    [makers[i], makers[j]] = [makers[j]!, makers[i]!];
  }
  return makers.slice(0, int(random, 1, makers.length)).map((make) => make());
}

export function options(random: Random): CookieOptions | undefined {
  if (random() < 0.5) return undefined;
  const o: CookieOptions = {};
  if (random() < 0.3) o.cookieName = pick(random, ['AL_CONTROL', 'MY_CONTROL', 'x']);
  if (random() < 0.3) o.path = pick(random, ['/', '/login', '/a/b%20c']);
  if (random() < 0.3) o.secure = random() < 0.5;
  if (random() < 0.3) o.httpOnly = random() < 0.5;
  if (random() < 0.3) o.sameSite = pick(random, ['Strict', 'Lax', 'None'] as const);
  return o;
}
