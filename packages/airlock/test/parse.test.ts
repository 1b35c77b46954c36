// parseControlCookie reads exactly what the control API means: the documented examples, the cases a
// gateway applies as they come (order, repeats, other commands), and a refusal for anything ambiguous.
import { auditToken, controlCookie, isNtlmError, parseControlCookie, setCredentials } from '../src/index';

function code(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    return isNtlmError(e) ? e.code : String(e);
  }
}

describe('the examples of the Airlock Gateway manual', () => {
  test.each([
    [
      'Set-Cookie: AL_CONTROL=HTTP_NTLM%3Dusername%253Apassword%40mapping1',
      [{ command: 'HTTP_NTLM', definitions: [{ username: 'username', password: 'password', mapping: 'mapping1' }] }],
    ],
    [
      'Set-Cookie: AL_CONTROL=HTTP_NTLM%3Ddomainname%255Cusername%253Apassword%40mapping2',
      [
        {
          command: 'HTTP_NTLM',
          definitions: [{ domain: 'domainname', username: 'username', password: 'password', mapping: 'mapping2' }],
        },
      ],
    ],
    [
      'Set-Cookie: AL_CONTROL=SET_CREDENTIALS%3Dadmin%26AUDIT_TOKEN%3Djsmith',
      [
        { command: 'SET_CREDENTIALS', roles: [{ name: 'admin' }] },
        { command: 'AUDIT_TOKEN', value: 'jsmith' },
      ],
    ],
    [
      'Set-Cookie: AL_CONTROL=AUDIT_TOKEN%3DJohn_Smith_authenticated_Mon_Jan_01_16%253A00%253A30_CET_2007',
      [{ command: 'AUDIT_TOKEN', value: 'John_Smith_authenticated_Mon_Jan_01_16:00:30_CET_2007' }],
    ],
  ])('%s', (header, commands) => {
    expect(parseControlCookie(header)).toEqual({ cookieName: 'AL_CONTROL', commands, otherCommands: [] });
  });

  test('the builders write the same bytes', () => {
    expect(controlCookie([setCredentials('admin'), auditToken('jsmith')])).toBe(
      'AL_CONTROL=SET_CREDENTIALS%3Dadmin%26AUDIT_TOKEN%3Djsmith',
    );
    // The audit token is percent-encoded a second time, as the manual's example shows.
    expect(controlCookie(auditToken('John_Smith_authenticated_Mon_Jan_01_16:00:30_CET_2007'))).toBe(
      'AL_CONTROL=AUDIT_TOKEN%3DJohn_Smith_authenticated_Mon_Jan_01_16%253A00%253A30_CET_2007',
    );
    // keep-id-flag = "K"; a timeout a later field needs is 0 (the gateway's default). 'credential-definitions'
    // must be percent-encoded (URL_Encode("admin") in the manual's example): its ':' and ',' are encoded twice.
    expect(controlCookie(setCredentials({ name: 'admin', lifetime: 3600, keepId: true }))).toBe(
      'AL_CONTROL=SET_CREDENTIALS%3Dadmin%253A0%253A3600%253AK',
    );
    expect(controlCookie(setCredentials({ name: 'users', timeout: 600 }, 'admin'))).toBe(
      'AL_CONTROL=SET_CREDENTIALS%3Dusers%253A600%252Cadmin',
    );
  });
});

