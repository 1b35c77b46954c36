import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cookie } from 'tough-cookie';
import express from 'express';
import Fastify from 'fastify';
import {
  ntlmCredentials,
  basicAuthCredentials,
  clearNtlmCredentials,
  auditToken,
  setCredentials,
  addCredentials,
  removeCredentials,
  controlCookie,
  parseControlCookie,
  sendControlCookie,
  NtlmError,
  type CredentialInput,
  type CredentialEncoding,
} from '../src/index';
import { rng } from './generators';

describe('the documented results, byte for byte', () => {
  test('username:password for mapping1', () => {
    expect(
      `Set-Cookie: ${controlCookie(ntlmCredentials({ username: 'username', password: 'password', mapping: 'mapping1' }))}`,
    ).toBe('Set-Cookie: AL_CONTROL=HTTP_NTLM%3Dusername%253Apassword%40mapping1');
  });
  test('domainname\\username:password for mapping2', () => {
    expect(
      `Set-Cookie: ${controlCookie(ntlmCredentials({ domain: 'domainname', username: 'username', password: 'password', mapping: 'mapping2' }))}`,
    ).toBe('Set-Cookie: AL_CONTROL=HTTP_NTLM%3Ddomainname%255Cusername%253Apassword%40mapping2');
  });
});

describe('grammar', () => {
  test('global credentials, several definitions, clearing', () => {
    expect(controlCookie(ntlmCredentials({ username: 'u', password: 'p' }))).toBe('AL_CONTROL=HTTP_NTLM%3Du%253Ap');
    expect(
      controlCookie(
        ntlmCredentials([
          { username: 'g', password: 'p' },
          { username: 'a', password: 'b', mapping: 'm1' },
          { username: 'c', password: 'd', domain: 'D', mapping: 'm2' },
        ]),
      ),
    ).toBe('AL_CONTROL=HTTP_NTLM%3Dg%253Ap%2Ca%253Ab%40m1%2CD%255Cc%253Ad%40m2');
    expect(controlCookie(clearNtlmCredentials())).toBe('AL_CONTROL=HTTP_NTLM%3D');
    expect(controlCookie(clearNtlmCredentials('m1'))).toBe('AL_CONTROL=HTTP_NTLM%3D%40m1');
  });

  test('a global definition after mapping-specific ones is refused (it would remove them)', () => {
    expect(() =>
      controlCookie(
        ntlmCredentials([
          { username: 'a', password: 'b', mapping: 'm' },
          { username: 'g', password: 'p' },
        ]),
      ),
    ).toThrow(/put global credentials first/);
  });

  test('several commands in one cookie; same-name commands merge', () => {
    const header = controlCookie(
      [
        ntlmCredentials({ username: 'u', password: 'p', mapping: 'ex' }),
        ntlmCredentials({ username: 'v', password: 'q', mapping: 'sp' }),
        basicAuthCredentials({ username: 'b', password: 'c' }),
        auditToken('alice'),
        setCredentials({ name: 'employee', timeout: 600, lifetime: 3600 }),
        addCredentials('reports', { name: 'admin', keepId: true }),
        removeCredentials('guest'),
      ],
      { cookieName: 'MY_CONTROL', path: '/' },
    );
    expect(header).toBe(
      'MY_CONTROL=HTTP_NTLM%3Du%253Ap%40ex%2Cv%253Aq%40sp%26HTTP_BASIC_AUTH%3Db%253Ac%26AUDIT_TOKEN%3Dalice' +
        '%26SET_CREDENTIALS%3Demployee%253A600%253A3600%26ADD_CREDENTIALS%3Dreports%252Cadmin%253A0%253A0%253AK' +
        '%26REMOVE_CREDENTIALS%3Dguest; Path=/',
    );
    expect(decodeURIComponent(header.split('=').slice(1).join('=').split(';')[0]!)).toBe(
      'HTTP_NTLM=u%3Ap@ex,v%3Aq@sp&HTTP_BASIC_AUTH=b%3Ac&AUDIT_TOKEN=alice&SET_CREDENTIALS=employee%3A600%3A3600&ADD_CREDENTIALS=reports%2Cadmin%3A0%3A0%3AK&REMOVE_CREDENTIALS=guest',
    );
    const parsed = parseControlCookie(`Set-Cookie: ${header}`);
    expect(parsed.cookieName).toBe('MY_CONTROL');
    expect(parsed.commands).toEqual([
      {
        command: 'HTTP_NTLM',
        definitions: [
          { username: 'u', password: 'p', mapping: 'ex' },
          { username: 'v', password: 'q', mapping: 'sp' },
        ],
      },
      { command: 'HTTP_BASIC_AUTH', definitions: [{ username: 'b', password: 'c' }] },
      { command: 'AUDIT_TOKEN', value: 'alice' },
      { command: 'SET_CREDENTIALS', roles: [{ name: 'employee', timeout: 600, lifetime: 3600 }] },
      { command: 'ADD_CREDENTIALS', roles: [{ name: 'reports' }, { name: 'admin', keepId: true }] },
      { command: 'REMOVE_CREDENTIALS', roles: [{ name: 'guest' }] },
    ]);
  });

  test('ISO-8859-1 on request', () => {
    const header = controlCookie(ntlmCredentials({ username: 'jürgen', password: 'pä', encoding: 'iso-8859-1' }));
    expect(header).toBe('AL_CONTROL=HTTP_NTLM%3Dj%25FCrgen%253Ap%25E4');
    expect(controlCookie(ntlmCredentials({ username: 'jürgen', password: 'pä' }))).toBe(
      'AL_CONTROL=HTTP_NTLM%3Dj%25C3%25BCrgen%253Ap%25C3%25A4',
    );
    expect(() => controlCookie(ntlmCredentials({ username: 'u', password: '€', encoding: 'iso-8859-1' }))).toThrow(
      NtlmError,
    );
  });
});

