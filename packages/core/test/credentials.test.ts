import { inspect } from 'node:util';
import {
  resolveCredentials,
  splitUsername,
  parseNtHash,
  toHex,
  NtlmError,
  prepareCredentials,
  PreparedCredentials,
  ntowfv2,
  buildAuthenticateMessage,
  createChallengeMessage,
  parseAuthenticateMessage,
  NegotiateFlags,
} from '../src/internal';
import { preparedFor } from '../src/credentials';

describe('credentials', () => {
  test('DOMAIN\\user, user@domain, plain user with domain', () => {
    expect(splitUsername('EXAMPLE\\alice')).toEqual({ user: 'alice', domain: 'EXAMPLE' });
    expect(splitUsername('alice@example.com')).toEqual({ user: 'alice@example.com', domain: '' });
    expect(splitUsername('alice', 'Example')).toEqual({ user: 'alice', domain: 'Example' });
    expect(splitUsername('example\\alice', 'EXAMPLE')).toEqual({ user: 'alice', domain: 'example' });
    expect(() => splitUsername('A\\alice', 'B')).toThrow(NtlmError);
  });

  test('NT hash as hex or bytes', () => {
    expect(toHex(parseNtHash('A4F49C406510BDCAB6824EE7C30FD852'))).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(() => parseNtHash('abc')).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
    expect(() => parseNtHash(new Uint8Array(15))).toThrow(NtlmError);
  });

  test('password or hash, not both, not neither', () => {
    expect(() => resolveCredentials({ username: 'a', password: 'p', ntHash: new Uint8Array(16) })).toThrow(NtlmError);
    expect(() => resolveCredentials({ username: 'a' })).toThrow(
      expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }),
    );
    expect(() => resolveCredentials(undefined as never)).toThrow(NtlmError);
    expect(resolveCredentials({ username: '', password: '' }).anonymous).toBe(true);
  });

  test('MS-NLMP 3.1.5.1.2: empty user and password are anonymous whatever the domain, which is kept', () => {
    expect(resolveCredentials({ username: '', password: '', domain: 'DOM' })).toMatchObject({
      user: '',
      domain: 'DOM',
      anonymous: true,
      ntHash: new Uint8Array(16),
    });
    expect(resolveCredentials({ username: 'DOM\\', password: '' })).toMatchObject({ domain: 'DOM', anonymous: true });
    expect(resolveCredentials({ username: '', domain: 'DOM' }).anonymous).toBe(true);
    expect(resolveCredentials({ username: '', password: 'x', domain: 'DOM' }).anonymous).toBe(false);
    expect(resolveCredentials({ username: '', ntHash: new Uint8Array(16), domain: 'DOM' }).anonymous).toBe(false);
    const r = buildAuthenticateMessage({
      username: '',
      password: '',
      domain: 'DOM',
      challenge: createChallengeMessage({
        flags: 0xe28a8215,
        serverChallenge: new Uint8Array(8),
        targetName: 'DOM',
        targetInfo: [],
      }),
      mic: false,
    });
    const m = parseAuthenticateMessage(r.message);
    expect(r.dialect).toBe('anonymous');
    expect(m).toMatchObject({ user: '', domain: 'DOM' });
    expect(m.ntChallengeResponse).toHaveLength(0);
    expect(toHex(m.lmChallengeResponse)).toBe('00');
    expect(m.flags & NegotiateFlags.ANONYMOUS).toBe(NegotiateFlags.ANONYMOUS);
  });
});

describe('prepared credentials', () => {
  test('derive NTOWFv2 once; show no secret when logged or serialised', () => {
    const p = prepareCredentials({ username: 'EXAMPLE\\alice', password: 'Passw0rd!' });
    expect(p).toBeInstanceOf(PreparedCredentials);
    expect(p).toMatchObject({ user: 'alice', domain: 'EXAMPLE', anonymous: false });
    expect(toHex(p.ntlmv2Key().bytes)).toBe(toHex(ntowfv2('Passw0rd!', 'alice', 'EXAMPLE')));
    expect(p.ntlmv2Key()).toBe(p.ntlmv2Key());
    const shown = inspect(p, { depth: 5, showHidden: true }) + JSON.stringify(p);
    expect(shown).not.toContain('Passw0rd!');
    expect(shown).not.toContain(toHex(resolveCredentials({ username: 'alice', password: 'Passw0rd!' }).ntHash));
  });

  test('bad credentials fail when prepared, with the usual errors', () => {
    expect(() => prepareCredentials({ username: 'alice' })).toThrow(NtlmError);
  });

  test('preparedFor: the same object is reused while its fields stay the same', () => {
    const c: { username: string; password?: string; ntHash?: Uint8Array } = {
      username: 'EXAMPLE\\alice',
      password: 'Passw0rd!',
    };
    const first = preparedFor(c);
    expect(preparedFor(c)).toBe(first);
    c.password = 'changed';
    const second = preparedFor(c);
    expect(second).not.toBe(first);
    expect(toHex(second.ntlmv2Key().bytes)).toBe(toHex(ntowfv2('changed', 'alice', 'EXAMPLE')));
    // A hash refilled in place is noticed too.
    const hash = new Uint8Array(16).fill(1);
    const h = { username: 'alice', ntHash: hash };
    const byHash = preparedFor(h);
    hash.fill(2);
    expect(preparedFor(h)).not.toBe(byHash);
    expect(preparedFor(first)).toBe(first);
  });
});
