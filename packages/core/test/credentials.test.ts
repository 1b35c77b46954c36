import { resolveCredentials, splitUsername, parseNtHash, toHex, NtlmError } from '../src/index';

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
    expect(() => resolveCredentials({ username: 'a' })).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
    expect(() => resolveCredentials(undefined as never)).toThrow(NtlmError);
    expect(resolveCredentials({ username: '', password: '' }).anonymous).toBe(true);
  });
});
