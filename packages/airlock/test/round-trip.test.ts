// For every valid input x: parseControlCookie(controlCookie(x)) gives back x, and the header is exactly
// NAME= plus unreserved characters and %XX, with only the attributes asked for.
import { isDeepStrictEqual } from 'node:util';
import { controlCookie, parseControlCookie, type CredentialEncoding } from '../src/index';
import { commands, options, rng } from './generators';

const HEADER = /^(?<name>[!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(?<value>(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+)(?<attributes>.*)$/;

describe.each(['utf-8', 'iso-8859-1'] as CredentialEncoding[])('round trip (%s)', (encoding) => {
  test('parseControlCookie(controlCookie(x)) gives back x for 5,000 random command lists of every kind', () => {
    const random = rng(encoding === 'utf-8' ? 11 : 12);
    for (let i = 0; i < 5000; i++) {
      const x = commands(random, encoding);
      const o = options(random);
      const header = controlCookie(x, o);
      const parsed = parseControlCookie(random() < 0.5 ? header : `Set-Cookie: ${header}`, { encoding });
      const expected = { cookieName: o?.cookieName ?? 'AL_CONTROL', commands: x, otherCommands: [] };
      if (!isDeepStrictEqual(parsed, expected)) expect(parsed).toEqual(expected); // a diff for the first failure
      // The header: the name, then unreserved characters and %XX, then the attributes asked for only.
      const groups = HEADER.exec(header)?.groups;
      if (groups?.name !== expected.cookieName) throw new Error(`unexpected header ${header}`);
      const attributes = [
        o?.path === undefined ? '' : `; Path=${o.path}`,
        o?.secure ? '; Secure' : '',
        o?.httpOnly ? '; HttpOnly' : '',
        o?.sameSite === undefined ? '' : `; SameSite=${o.sameSite}`,
      ].join('');
      if (groups.attributes !== attributes) expect(groups.attributes).toBe(attributes);
    }
  });
});

test('every combination of attributes gives exactly those attributes', () => {
  const x = controlCookie({ command: 'AUDIT_TOKEN', value: 'alice' });
  for (const path of [undefined, '/', '/a/b']) {
    for (const secure of [undefined, false, true]) {
      for (const httpOnly of [undefined, false, true]) {
        for (const sameSite of [undefined, 'Strict', 'Lax', 'None'] as const) {
          const expected =
            `${x}${path ? `; Path=${path}` : ''}${secure ? '; Secure' : ''}${httpOnly ? '; HttpOnly' : ''}` +
            `${sameSite ? `; SameSite=${sameSite}` : ''}`;
          expect(controlCookie({ command: 'AUDIT_TOKEN', value: 'alice' }, { path, secure, httpOnly, sameSite })).toBe(
            expected,
          );
        }
      }
    }
  }
});
