import { parseAuthenticateHeaders, selectNtlmOffer, OriginMemory, credentialKey, ConnectionAuth, spnFor, NtlmHttpEngine, runExchange, type LegRequest, type LegResult } from '../src/http/index';
import { createChallengeMessage, parseNegotiateMessage, fromBase64, toBase64, AvId, utf16le, dateToFiletime, NtlmError } from '../src/index';

describe('WWW-Authenticate parsing', () => {
  test('several headers, comma-joined challenges, parameters, case-insensitive schemes', () => {
    expect(parseAuthenticateHeaders(['Negotiate', 'NTLM'])).toEqual([{ scheme: 'Negotiate', params: {} }, { scheme: 'NTLM', params: {} }]);
    expect(parseAuthenticateHeaders('Negotiate, NTLM').map((c) => c.scheme)).toEqual(['Negotiate', 'NTLM']);
    const mixed = parseAuthenticateHeaders('Basic realm="a, b", charset="UTF-8", ntlm TlRMTVNTUAACAAAA==, Bearer');
    expect(mixed).toEqual([
      { scheme: 'Basic', params: { realm: 'a, b', charset: 'UTF-8' } },
      { scheme: 'ntlm', token: 'TlRMTVNTUAACAAAA==', params: {} },
      { scheme: 'Bearer', params: {} },
    ]);
    expect(parseAuthenticateHeaders(undefined)).toEqual([]);
  });

  const challenge = toBase64(createChallengeMessage({ flags: 0xe28a8215, serverChallenge: new Uint8Array(8), targetName: 'X', targetInfo: [{ id: AvId.Timestamp, value: dateToFiletime(0) }, { id: AvId.NbDomainName, value: utf16le('X') }] }));

  test('NTLM preferred over Negotiate; raw NTLM under Negotiate; Nego2 ignored', () => {
    expect(selectNtlmOffer(parseAuthenticateHeaders(['Negotiate', 'NTLM']))).toEqual({ kind: 'ntlm', scheme: 'NTLM' });
    expect(selectNtlmOffer(parseAuthenticateHeaders('Negotiate'))).toEqual({ kind: 'ntlm', scheme: 'Negotiate' });
    expect(selectNtlmOffer(parseAuthenticateHeaders('Nego2, Basic realm="x"'))).toEqual({ kind: 'none' });
    const offer = selectNtlmOffer(parseAuthenticateHeaders(`Negotiate ${challenge}`));
    expect(offer).toMatchObject({ kind: 'ntlm', scheme: 'Negotiate' });
  });

  test('a Kerberos token under Negotiate is not NTLM', () => {
    expect(selectNtlmOffer(parseAuthenticateHeaders('Negotiate oYG2MIGzoAMKAQGhCwYJKoZIgvcSAQICooGeBIGb'))).toEqual({ kind: 'not-ntlm', scheme: 'Negotiate' });
  });
});

describe('engine state', () => {
  test('origin memory is bounded and forgets', () => {
    const m = new OriginMemory(2);
    m.remember('http://a', 'NTLM');
    m.remember('http://b', 'Negotiate');
    m.remember('http://c', 'NTLM');
    expect(m.scheme('http://a')).toBeUndefined();
    expect(m.scheme('http://b')).toBe('Negotiate');
    m.forget('http://b');
    expect(m.scheme('http://b')).toBeUndefined();
  });

  test('credential keys differ per user and password and reveal neither', () => {
    const a = credentialKey({ username: 'EXAMPLE\\alice', password: 'Passw0rd!' });
    expect(credentialKey({ username: 'example\\ALICE', password: 'Passw0rd!' })).toBe(a);
    expect(credentialKey({ username: 'EXAMPLE\\alice', password: 'other' })).not.toBe(a);
    expect(credentialKey({ username: 'EXAMPLE\\bob', password: 'Passw0rd!' })).not.toBe(a);
    expect(a).not.toContain('alice');
  });

  test('ConnectionAuth: unauthenticated → negotiating → authenticated, per credential set', () => {
    const auth = new ConnectionAuth();
    const header = auth.negotiateHeader('Negotiate', 'k1');
    expect(header.startsWith('Negotiate ')).toBe(true);
    expect(parseNegotiateMessage(fromBase64(header.slice(10))).version).toBeDefined();
    expect(auth.state).toBe('negotiating');
    const c = createChallengeMessage({ flags: 0xe28a8215, serverChallenge: new Uint8Array(8), targetName: 'X', targetInfo: [{ id: AvId.Timestamp, value: dateToFiletime(0) }] });
    const three = auth.authenticateHeader(c, { username: 'a', password: 'b' }, { spn: 'HTTP/x' });
    expect(three.startsWith('Negotiate TlRMTVNTUAADAAAA')).toBe(true);
    auth.authenticated();
    expect(auth.isAuthenticatedFor('k1')).toBe(true);
    expect(auth.isAuthenticatedFor('k2')).toBe(false);
    auth.reset();
    expect(() => auth.authenticateHeader(c, { username: 'a', password: 'b' }, {})).toThrow(NtlmError);
  });

  test('SPN and origin rules', () => {
    const url = new URL('https://[::1]:8443/x');
    expect(spnFor({}, url)).toBe('HTTP/::1');
    expect(spnFor({ spn: false }, url)).toBeUndefined();
    expect(spnFor({ spn: (u) => `HTTP/${u.hostname}.corp` }, new URL('http://srv/'))).toBe('HTTP/srv.corp');
    const credentials = { username: 'alice', password: 'x' };
    const engine = (origins?: string[]) => new NtlmHttpEngine({ credentials, ...(origins ? { origins } : {}) }, () => {});
    expect(engine().authenticates('http://any')).toBe(true);
    expect(engine(['https://a.example/path']).authenticates('https://a.example')).toBe(true);
    expect(engine(['https://a.example']).authenticates('https://b.example')).toBe(false);
    // A scoped call (the fetch wrapper) narrows it further.
    expect(engine().authenticates('https://a.example', ['https://b.example'])).toBe(false);
    expect(() => engine(['not a url'])).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
  });
});