describe('what a gateway applies, in cookie order', () => {
  test('a global definition after mapping-specific ones is read as written (the gateway drops the earlier ones)', () => {
    expect(parseControlCookie('AL_CONTROL=HTTP_NTLM%3Da%253Ab%40m1%2Cg%253Ap').commands).toEqual([
      {
        command: 'HTTP_NTLM',
        definitions: [
          { username: 'a', password: 'b', mapping: 'm1' },
          { username: 'g', password: 'p' },
        ],
      },
    ]);
  });

  test('repeated commands stay apart and in order; clears are read as clears', () => {
    expect(parseControlCookie('AL_CONTROL=HTTP_NTLM%3D%26HTTP_NTLM%3Du%253Ap%26HTTP_NTLM%3D%40m1').commands).toEqual([
      { command: 'HTTP_NTLM', definitions: [{ clear: true }] },
      { command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p' }] },
      { command: 'HTTP_NTLM', definitions: [{ clear: true, mapping: 'm1' }] },
    ]);
  });

  test('other control API commands are returned as they are, not refused and not interpreted', () => {
    expect(
      parseControlCookie(
        'AL_CONTROL=SESSION%3DNEWID%26HTTP_NTLM%3Du%253Ap%26SESSION%5Bsid%3Aab12%5D%3DTERMINATE%26SESSION_TIMEOUT%3D1800',
      ),
    ).toEqual({
      cookieName: 'AL_CONTROL',
      commands: [{ command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p' }] }],
      otherCommands: [
        { command: 'SESSION', value: 'NEWID' },
        { command: 'SESSION[sid:ab12]', value: 'TERMINATE' },
        { command: 'SESSION_TIMEOUT', value: '1800' },
      ],
    });
  });

  test('the credentials are decoded as the caller says: UTF-8 by default, ISO-8859-1 on request', () => {
    expect(parseControlCookie('AL_CONTROL=HTTP_NTLM%3Dj%25C3%25BCrgen%253Ap').commands[0]).toEqual({
      command: 'HTTP_NTLM',
      definitions: [{ username: 'jürgen', password: 'p' }],
    });
    expect(
      parseControlCookie('AL_CONTROL=HTTP_NTLM%3Dj%25FCrgen%253Ap', { encoding: 'iso-8859-1' }).commands[0],
    ).toEqual({ command: 'HTTP_NTLM', definitions: [{ username: 'jürgen', password: 'p', encoding: 'iso-8859-1' }] });
    expect(code(() => parseControlCookie('AL_CONTROL=HTTP_NTLM%3Dj%25FCrgen%253Ap'))).toBe(
      'ERR_NTLM_AIRLOCK_BAD_COOKIE',
    );
  });

  test('equivalent spellings read the same: raw separators, lower-case hex, whitespace, attributes, a bare value', () => {
    const expected = [{ command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p', mapping: 'm' }] }];
    for (const header of [
      'AL_CONTROL=HTTP_NTLM%3Du%253Ap%40m',
      'AL_CONTROL=HTTP_NTLM=u%253Ap@m',
      'AL_CONTROL=HTTP_NTLM%3du%253ap%40m',
      'AL_CONTROL=HTTP_NTLM%3Du%3Ap%40m', // ':' needs no escape at the second level
      '  set-cookie:\tAL_CONTROL = HTTP_NTLM%3Du%253Ap%40m ; Path=/; Secure; HttpOnly',
      'HTTP_NTLM%3Du%253Ap%40m',
    ]) {
      expect(parseControlCookie(header).commands).toEqual(expected);
    }
    expect(parseControlCookie('MY_CONTROL=AUDIT_TOKEN%3Dx').cookieName).toBe('MY_CONTROL');
  });

  test('roles: timeouts, lifetimes, K; 0 is the default and reads as no value', () => {
    expect(
      parseControlCookie('AL_CONTROL=ADD_CREDENTIALS%3Da%2Cb%3A600%2Cc%3A0%3A3600%2Cd%3A1%3A2%3AK%2Ce%3A0%3A0')
        .commands,
    ).toEqual([
      {
        command: 'ADD_CREDENTIALS',
        roles: [
          { name: 'a' },
          { name: 'b', timeout: 600 },
          { name: 'c', lifetime: 3600 },
          { name: 'd', timeout: 1, lifetime: 2, keepId: true },
          { name: 'e' },
        ],
      },
    ]);
  });
});

describe('the second percent-decoding of the role commands', () => {
  const expected = [{ command: 'SET_CREDENTIALS', roles: [{ name: 'r1', timeout: 600, lifetime: 1800 }] }];

  test("credential-definitions are percent-encoded whole: ':' and ',' read the same raw, escaped or escaped twice", () => {
    for (const header of [
      'AL_CONTROL=SET_CREDENTIALS%3Dr1%253A600%253A1800', // URL_Encode("r1:600:1800"), as the manual asks
      'AL_CONTROL=SET_CREDENTIALS%3Dr1%3A600%3A1800',
      'AL_CONTROL=SET_CREDENTIALS%3Dr1%253a600%3A1800',
      'AL_CONTROL=SET_CREDENTIALS=r1%3A600:1800',
    ]) {
      expect(parseControlCookie(header).commands).toEqual(expected);
    }
    for (const header of [
      'AL_CONTROL=ADD_CREDENTIALS%3Da%252Cb%253A0%253A0%253AK',
      'AL_CONTROL=ADD_CREDENTIALS%3Da%2Cb%3A0%3A0%3AK',
    ]) {
      expect(parseControlCookie(header).commands).toEqual([
        { command: 'ADD_CREDENTIALS', roles: [{ name: 'a' }, { name: 'b', keepId: true }] },
      ]);
    }
  });

  test('decoded twice, never three times; a + and a bad escape at the second level are refused', () => {
    for (const header of [
      'AL_CONTROL=SET_CREDENTIALS%3Dr1%25253A600',
      'AL_CONTROL=SET_CREDENTIALS%3Dr%252B1',
      'AL_CONTROL=SET_CREDENTIALS%3Dr1%25zz',
      'AL_CONTROL=SET_CREDENTIALS%3Dr1%2520',
    ]) {
      expect(code(() => parseControlCookie(header))).toBe('ERR_NTLM_AIRLOCK_BAD_COOKIE');
    }
  });

  test('what the builders write reads back', () => {
    const roles = [{ name: 'users', timeout: 600 }, { name: 'admin' }, { name: 'r.1', lifetime: 5, keepId: true }];
    expect(parseControlCookie(controlCookie(setCredentials(...roles))).commands).toEqual([
      { command: 'SET_CREDENTIALS', roles },
    ]);
  });
});

describe('a bare value whose first command has a raw =', () => {
  test.each([
    ['HTTP_NTLM=u%253Ap', [{ command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p' }] }]],
    ['HTTP_NTLM=u%253Ap@m', [{ command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p', mapping: 'm' }] }]],
    ['  HTTP_NTLM=u%253Ap ; Path=/', [{ command: 'HTTP_NTLM', definitions: [{ username: 'u', password: 'p' }] }]],
    [
      'AUDIT_TOKEN=x&SET_CREDENTIALS=r1:600',
      [
        { command: 'AUDIT_TOKEN', value: 'x' },
        { command: 'SET_CREDENTIALS', roles: [{ name: 'r1', timeout: 600 }] },
      ],
    ],
    ['SET_CREDENTIALS=r1%253A600', [{ command: 'SET_CREDENTIALS', roles: [{ name: 'r1', timeout: 600 }] }]],
  ])('%s reads like its escaped spelling', (bare, commands) => {
    expect(parseControlCookie(bare)).toEqual({ cookieName: 'AL_CONTROL', commands, otherCommands: [] });
  });

  test('other control API command names too; a cookie name stays a cookie name', () => {
    expect(parseControlCookie('SESSION=NEWID&HTTP_NTLM=u%253Ap').otherCommands).toEqual([
      { command: 'SESSION', value: 'NEWID' },
    ]);
    expect(parseControlCookie('SESSION[sid:ab12]=TERMINATE')).toEqual({
      cookieName: 'AL_CONTROL',
      commands: [],
      otherCommands: [{ command: 'SESSION[sid:ab12]', value: 'TERMINATE' }],
    });
    expect(parseControlCookie('MY_CONTROL=HTTP_NTLM%3Du%253Ap').cookieName).toBe('MY_CONTROL');
    expect(parseControlCookie('AL_CONTROL=HTTP_NTLM=u%253Ap').cookieName).toBe('AL_CONTROL');
    // After `Set-Cookie:` comes a cookie name, whatever it is: HTTP_NTLM is then the name and `u%253Ap` no command.
    expect(code(() => parseControlCookie('Set-Cookie: HTTP_NTLM=u%253Ap'))).toBe('ERR_NTLM_AIRLOCK_BAD_COOKIE');
  });

  test('controlCookie refuses a cookie name the parser would read as a command', () => {
    for (const cookieName of ['HTTP_NTLM', 'SET_CREDENTIALS', 'SESSION', 'AUDIT_TOKEN']) {
      expect(code(() => controlCookie(auditToken('x'), { cookieName }))).toBe('ERR_NTLM_AIRLOCK_INVALID_ARGUMENT');
    }
  });
});

describe('anything without one meaning is ERR_NTLM_AIRLOCK_BAD_COOKIE', () => {
  test.each([
    ['an empty input', ''],
    ['no command', 'AL_CONTROL='],
    ['only attributes', '; Path=/'],
    ['a cookie name that is not a token', 'AL CONTROL=AUDIT_TOKEN%3Dx'],
    ['a request Cookie header', 'Cookie: AL_CONTROL=AUDIT_TOKEN%3Dx'],
    ['a quoted value', 'AL_CONTROL="AUDIT_TOKEN%3Dx"'],
    ['a space in the value', 'AL_CONTROL=AUDIT_TOKEN%3Dx y'],
    ['a CR LF', 'AL_CONTROL=AUDIT_TOKEN%3Dx\r\nSet-Cookie: y=1'],
    ['a NUL in the attributes', 'AL_CONTROL=AUDIT_TOKEN%3Dx; Path=/\u0000'],
    ['a non-ASCII character', 'AL_CONTROL=AUDIT_TOKEN%3Dé'],
    ['a lone %', 'AL_CONTROL=AUDIT_TOKEN%3Dx%'],
    ['a short escape', 'AL_CONTROL=AUDIT_TOKEN%3Dx%4'],
    ['a bad escape', 'AL_CONTROL=AUDIT_TOKEN%3D%zz'],
    ['an escaped control byte', 'AL_CONTROL=AUDIT_TOKEN%3Dx%0A'],
    ['an escaped non-ASCII byte at the cookie level', 'AL_CONTROL=AUDIT_TOKEN%3D%C3%A9'],
    ['a + (space or plus?)', 'AL_CONTROL=AUDIT_TOKEN%3Da+b'],
    ['a + at the second level', 'AL_CONTROL=HTTP_NTLM%3Du%2Bv%253Ap'],
    ['an empty command', 'AL_CONTROL=AUDIT_TOKEN%3Dx%26'],
    ['a command without =', 'AL_CONTROL=AUDIT_TOKEN'],
    ['a command without a name', 'AL_CONTROL=%3Dx'],
    ['a lower-case command name', 'AL_CONTROL=http_ntlm%3Du%253Ap'],
    ['a credential without :', 'AL_CONTROL=HTTP_NTLM%3Du'],
    ['an empty username', 'AL_CONTROL=HTTP_NTLM%3D%253Ap'],
    ['an empty domain', 'AL_CONTROL=HTTP_NTLM%3D%255Cu%253Ap'],
    ['two backslashes', 'AL_CONTROL=HTTP_NTLM%3Da%255Cb%255Cu%253Ap'],
    ['a control character in the username', 'AL_CONTROL=HTTP_NTLM%3Du%250Av%253Ap'],
    ['credentials that are not UTF-8', 'AL_CONTROL=HTTP_NTLM%3Du%253A%25FF'],
    ['a UTF-8 surrogate', 'AL_CONTROL=HTTP_NTLM%3Du%253A%25ED%25A0%2580'],
    ['a bad second-level escape', 'AL_CONTROL=HTTP_NTLM%3Du%253A%25zz'],
    ['two @', 'AL_CONTROL=HTTP_NTLM%3Du%253Ap%40x%40m'],
    ['an empty mapping', 'AL_CONTROL=HTTP_NTLM%3Du%253Ap%40'],
    ['a mapping with a space', 'AL_CONTROL=HTTP_NTLM%3Du%253Ap%40a%20b'],
    ['an empty audit token', 'AL_CONTROL=AUDIT_TOKEN%3D'],
    ['a control character in the audit token', 'AL_CONTROL=AUDIT_TOKEN%3Dx%250A'],
    ['an empty role', 'AL_CONTROL=SET_CREDENTIALS%3D'],
    ['an empty timeout', 'AL_CONTROL=SET_CREDENTIALS%3Da%3A%3A5'],
    ['a keep-id flag that is not K', 'AL_CONTROL=SET_CREDENTIALS%3Da%3A1%3A2%3Atrue'],
    ['five role fields', 'AL_CONTROL=SET_CREDENTIALS%3Da%3A1%3A2%3AK%3Ax'],
    ['a negative timeout', 'AL_CONTROL=SET_CREDENTIALS%3Da%3A-1'],
    ['a huge timeout', 'AL_CONTROL=SET_CREDENTIALS%3Da%3A9999999999999999'],
    ['a role name with a space', 'AL_CONTROL=SET_CREDENTIALS%3Da%20b'],
    ['an other command with a bad name', 'AL_CONTROL=Session%3DNEWID'],
  ])('%s', (_name, header) => {
    expect(code(() => parseControlCookie(header))).toBe('ERR_NTLM_AIRLOCK_BAD_COOKIE');
  });

  test('the error says where, in which command and definition', () => {
    let error: unknown;
    try {
      parseControlCookie('AL_CONTROL=AUDIT_TOKEN%3Dx%26HTTP_NTLM%3Du%253Ap%2C%253Ap');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'ERR_NTLM_AIRLOCK_BAD_COOKIE',
      message: 'command 2: definition 2: the username is empty',
      details: { command: 2, definition: 2, field: 'username' },
    });
  });
});