describe('bad input', () => {
  const secret = 'Sup3r$ecret:pw';
  test.each([
    ['a colon in the username', { username: 'a:b', password: secret }, /contains ':'/],
    ['an empty username', { username: '', password: secret }, /empty/],
    ['a control character in the username', { username: 'a\r\nb', password: secret }, /control character/],
    ['a mapping with spaces', { username: 'u', password: secret, mapping: 'my mapping' }, /mapping name/],
    ['a mapping with @', { username: 'u', password: secret, mapping: 'a@b' }, /mapping name/],
    ['a mapping with ;', { username: 'u', password: secret, mapping: 'a;b' }, /mapping name/],
    ['a domain with a backslash', { username: 'u', password: secret, domain: 'A\\B' }, /domain/],
  ])('%s is refused clearly, without the password', (_n, input, message) => {
    let error: unknown;
    try {
      controlCookie(ntlmCredentials(input));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NtlmError);
    expect((error as Error).message).toMatch(message);
    expect(`${(error as Error).message}${(error as Error).stack}`).not.toContain(secret);
  });

  test('CR, LF, NUL in a password never reach the header', () => {
    const header = controlCookie(ntlmCredentials({ username: 'u', password: 'a\r\n\u0000b;c', mapping: 'm' }));
    expect(header).toMatch(/^[\x21-\x7e]+$/);
    expect(parseControlCookie(header).commands[0]).toEqual({
      command: 'HTTP_NTLM',
      definitions: [{ username: 'u', password: 'a\r\n\u0000b;c', mapping: 'm' }],
    });
  });

  test('audit tokens, role names and cookie names are checked', () => {
    expect(() => auditToken('a\nb')).toThrow(NtlmError);
    expect(() => controlCookie(setCredentials('bad name'))).toThrow(NtlmError);
    expect(() => controlCookie(setCredentials({ name: 'r', timeout: -1 }))).toThrow(NtlmError);
    expect(() => controlCookie(auditToken('x'), { cookieName: 'bad name' })).toThrow(NtlmError);
    expect(() => controlCookie([auditToken('x'), auditToken('y')])).toThrow(NtlmError);
    expect(() => parseControlCookie('AL_CONTROL=nope%3D1')).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_AIRLOCK_BAD_COOKIE' }),
    );
  });
});