describe('proxy selection', () => {
  const { proxyFor, bypassesProxy, authHeaderNames } = jest.requireActual('../src/http/index');
  test('explicit URI, environment, NO_PROXY', () => {
    expect(proxyFor(new URL('https://a.example/'), { uri: 'proxy:3128' }).href).toBe('http://proxy:3128/');
    const env = { HTTP_PROXY: 'http://p1:8080', https_proxy: 'http://p2:8080', NO_PROXY: 'localhost,.corp.example,10.0.0.1:8443' };
    expect(proxyFor(new URL('http://x.example/'), {}, env).host).toBe('p1:8080');
    expect(proxyFor(new URL('https://x.example/'), {}, env).host).toBe('p2:8080');
    expect(proxyFor(new URL('https://intranet.corp.example/'), {}, env)).toBeUndefined();
    expect(proxyFor(new URL('http://localhost:9/'), {}, env)).toBeUndefined();
    expect(bypassesProxy(new URL('https://10.0.0.1:8443/'), env.NO_PROXY)).toBe(true);
    expect(bypassesProxy(new URL('https://10.0.0.1/'), env.NO_PROXY)).toBe(false);
    expect(bypassesProxy(new URL('https://any/'), '*')).toBe(true);
    expect(proxyFor(new URL('http://x/'), {}, {})).toBeUndefined();
    expect(() => proxyFor(new URL('http://x/'), { uri: 'socks5://p:1' })).toThrow(NtlmError);
    expect(authHeaderNames(407)).toEqual({ challenge: 'proxy-authenticate', credentials: 'proxy-authorization' });
  });
});

describe('runExchange (the engine with a scripted transport)', () => {
  const challenge = toBase64(createChallengeMessage({ flags: 0xe28a8215, serverChallenge: new Uint8Array(8), targetName: 'X', targetInfo: [{ id: AvId.Timestamp, value: dateToFiletime(0) }] }));
  // Each leg answers with the next scripted head; `deliver` decides, as in the adapters.
  const run = (heads: { status: number; challenges?: string[] }[]) => {
    const auth = new ConnectionAuth();
    const sent: LegRequest[] = [];
    const result = runExchange<string>({
      origin: 'http://origin.test',
      url: new URL('http://origin.test/x'),
      options: { credentials: { username: 'EXAMPLE\\alice', password: 'Passw0rd!' }, preemptive: true },
      credentialKey: 'k',
      auth,
      memory: new OriginMemory(),
      challengeStatus: 401,
      bodyReplayable: true,
      peerCertificate: () => undefined,
      reconnect: async () => {},
      connectionId: () => 1,
      log: () => {},
      send: async (leg): Promise<LegResult<string>> => {
        sent.push(leg);
        const head = heads.shift();
        if (!head) throw new Error('unexpected leg');
        const challenges = head.challenges ?? [];
        const delivered = leg.deliver(head.status, challenges, false);
        return { delivered, status: head.status, challenges, closing: false, response: delivered ? `response ${head.status}` : undefined };
      },
    });
    return { auth, sent, result };
  };

  test('NEGOTIATE, CHALLENGE, AUTHENTICATE: 200 authenticates the connection', async () => {
    const { auth, sent, result } = run([{ status: 401, challenges: [`NTLM ${challenge}`] }, { status: 200 }]);
    await expect(result).resolves.toBe('response 200');
    expect(sent.map((l) => l.authorization?.slice(0, 16))).toEqual(['NTLM TlRMTVNTUAA', 'NTLM TlRMTVNTUAA']);
    expect(sent.map((l) => l.withBody)).toEqual([false, true]);
    expect(auth.isAuthenticatedFor('k')).toBe(true);
  });

  test("a proxy's 407 in answer to the AUTHENTICATE does not mark the connection authenticated", async () => {
    const { auth, result } = run([{ status: 401, challenges: [`NTLM ${challenge}`] }, { status: 407 }]);
    await expect(result).resolves.toBe('response 407');
    expect(auth.state).toBe('unauthenticated');
    expect(auth.isAuthenticatedFor('k')).toBe(false);
  });

  test('a refused AUTHENTICATE is handed back once (no retry loop)', async () => {
    const { auth, sent, result } = run([{ status: 401, challenges: [`NTLM ${challenge}`] }, { status: 401, challenges: ['NTLM'] }]);
    await expect(result).resolves.toBe('response 401');
    expect(sent).toHaveLength(2);
    expect(auth.state).toBe('unauthenticated');
  });
});
