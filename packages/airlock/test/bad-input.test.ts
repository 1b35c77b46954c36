// Issue 13 §9 and §10 through the public API: every failure a caller can cause is an NtlmError with an
// Airlock code (never a RangeError, TypeError or stack overflow), every option is checked at run time,
// and nothing a caller passes can add an attribute, a header line, a command or a definition.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  addCredentials,
  appendSetCookie,
  auditToken,
  basicAuthCredentials,
  clearBasicAuthCredentials,
  clearNtlmCredentials,
  controlCookie,
  isNtlmError,
  ntlmCredentials,
  parseControlCookie,
  percentDecode,
  percentEncode,
  removeCredentials,
  sendControlCookie,
  setCredentials,
  MAX_CONTROL_COOKIE_LENGTH,
  MAX_PARSE_LENGTH,
  type ControlCommand,
} from '../src/index';

const INVALID = 'ERR_NTLM_AIRLOCK_INVALID_ARGUMENT';
const BAD_COOKIE = 'ERR_NTLM_AIRLOCK_BAD_COOKIE';
const BAD_ENCODING = 'ERR_NTLM_AIRLOCK_BAD_ENCODING';
const SECRET = 'Sup3r$ecret-pw';

/** The code of the NtlmError `f` throws, or a description of whatever else happened. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    if (isNtlmError(e)) return e.code;
    return `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  }
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const js = <T>(value: unknown): T => value as T; // what a plain JavaScript caller can pass
const cmd = ntlmCredentials({ username: 'u', password: SECRET });
const fakeRes = { getHeader: () => undefined, setHeader: () => undefined };
const audit = 'AL_CONTROL=AUDIT_TOKEN%3Dx';

describe('§9 every option of every public function given the wrong type from plain JavaScript', () => {
  const u = { username: 'u', password: SECRET };
  test.each<[string, () => unknown]>([
    ['ntlmCredentials(undefined)', () => ntlmCredentials(js(undefined))],
    ['ntlmCredentials(null)', () => ntlmCredentials(js(null))],
    ['ntlmCredentials("alice")', () => ntlmCredentials(js('alice'))],
    ['ntlmCredentials([])', () => ntlmCredentials([])],
    ['ntlmCredentials([null])', () => ntlmCredentials(js([null]))],
    ['ntlmCredentials(sparse array)', () => ntlmCredentials(js([, u]))], // eslint-disable-line no-sparse-arrays
    ['username: 42', () => ntlmCredentials(js({ ...u, username: 42 }))],
    ['username: new String()', () => ntlmCredentials(js({ ...u, username: new String('u') }))],
    ['password missing', () => ntlmCredentials(js({ username: 'u' }))],
    ['password: a Buffer', () => ntlmCredentials(js({ username: 'u', password: Buffer.from(SECRET) }))],
    ['domain: 7', () => ntlmCredentials(js({ ...u, domain: 7 }))],
    ['domain: ""', () => ntlmCredentials({ ...u, domain: '' })],
    ['mapping: ["m"]', () => ntlmCredentials(js({ ...u, mapping: ['m'] }))],
    ['encoding: 8', () => ntlmCredentials(js({ ...u, encoding: 8 }))],
    ['clear: "yes"', () => ntlmCredentials(js({ clear: 'yes' }))],
    ['basicAuthCredentials(5)', () => basicAuthCredentials(js(5))],
    ['clearNtlmCredentials(5)', () => clearNtlmCredentials(js(5))],
    ['clearNtlmCredentials("")', () => clearNtlmCredentials('')],
    ['clearBasicAuthCredentials({})', () => clearBasicAuthCredentials(js({}))],
    ['auditToken(undefined)', () => auditToken(js(undefined))],
    ['auditToken(5)', () => auditToken(js(5))],
    ['auditToken("")', () => auditToken('')],
    ['setCredentials()', () => setCredentials()],
    ['setCredentials(5)', () => setCredentials(js(5))],
    ['setCredentials(null)', () => setCredentials(js(null))],
    ['setCredentials({})', () => setCredentials(js({}))],
    ['timeout: "60"', () => setCredentials(js({ name: 'r', timeout: '60' }))],
    ['timeout: 1.5', () => setCredentials({ name: 'r', timeout: 1.5 })],
    ['timeout: NaN', () => setCredentials({ name: 'r', timeout: NaN })],
    ['timeout: 2 ** 60', () => setCredentials({ name: 'r', timeout: 2 ** 60 })],
    ['lifetime: Infinity', () => addCredentials({ name: 'r', lifetime: Infinity })],
    ['keepId: "yes"', () => removeCredentials(js({ name: 'r', keepId: 'yes' }))],
    ['controlCookie(undefined)', () => controlCookie(js(undefined))],
    ['controlCookie(null)', () => controlCookie(js(null))],
    ['controlCookie("HTTP_NTLM=x")', () => controlCookie(js('HTTP_NTLM=x'))],
    ['controlCookie([])', () => controlCookie([])],
    ['controlCookie([cmd, null])', () => controlCookie(js([cmd, null]))],
    ['controlCookie({})', () => controlCookie(js({}))],
    ['controlCookie({ command: 5 })', () => controlCookie(js({ command: 5 }))],
    ['HTTP_NTLM without definitions', () => controlCookie(js({ command: 'HTTP_NTLM' }))],
    ['definitions: "x"', () => controlCookie(js({ command: 'HTTP_NTLM', definitions: 'x' }))],
    ['roles: "admin"', () => controlCookie(js({ command: 'SET_CREDENTIALS', roles: 'admin' }))],
    ['AUDIT_TOKEN value: 5', () => controlCookie(js({ command: 'AUDIT_TOKEN', value: 5 }))],
    ['options: null', () => controlCookie(cmd, js(null))],
    ['options: "secure"', () => controlCookie(cmd, js('secure'))],
    ['options: []', () => controlCookie(cmd, js([]))],
    ['cookieName: 5', () => controlCookie(cmd, js({ cookieName: 5 }))],
    ['cookieName: ""', () => controlCookie(cmd, { cookieName: '' })],
    ['path: 5', () => controlCookie(cmd, js({ path: 5 }))],
    ['path: ""', () => controlCookie(cmd, { path: '' })],
    ['secure: "yes"', () => controlCookie(cmd, js({ secure: 'yes' }))],
    ['secure: 1', () => controlCookie(cmd, js({ secure: 1 }))],
    ['httpOnly: "false"', () => controlCookie(cmd, js({ httpOnly: 'false' }))],
    ['sameSite: true', () => controlCookie(cmd, js({ sameSite: true }))],
    ['sameSite: "lax"', () => controlCookie(cmd, js({ sameSite: 'lax' }))],
    ['parseControlCookie(undefined)', () => parseControlCookie(js(undefined))],
    ['parseControlCookie(5)', () => parseControlCookie(js(5))],
    ['parseControlCookie(a Buffer)', () => parseControlCookie(js(Buffer.from(audit)))],
    ['parseControlCookie(an array)', () => parseControlCookie(js([audit]))],
    ['parse options: null', () => parseControlCookie(audit, js(null))],
    ['parse options: "utf-8"', () => parseControlCookie(audit, js('utf-8'))],
    ['parse encoding: 5', () => parseControlCookie(audit, js({ encoding: 5 }))],
    ['percentEncode(5)', () => percentEncode(js(5))],
    ['percentEncode(null)', () => percentEncode(js(null))],
    ['percentDecode(5)', () => percentDecode(js(5))],
    ['percentDecode(undefined)', () => percentDecode(js(undefined))],
    ['appendSetCookie(undefined, …)', () => appendSetCookie(js(undefined), 'a=b')],
    ['appendSetCookie({}, …)', () => appendSetCookie(js({}), 'a=b')],
    ['appendSetCookie(res, 5)', () => appendSetCookie(fakeRes, js(5))],
    ['appendSetCookie(res, "")', () => appendSetCookie(fakeRes, '')],
    ['sendControlCookie(null, cmd)', () => sendControlCookie(js(null), cmd)],
    ['sendControlCookie(res, null)', () => sendControlCookie(fakeRes, js(null))],
    ['sendControlCookie(res, cmd, { sameSite: 1 })', () => sendControlCookie(fakeRes, cmd, js({ sameSite: 1 }))],
  ])('%s is an NtlmError ERR_NTLM_AIRLOCK_INVALID_ARGUMENT', (_name, f) => {
    expect(outcome(f)).toBe(INVALID);
    expect(`${errorOf(f).message}${errorOf(f).stack}`).not.toContain(SECRET);
  });
});

describe('§9 long input: a typed error or a result, never a stack overflow', () => {
  test('parseControlCookie on 900 KB inputs', () => {
    const long = 'a'.repeat(900_000);
    expect(outcome(() => parseControlCookie(`AL_CONTROL=${long}`))).toBe(BAD_COOKIE);
    expect(outcome(() => parseControlCookie(`AL_CONTROL=HTTP_NTLM%3D${long}%253Ab`, { encoding: 'iso-8859-1' }))).toBe(
      BAD_COOKIE,
    );
    expect(outcome(() => parseControlCookie(`AL_CONTROL=HTTP_NTLM%3D${'%2541'.repeat(180_000)}%253Ab`))).toBe(
      BAD_COOKIE,
    );
    expect(outcome(() => parseControlCookie(' '.repeat(900_000)))).toBe(BAD_COOKIE);
    const error = errorOf(() => parseControlCookie(`AL_CONTROL=${long}`));
    expect(error).toMatchObject({ details: { limit: MAX_PARSE_LENGTH, length: 900_011 } });
  });

  test('percentDecode and percentEncode of 900 KB work', () => {
    expect(percentDecode('%E4'.repeat(300_000), 'iso-8859-1')).toBe('ä'.repeat(300_000));
    expect(percentDecode('a'.repeat(900_000), 'iso-8859-1')).toHaveLength(900_000);
    expect(percentDecode('%C3%A4'.repeat(150_000))).toBe('ä'.repeat(150_000));
    expect(percentEncode('ä'.repeat(300_000), 'iso-8859-1')).toBe('%E4'.repeat(300_000));
  });

  test.each([
    ['a 40,000-character username', { username: 'u'.repeat(40_000), password: SECRET }],
    ['a 40,000-character password', { username: 'u', password: `${SECRET}${'p'.repeat(40_000)}` }],
    ['a 40,000-character domain', { username: 'u', password: SECRET, domain: 'D'.repeat(40_000) }],
    ['a 40,000-character mapping', { username: 'u', password: SECRET, mapping: 'm'.repeat(40_000) }],
  ])('%s is refused', (_name, input) => {
    expect(outcome(() => controlCookie(ntlmCredentials(input)))).toBe(INVALID);
  });

  test('a cookie longer than MAX_CONTROL_COOKIE_LENGTH is refused; one just below it round-trips', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ username: `user${i}`, password: SECRET, mapping: `m${i}` }));
    const error = errorOf(() => controlCookie(ntlmCredentials(many)));
    expect(isNtlmError(error) && error.code).toBe(INVALID);
    expect(error).toMatchObject({ details: { limit: MAX_CONTROL_COOKIE_LENGTH } });
    expect(error.message).toMatch(/more than the 8000/);
    let fit = 1;
    while (controlCookie(ntlmCredentials(many.slice(0, fit + 1))).length <= MAX_CONTROL_COOKIE_LENGTH - 100) fit++;
    const command = ntlmCredentials(many.slice(0, fit));
    expect(parseControlCookie(`Set-Cookie: ${controlCookie(command)}`).commands).toEqual([command]);
  });

  test('parseControlCookie reads up to MAX_PARSE_LENGTH characters and no more', () => {
    const at = (n: number) => `${audit}; Comment=${'c'.repeat(n - audit.length - '; Comment='.length)}`;
    expect(at(MAX_PARSE_LENGTH)).toHaveLength(MAX_PARSE_LENGTH);
    expect(parseControlCookie(at(MAX_PARSE_LENGTH)).commands).toEqual([{ command: 'AUDIT_TOKEN', value: 'x' }]);
    expect(outcome(() => parseControlCookie(at(MAX_PARSE_LENGTH + 1)))).toBe(BAD_COOKIE);
  });
});

describe('§10 options are checked at run time', () => {
  test("sameSite: 'Lax; Domain=evil.example' does not add an attribute", () => {
    expect(outcome(() => controlCookie(cmd, js({ sameSite: 'Lax; Domain=evil.example' })))).toBe(INVALID);
    expect(outcome(() => controlCookie(cmd, js({ path: '/; Domain=evil.example' })))).toBe(INVALID);
    expect(outcome(() => controlCookie(cmd, js({ cookieName: 'A; Domain=evil.example' })))).toBe(INVALID);
  });

  test('a misspelt or unknown option is refused, not ignored', () => {
    expect(outcome(() => controlCookie(cmd, js({ httponly: true })))).toBe(INVALID);
    expect(outcome(() => controlCookie(cmd, js({ domain: 'evil.example' })))).toBe(INVALID);
    expect(outcome(() => controlCookie(cmd, js({ maxAge: 60 })))).toBe(INVALID);
    // A misspelt mapping would make the credentials global: refused.
    expect(outcome(() => ntlmCredentials(js({ username: 'u', password: SECRET, maping: 'exchange' })))).toBe(INVALID);
    expect(outcome(() => parseControlCookie(audit, js({ encodign: 'iso-8859-1' })))).toBe(INVALID);
    expect(outcome(() => setCredentials(js({ name: 'r', keepID: true })))).toBe(INVALID);
  });

  test('CR and LF never reach the header, through any option or field', () => {
    const crlf = 'x\r\nSet-Cookie: evil=1';
    const attempts: (() => string)[] = [
      () => controlCookie(cmd, js({ cookieName: crlf })),
      () => controlCookie(cmd, js({ path: `/${crlf}` })),
      () => controlCookie(cmd, js({ sameSite: `Lax${crlf}` })),
      () => controlCookie(cmd, js({ secure: crlf })),
      () => controlCookie(ntlmCredentials({ username: crlf, password: 'p' })),
      () => controlCookie(ntlmCredentials({ username: 'u', password: crlf })),
      () => controlCookie(ntlmCredentials({ username: 'u', password: 'p', domain: crlf })),
      () => controlCookie(ntlmCredentials({ username: 'u', password: 'p', mapping: crlf })),
      () => controlCookie(auditToken(crlf)),
      () => controlCookie(js({ command: 'AUDIT_TOKEN', value: crlf })),
      () => controlCookie(setCredentials(crlf)),
      () => controlCookie(setCredentials(js({ name: 'r', keepId: crlf }))),
      () => controlCookie(setCredentials(js({ name: 'r', timeout: crlf }))),
      () => controlCookie(js({ command: `HTTP_NTLM${crlf}`, definitions: [{ username: 'u', password: 'p' }] })),
    ];
    for (const attempt of attempts) {
      let header: string;
      try {
        header = attempt();
      } catch (e) {
        expect(isNtlmError(e) && e.code).toBe(INVALID);
        continue;
      }
      expect(header).toMatch(/^AL_CONTROL=(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+$/);
    }
  });

  test('an unknown encoding is refused (it used to become ISO-8859-1 silently)', () => {
    for (const encoding of ['latin1', 'latin9', 'utf8', 'UTF-8', 'windows-1252', '']) {
      expect(outcome(() => ntlmCredentials(js({ username: 'u', password: 'pä', encoding })))).toBe(INVALID);
      expect(outcome(() => parseControlCookie(audit, js({ encoding })))).toBe(INVALID);
      expect(outcome(() => percentEncode('ä', js(encoding)))).toBe(INVALID);
      expect(outcome(() => percentDecode('%E4', js(encoding)))).toBe(INVALID);
    }
  });

  test.each([
    ['username', { username: 'a\ud800', password: SECRET }],
    ['username (trailing low surrogate)', { username: 'a\udc00', password: SECRET }],
    ['password', { username: 'u', password: `${SECRET}\ud83d` }],
    ['domain', { username: 'u', password: SECRET, domain: 'D\udfff' }],
    ['username in DOMAIN\\user', { username: 'D\ud800\\u', password: SECRET }],
  ])('a lone surrogate in the %s is refused (it used to become U+FFFD)', (_field, input) => {
    expect(outcome(() => ntlmCredentials(input))).toBe(INVALID);
    expect(outcome(() => basicAuthCredentials(input))).toBe(INVALID);
    expect(outcome(() => controlCookie(js({ command: 'HTTP_NTLM', definitions: [input] })))).toBe(INVALID);
  });

  test('a lone surrogate in an audit token, a name or percentEncode input is refused', () => {
    expect(outcome(() => auditToken('x\ud800'))).toBe(INVALID);
    expect(outcome(() => controlCookie(js({ command: 'AUDIT_TOKEN', value: '\udc00' })))).toBe(INVALID);
    expect(outcome(() => setCredentials('r\ud800'))).toBe(INVALID);
    expect(outcome(() => clearNtlmCredentials('m\ud800'))).toBe(INVALID);
    expect(outcome(() => percentEncode('\ud800'))).toBe(INVALID);
    // A pair is a character like any other.
    expect(parseControlCookie(controlCookie(ntlmCredentials({ username: 'u𝄞', password: '😀' }))).commands).toEqual([
      { command: 'HTTP_NTLM', definitions: [{ username: 'u𝄞', password: '😀' }] },
    ]);
  });

  test('a domain that disagrees with a DOMAIN\\user username is refused; one that agrees is used', () => {
    expect(outcome(() => ntlmCredentials({ domain: 'B', username: 'A\\alice', password: SECRET }))).toBe(INVALID);
    expect(outcome(() => ntlmCredentials({ username: '\\alice', password: SECRET }))).toBe(INVALID);
    expect(outcome(() => ntlmCredentials({ username: 'CORP\\', password: SECRET }))).toBe(INVALID);
    expect(outcome(() => ntlmCredentials({ username: 'A\\B\\alice', password: SECRET }))).toBe(INVALID);
    const split = ntlmCredentials({ username: 'CORP\\alice', password: SECRET });
    expect(split).toEqual({
      command: 'HTTP_NTLM',
      definitions: [{ domain: 'CORP', username: 'alice', password: SECRET }],
    });
    expect(controlCookie(split)).toBe(
      controlCookie(ntlmCredentials({ domain: 'CORP', username: 'alice', password: SECRET })),
    );
    expect(parseControlCookie(controlCookie(split)).commands).toEqual([split]);
    // Domains compare without case (as Windows does); the domain option's spelling is kept.
    expect(ntlmCredentials({ domain: 'corp', username: 'CORP\\alice', password: SECRET }).definitions).toEqual([
      { domain: 'corp', username: 'alice', password: SECRET },
    ]);
  });

  test('a clear combined with credentials in one definition is refused', () => {
    const both = { clear: true, username: 'u', password: SECRET };
    expect(outcome(() => ntlmCredentials(js(both)))).toBe(INVALID);
    expect(outcome(() => controlCookie(js({ command: 'HTTP_NTLM', definitions: [both] })))).toBe(INVALID);
    expect(
      outcome(() => controlCookie(js({ command: 'HTTP_BASIC_AUTH', definitions: [{ clear: true, domain: 'D' }] }))),
    ).toBe(INVALID);
    expect(outcome(() => controlCookie(js({ command: 'HTTP_NTLM', definitions: [{ ...both, clear: false }] })))).toBe(
      INVALID,
    );
    // A clear with a mapping and nothing else is what clearNtlmCredentials('m') makes.
    expect(controlCookie(js({ command: 'HTTP_NTLM', definitions: [{ clear: true, mapping: 'm' }] }))).toBe(
      controlCookie(clearNtlmCredentials('m')),
    );
  });

  test('a polluted Object.prototype adds no mapping and no clear', () => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.mapping = 'evil';
      proto.clear = true;
      const header = controlCookie(ntlmCredentials({ username: 'u', password: SECRET }));
      expect(header).toBe(`AL_CONTROL=HTTP_NTLM%3Du%253A${percentEncode(percentEncode(SECRET))}`);
    } finally {
      delete proto.mapping;
      delete proto.clear;
    }
  });
});

describe('§10 hand-built commands cannot smuggle a second command or definition', () => {
  const u = { username: 'u', password: SECRET };
  test.each<[string, unknown]>([
    ['a command name with &', { command: 'HTTP_NTLM&SET_CREDENTIALS=admin', definitions: [u] }],
    ['an unknown command name', { command: 'SESSION', value: 'TERMINATE' }],
    ['a lower-case command name', { command: 'http_ntlm', definitions: [u] }],
    [
      'a keepId that is a string',
      { command: 'SET_CREDENTIALS', roles: [{ name: 'r', keepId: 'x&SET_CREDENTIALS=admin' }] },
    ],
    [
      'a timeout that is a string',
      { command: 'ADD_CREDENTIALS', roles: [{ name: 'r', timeout: '1&ADD_CREDENTIALS=admin' }] },
    ],
    ['a role name with ,', { command: 'SET_CREDENTIALS', roles: ['user,admin'] }],
    ['a role name with :', { command: 'SET_CREDENTIALS', roles: [{ name: 'user:0:0:K' }] }],
    ['a mapping with ,', { command: 'HTTP_NTLM', definitions: [{ ...u, mapping: 'm,v%3Aw' }] }],
    [
      'a mapping on a clear with &',
      { command: 'HTTP_NTLM', definitions: [{ clear: true, mapping: 'm&SET_CREDENTIALS=admin' }] },
    ],
    ['roles beside definitions', { command: 'HTTP_NTLM', definitions: [u], roles: [{ name: 'admin' }] }],
    ['a value beside definitions', { command: 'HTTP_NTLM', definitions: [u], value: 'x&SET_CREDENTIALS=admin' }],
    ['definitions beside an audit value', { command: 'AUDIT_TOKEN', value: 'x', definitions: [u] }],
    [
      'an own toString on a definition',
      { command: 'HTTP_NTLM', definitions: [{ ...u, toString: () => 'x&AUDIT_TOKEN=y' }] },
    ],
    ['an audit value that is a String object', { command: 'AUDIT_TOKEN', value: new String('x') }],
    ['a global definition after a scoped one', { command: 'HTTP_NTLM', definitions: [{ ...u, mapping: 'm' }, u] }],
  ])('%s is refused', (_name, hand) => {
    expect(outcome(() => controlCookie(js<ControlCommand>(hand)))).toBe(INVALID);
  });

  test.each<[string, ControlCommand, ControlCommand[]]>([
    [
      'an & in an audit token',
      { command: 'AUDIT_TOKEN', value: 'x&SET_CREDENTIALS=admin' },
      [{ command: 'AUDIT_TOKEN', value: 'x&SET_CREDENTIALS=admin' }],
    ],
    [
      ', @ & = in a password',
      { command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p,v:w@m&SET_CREDENTIALS=admin' }] },
      [{ command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p,v:w@m&SET_CREDENTIALS=admin' }] }],
    ],
    [
      '%26 in a user name',
      { command: 'HTTP_NTLM', definitions: [{ username: 'u%26AUDIT_TOKEN%3Dy', password: 'p' }] },
      [{ command: 'HTTP_NTLM', definitions: [{ username: 'u%26AUDIT_TOKEN%3Dy', password: 'p' }] }],
    ],
  ])('%s is encoded: the cookie reads back as exactly the command given', (_name, hand, expected) => {
    expect(parseControlCookie(controlCookie(hand))).toEqual({
      cookieName: 'AL_CONTROL',
      commands: expected,
      otherCommands: [],
    });
  });

  test('a getter cannot change a value after it was checked', () => {
    let reads = 0;
    const tricky = {
      password: SECRET,
      get username() {
        return reads++ === 0 ? 'u' : 'u\r\nSet-Cookie: x=1';
      },
    };
    const header = controlCookie(js({ command: 'HTTP_NTLM', definitions: [tricky] }));
    expect(parseControlCookie(header).commands).toEqual([
      { command: 'HTTP_NTLM', definitions: [{ username: 'u', password: SECRET }] },
    ]);
  });

  test('SET_CREDENTIALS twice around ADD_CREDENTIALS is refused (merging would change the roles)', () => {
    expect(outcome(() => controlCookie([setCredentials('a'), addCredentials('b'), setCredentials('c')]))).toBe(INVALID);
    expect(controlCookie([setCredentials('a'), setCredentials('c'), addCredentials('b')])).toBe(
      'AL_CONTROL=SET_CREDENTIALS%3Da%252Cc%26ADD_CREDENTIALS%3Db',
    );
  });
});

describe('Airlock error codes', () => {
  test('a bad percent escape in a cookie is ERR_NTLM_AIRLOCK_BAD_COOKIE; in percentDecode ERR_NTLM_AIRLOCK_BAD_ENCODING', () => {
    expect(outcome(() => parseControlCookie('AL_CONTROL=HTTP_NTLM%3Du%25zzp'))).toBe(BAD_COOKIE);
    expect(outcome(() => parseControlCookie('AL_CONTROL=HTTP_NTLM%3D%zz'))).toBe(BAD_COOKIE);
    expect(outcome(() => parseControlCookie('AL_CONTROL=HTTP_NTLM%3Du%253Ap%25FF'))).toBe(BAD_COOKIE);
    expect(outcome(() => percentDecode('%zz'))).toBe(BAD_ENCODING);
    expect(outcome(() => percentDecode('%4'))).toBe(BAD_ENCODING);
    expect(outcome(() => percentDecode('%FF'))).toBe(BAD_ENCODING);
    expect(outcome(() => percentDecode('a\nb'))).toBe(BAD_ENCODING);
    expect(percentDecode('%FF', 'iso-8859-1')).toBe('ÿ');
    expect(percentDecode('a+b%2B%ef%bb%bfc')).toBe('a+b+\ufeffc');
  });

  test('after the headers were sent: ERR_NTLM_AIRLOCK_HEADERS_SENT, through a real response', async () => {
    const seen: string[] = [];
    const server = http.createServer((_req, res) => {
      res.writeHead(200).end('ok');
      seen.push(
        outcome(() => sendControlCookie(res, cmd)),
        outcome(() => appendSetCookie(res, 'a=b')),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(seen).toEqual(['ERR_NTLM_AIRLOCK_HEADERS_SENT', 'ERR_NTLM_AIRLOCK_HEADERS_SENT']);
    } finally {
      server.close();
    }
  });

  test('a header value with CR or LF is refused before Node sees it, through a real response', async () => {
    const seen: string[] = [];
    const server = http.createServer((_req, res) => {
      seen.push(
        outcome(() => appendSetCookie(res, 'a=b\r\nX-Evil: 1')),
        outcome(() => appendSetCookie(res, 'a=\u00e9')),
      );
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.headers.get('x-evil')).toBeNull();
      expect(seen).toEqual([INVALID, INVALID]);
    } finally {
      server.close();
    }
  });
});

describe('no password in a printed command or error', () => {
  test('util.inspect and JSON.stringify of built and parsed commands show the user, not the password', () => {
    const built = [
      ntlmCredentials({ domain: 'CORP', username: 'alice', password: SECRET, mapping: 'ex' }),
      auditToken('alice'),
    ];
    const parsed = parseControlCookie(controlCookie(built));
    for (const value of [built, parsed]) {
      for (const printed of [
        inspect(value, { depth: 10 }),
        JSON.stringify(value),
        `${JSON.stringify(value, null, 2)}`,
      ]) {
        expect(printed).toContain('alice');
        expect(printed).not.toContain(SECRET);
        expect(printed).not.toContain(percentEncode(SECRET));
      }
    }
    expect((parsed.commands[0] as { definitions: { password: string }[] }).definitions[0]!.password).toBe(SECRET);
  });

  test('a refused cookie is never echoed in the error', () => {
    for (const cookie of [
      `AL_CONTROL=HTTP_NTLM%3D${SECRET}`, // no ':'
      `AL_CONTROL=${SECRET}`, // not a command
      `AL_CONTROL=HTTP_NTLM%3Du%253A${SECRET}%40bad%20mapping`,
      `AL_CONTROL=SET_CREDENTIALS%3D${SECRET}%3Ax`,
    ]) {
      const error = errorOf(() => parseControlCookie(cookie));
      expect(isNtlmError(error) && error.code).toBe(BAD_COOKIE);
      expect(`${error.message}${error.stack}${JSON.stringify(error)}`).not.toContain(SECRET);
    }
  });
});