describe('round trip and a real cookie parser', () => {
  const alphabet = [
    'a',
    'Z',
    '0',
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
    'é',
    'ß',
    'Ω',
    '€',
    '𝄞',
    '中',
    '\r',
    '\n',
    '\u0000',
    '\t',
    "'",
    '!',
    '*',
    '(',
    ')',
  ];
  const latin1 = alphabet.filter((c) => c.charCodeAt(0) <= 0xff && c.length === 1);

  test.each(['utf-8', 'iso-8859-1'] as CredentialEncoding[])(
    'parseControlCookie(controlCookie(x)) === x for 2,000 random inputs (%s)',
    (encoding) => {
      const random = rng(encoding === 'utf-8' ? 1 : 2);
      const chars = encoding === 'utf-8' ? alphabet : latin1;
      const text = (min: number, max: number, forbid = '') => {
        let out = '';
        const n = min + Math.floor(random() * (max - min + 1));
        while (out.length < n) {
          const c = chars[Math.floor(random() * chars.length)]!;
          if (!forbid.includes(c)) out += c;
        }
        return out;
      };
      for (let i = 0; i < 2000; i++) {
        const count = 1 + Math.floor(random() * 3);
        const defs: CredentialInput[] = [];
        for (let k = 0; k < count; k++) {
          const d: CredentialInput = { username: text(1, 8, ':\\\r\n\u0000\t'), password: text(0, 12), encoding };
          if (random() < 0.5) d.domain = text(1, 6, ':\\\r\n\u0000\t');
          if (k > 0 || random() < 0.5) d.mapping = `map-${k}_${Math.floor(random() * 100)}`;
          defs.push(d);
        }
        const header = controlCookie(ntlmCredentials(defs));
        const parsed = parseControlCookie(header, { encoding });
        // UTF-8 is the default and is left out of the definition; ISO-8859-1 is kept on each.
        const expected = defs.map(({ encoding: e, ...d }) => (e === 'utf-8' ? d : { ...d, encoding: e }));
        expect(parsed.commands).toEqual([{ command: 'HTTP_NTLM', definitions: expected }]);
        const cookie = Cookie.parse(`${header}; Path=/`);
        expect(cookie?.key).toBe('AL_CONTROL');
        expect(`AL_CONTROL=${cookie?.value}`).toBe(header);
      }
    },
  );
});

describe('response helpers keep other Set-Cookie headers', () => {
  const command = ntlmCredentials({ username: 'u', password: 'p', mapping: 'm' });
  async function fetchCookies(port: number): Promise<string[]> {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return res.headers.getSetCookie();
  }

  test('Node http.ServerResponse', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('set-cookie', 'session=abc; HttpOnly');
      sendControlCookie(res, command);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      expect(await fetchCookies((server.address() as AddressInfo).port)).toEqual([
        'session=abc; HttpOnly',
        'AL_CONTROL=HTTP_NTLM%3Du%253Ap%40m',
      ]);
    } finally {
      server.close();
    }
  });

  test('Express', async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.cookie('theme', 'dark');
      sendControlCookie(res, command);
      res.send('ok');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const cookies = await fetchCookies((server.address() as AddressInfo).port);
      expect(cookies[0]).toMatch(/^theme=dark/);
      expect(cookies[1]).toBe('AL_CONTROL=HTTP_NTLM%3Du%253Ap%40m');
    } finally {
      server.close();
    }
  });

  test('Fastify', async () => {
    const app = Fastify();
    app.get('/', (_req, reply) => {
      reply.header('set-cookie', 'a=1');
      sendControlCookie(reply, command);
      reply.send('ok');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect(await fetchCookies((app.server.address() as AddressInfo).port)).toEqual([
        'a=1',
        'AL_CONTROL=HTTP_NTLM%3Du%253Ap%40m',
      ]);
    } finally {
      await app.close();
    }
  });
});
