import { inspect } from 'node:util';
import {
  parseAuthenticateHeaders,
  selectNtlmOffer,
  OriginMemory,
  Identity,
  ConnectionAuth,
  spnFor,
  NtlmHttpEngine,
  RequestFlow,
  isIdempotent,
  isSafe,
  type Action,
  type ConnectionView,
  type LayerOptions,
  type ResponseHead,
  validateProxyOptions,
} from '../src/http/index';
import {
  createChallengeMessage,
  parseNegotiateMessage,
  parseAuthenticateMessage,
  toBase64,
  fromBase64,
  AvId,
  utf16le,
  dateToFiletime,
  NtlmError,
  NtlmContext,
} from '../src/internal';

describe('WWW-Authenticate parsing', () => {
  test('several headers, comma-joined challenges, parameters, case-insensitive schemes', () => {
    expect(parseAuthenticateHeaders(['Negotiate', 'NTLM'])).toEqual([
      { scheme: 'Negotiate', params: {} },
      { scheme: 'NTLM', params: {} },
    ]);
    expect(parseAuthenticateHeaders('Negotiate, NTLM').map((c) => c.scheme)).toEqual(['Negotiate', 'NTLM']);
    const mixed = parseAuthenticateHeaders('Basic realm="a, b", charset="UTF-8", ntlm TlRMTVNTUAACAAAA==, Bearer');
    expect(mixed).toEqual([
      { scheme: 'Basic', params: { realm: 'a, b', charset: 'UTF-8' } },
      { scheme: 'ntlm', token: 'TlRMTVNTUAACAAAA==', params: {} },
      { scheme: 'Bearer', params: {} },
    ]);
    expect(parseAuthenticateHeaders(undefined)).toEqual([]);
  });

  test('RFC 9110 5.6.4: a quoted-pair escapes one character, so in `\\\\"` the quote ends the string', () => {
    expect(parseAuthenticateHeaders('Basic realm="C:\\\\", NTLM')).toEqual([
      { scheme: 'Basic', params: { realm: 'C:\\' } },
      { scheme: 'NTLM', params: {} },
    ]);
    expect(selectNtlmOffer(parseAuthenticateHeaders('Basic realm="C:\\\\", NTLM'))).toEqual({
      kind: 'ntlm',
      scheme: 'NTLM',
    });
    expect(parseAuthenticateHeaders('Basic realm="say \\"hi\\", twice\\\\\\"", NTLM')).toEqual([
      { scheme: 'Basic', params: { realm: 'say "hi", twice\\"' } },
      { scheme: 'NTLM', params: {} },
    ]);
  });

  test('RFC 9110 11.2: a quoted value with spaces in a later auth-param stays in its challenge', () => {
    expect(parseAuthenticateHeaders('Bearer realm="api", error="invalid token", NTLM')).toEqual([
      { scheme: 'Bearer', params: { realm: 'api', error: 'invalid token' } },
      { scheme: 'NTLM', params: {} },
    ]);
    const c = parseAuthenticateHeaders(
      'Bearer realm="api", error="invalid_token", error_description="expired, NTLM TlRMTVNTUAACAAAA"',
    );
    expect(c).toEqual([
      {
        scheme: 'Bearer',
        params: { realm: 'api', error: 'invalid_token', error_description: 'expired, NTLM TlRMTVNTUAACAAAA' },
      },
    ]);
    expect(selectNtlmOffer(c)).toEqual({ kind: 'none' });
    expect(parseAuthenticateHeaders('Digest realm="x y", nonce="abc", qop="auth,auth-int", NTLM')).toEqual([
      { scheme: 'Digest', params: { realm: 'x y', nonce: 'abc', qop: 'auth,auth-int' } },
      { scheme: 'NTLM', params: {} },
    ]);
  });

  test('RFC 9110 11.6.1: several challenges, BWS around "=", token68 with trailing "=", empty list elements', () => {
    expect(parseAuthenticateHeaders('Basic realm = "x y" , charset=UTF-8, NTLM')).toEqual([
      { scheme: 'Basic', params: { realm: 'x y', charset: 'UTF-8' } },
      { scheme: 'NTLM', params: {} },
    ]);
    expect(parseAuthenticateHeaders('NTLM TlRMTVNTUAACAAAA==, Negotiate abc=, Basic realm="r"')).toEqual([
      { scheme: 'NTLM', token: 'TlRMTVNTUAACAAAA==', params: {} },
      { scheme: 'Negotiate', token: 'abc=', params: {} },
      { scheme: 'Basic', params: { realm: 'r' } },
    ]);
    expect(parseAuthenticateHeaders(', , Negotiate,, ,NTLM ,')).toEqual([
      { scheme: 'Negotiate', params: {} },
      { scheme: 'NTLM', params: {} },
    ]);
    expect(parseAuthenticateHeaders('Basic realm="a",, ,charset="UTF-8", NTLM')).toEqual([
      { scheme: 'Basic', params: { realm: 'a', charset: 'UTF-8' } },
      { scheme: 'NTLM', params: {} },
    ]);
    expect(parseAuthenticateHeaders(['', ' , '])).toEqual([]);
  });

  test('schemes are case-insensitive; malformed parts are skipped without hiding the challenges after them', () => {
    expect(selectNtlmOffer(parseAuthenticateHeaders('nTlM'))).toEqual({ kind: 'ntlm', scheme: 'NTLM' });
    expect(selectNtlmOffer(parseAuthenticateHeaders('basic realm="x", NEGOTIATE'))).toEqual({
      kind: 'ntlm',
      scheme: 'Negotiate',
    });
    expect(parseAuthenticateHeaders('NTLM ====')).toEqual([{ scheme: 'NTLM', params: {} }]);
    expect(parseAuthenticateHeaders('Basic "junk", =x, NTLM')).toEqual([
      { scheme: 'Basic', params: {} },
      { scheme: 'NTLM', params: {} },
    ]);
    expect(parseAuthenticateHeaders('Basic realm="unterminated, NTLM')).toEqual([
      { scheme: 'Basic', params: { realm: 'unterminated, NTLM' } },
    ]);
  });

  const challenge = toBase64(
    createChallengeMessage({
      flags: 0xe28a8215,
      serverChallenge: new Uint8Array(8),
      targetName: 'X',
      targetInfo: [
        { id: AvId.Timestamp, value: dateToFiletime(0) },
        { id: AvId.NbDomainName, value: utf16le('X') },
      ],
    }),
  );

  test('NTLM preferred over Negotiate; raw NTLM under Negotiate; Nego2 ignored', () => {
    expect(selectNtlmOffer(parseAuthenticateHeaders(['Negotiate', 'NTLM']))).toEqual({ kind: 'ntlm', scheme: 'NTLM' });
    expect(selectNtlmOffer(parseAuthenticateHeaders('Negotiate'))).toEqual({ kind: 'ntlm', scheme: 'Negotiate' });
    expect(selectNtlmOffer(parseAuthenticateHeaders('Nego2, Basic realm="x"'))).toEqual({ kind: 'none' });
    const offer = selectNtlmOffer(parseAuthenticateHeaders(`Negotiate ${challenge}`));
    expect(offer).toMatchObject({ kind: 'ntlm', scheme: 'Negotiate' });
  });

  test('a Kerberos token under Negotiate is not NTLM', () => {
    expect(selectNtlmOffer(parseAuthenticateHeaders('Negotiate oYG2MIGzoAMKAQGhCwYJKoZIgvcSAQICooGeBIGb'))).toEqual({
      kind: 'not-ntlm',
      scheme: 'Negotiate',
    });
  });

  test('a CHALLENGE token is taken whichever challenge carries it, beside bare offers (RFC 9110 11.6.1)', () => {
    for (const header of [
      [`Negotiate ${challenge}`, 'NTLM'],
      [`NTLM, Negotiate ${challenge}`],
      ['Basic realm="x"', 'NTLM', `Negotiate ${challenge}`],
    ]) {
      const offer = selectNtlmOffer(parseAuthenticateHeaders(header));
      expect(offer).toMatchObject({ kind: 'ntlm', scheme: 'Negotiate' });
      expect(toBase64((offer as { token: Uint8Array }).token)).toBe(challenge);
    }
    expect(selectNtlmOffer(parseAuthenticateHeaders(['Negotiate', `NTLM ${challenge}`]))).toMatchObject({
      kind: 'ntlm',
      scheme: 'NTLM',
      token: expect.any(Uint8Array),
    });
    // A Kerberos token beside a bare NTLM: NTLM is offered.
    expect(
      selectNtlmOffer(parseAuthenticateHeaders(['Negotiate oYG2MIGzoAMKAQGhCwYJKoZIgvcSAQICooGeBIGb', 'NTLM'])),
    ).toEqual({ kind: 'ntlm', scheme: 'NTLM' });
  });

  test('NTLM wrapped in SPNEGO (a NegTokenResp naming NTLMSSP) is told apart from Kerberos', () => {
    // NegTokenResp { negState accept-incomplete, supportedMech 1.3.6.1.4.1.311.2.2.10, responseToken CHALLENGE }
    const inner = fromBase64(challenge);
    const oid = [0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
    const der = (tag: number, body: number[]) => [
      tag,
      ...(body.length < 128 ? [body.length] : [0x81, body.length]),
      ...body,
    ];
    const resp = der(
      0xa1,
      der(0x30, [...der(0xa0, [0x0a, 0x01, 0x01]), ...der(0xa1, oid), ...der(0xa2, der(0x04, [...inner]))]),
    );
    const offer = selectNtlmOffer(parseAuthenticateHeaders(`Negotiate ${toBase64(new Uint8Array(resp))}`));
    expect(offer).toEqual({ kind: 'not-ntlm', scheme: 'Negotiate', spnegoNtlm: true });
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

  test('identity keys differ per user and password and reveal neither; the credentials are copied', () => {
    const a = new Identity({ username: 'EXAMPLE\\alice', password: 'Passw0rd!' }).key;
    expect(new Identity({ username: 'example\\ALICE', password: 'Passw0rd!' }).key).toBe(a);
    expect(new Identity({ username: 'EXAMPLE\\alice', password: 'other' }).key).not.toBe(a);
    expect(new Identity({ username: 'EXAMPLE\\bob', password: 'Passw0rd!' }).key).not.toBe(a);
    expect(a).not.toContain('alice');
    const given = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
    const identity = new Identity(given);
    given.password = 'changed';
    expect(identity.key).toBe(a);
    const shown = inspect(identity, { depth: 10, showHidden: true }) + JSON.stringify(identity);
    expect(shown).not.toContain('Passw0rd!');
    expect(shown).toContain('alice');
  });

  test('ConnectionAuth: authenticated per credential set and per socket generation', () => {
    const auth = new ConnectionAuth();
    expect(auth.isAuthenticatedFor('k1', 1)).toBe(false);
    auth.authenticated('k1', 1, 'NTLM');
    expect(auth.isAuthenticatedFor('k1', 1)).toBe(true);
    expect(auth.isAuthenticatedFor('k2', 1)).toBe(false);
    // A new socket behind the same pinned connection is not authenticated.
    expect(auth.isAuthenticatedFor('k1', 2)).toBe(false);
    auth.clear();
    expect(auth.isAuthenticatedFor('k1', 1)).toBe(false);
  });

  test('NtlmContext: NEGOTIATE (with Version), then AUTHENTICATE for the CHALLENGE, then done', () => {
    const context = new NtlmContext({ credentials: { username: 'a', password: 'b' }, spn: 'HTTP/x' });
    const negotiate = context.step();
    expect(parseNegotiateMessage(negotiate).version).toBeDefined();
    const c = createChallengeMessage({
      flags: 0xe28a8215,
      serverChallenge: new Uint8Array(8),
      targetName: 'X',
      targetInfo: [{ id: AvId.Timestamp, value: dateToFiletime(0) }],
    });
    const three = parseAuthenticateMessage(context.step(c));
    expect(three.user).toBe('a');
    expect(context.summary).toMatchObject({ user: 'a', dialect: 'NTLMv2', spn: 'HTTP/x', server: { targetName: 'X' } });
    expect(() => context.step(c)).toThrow(expect.objectContaining({ code: 'ERR_NTLM_WRONG_STATE' }));
  });

  test('SPN and origin rules', () => {
    const url = new URL('https://[::1]:8443/x');
    expect(spnFor({}, url)).toBe('HTTP/::1');
    expect(spnFor({ spn: false }, url)).toBeUndefined();
    expect(spnFor({ spn: (u) => `HTTP/${u.hostname}.corp` }, new URL('http://srv/'))).toBe('HTTP/srv.corp');
    const credentials = { username: 'alice', password: 'x' };
    const engine = (origins?: string[]) =>
      new NtlmHttpEngine({ credentials, ...(origins ? { origins } : {}) }, () => {});
    // Without `origins`: the first origin used, and no other (a redirect never extends it).
    const learned = engine();
    expect(learned.allows('http://any')).toBe(true);
    expect(learned.allows('http://any')).toBe(true);
    expect(learned.allows('http://other')).toBe(false);
    expect(learned.allows('https://any')).toBe(false);
    expect(engine(['https://a.example/path']).allows('https://a.example')).toBe(true);
    expect(engine(['https://a.example']).allows('https://b.example')).toBe(false);
    // A scoped call (the fetch wrapper) narrows it further.
    expect(engine().allows('https://a.example', ['https://b.example'])).toBe(false);
    expect(engine().allows('https://b.example', ['https://b.example'])).toBe(true);
    expect(() => engine(['not a url'])).toThrow(expect.objectContaining({ code: 'ERR_NTLM_INVALID_ARGUMENT' }));
  });

  test('idempotent methods (RFC 9110 9.2.2)', () => {
    expect(['GET', 'head', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'].every(isIdempotent)).toBe(true);
    expect(['POST', 'PATCH', 'CONNECT', 'LOCK'].some(isIdempotent)).toBe(false);
    expect(['GET', 'head', 'OPTIONS', 'TRACE'].every(isSafe)).toBe(true);
    expect(['PUT', 'DELETE', 'POST', 'PATCH'].some(isSafe)).toBe(false);
  });
});

describe('proxy selection', () => {
  const { proxyFor, bypassesProxy } = jest.requireActual('../src/http/index');
  test('explicit URI, environment, NO_PROXY', () => {
    expect(proxyFor(new URL('https://a.example/'), { uri: 'proxy:3128' }).href).toBe('http://proxy:3128/');
    const env = {
      HTTP_PROXY: 'http://p1:8080',
      https_proxy: 'http://p2:8080',
      NO_PROXY: 'localhost,.corp.example,10.0.0.1:8443',
    };
    expect(proxyFor(new URL('http://x.example/'), {}, env).host).toBe('p1:8080');
    expect(proxyFor(new URL('https://x.example/'), {}, env).host).toBe('p2:8080');
    expect(proxyFor(new URL('https://intranet.corp.example/'), {}, env)).toBeUndefined();
    expect(proxyFor(new URL('http://localhost:9/'), {}, env)).toBeUndefined();
    expect(bypassesProxy(new URL('https://10.0.0.1:8443/'), env.NO_PROXY)).toBe(true);
    expect(bypassesProxy(new URL('https://10.0.0.1/'), env.NO_PROXY)).toBe(false);
    expect(bypassesProxy(new URL('https://any/'), '*')).toBe(true);
    expect(proxyFor(new URL('http://x/'), {}, {})).toBeUndefined();
    expect(() => proxyFor(new URL('http://x/'), { uri: 'socks5://p:1' })).toThrow(NtlmError);
  });
  test('an explicit uri is used with its own noProxy only: the environment is not read beside it', () => {
    const env = { NO_PROXY: 'intranet.corp.example', HTTPS_PROXY: 'http://env-proxy:8080' };
    const url = new URL('https://intranet.corp.example/');
    expect(proxyFor(url, { uri: 'http://given:3128' }, env).host).toBe('given:3128');
    expect(proxyFor(url, { uri: 'http://given:3128', noProxy: '.corp.example' }, env)).toBeUndefined();
    expect(proxyFor(url, {}, env)).toBeUndefined();
    expect(proxyFor(new URL('https://x.example/'), {}, env).host).toBe('env-proxy:8080');
  });
});

describe('RequestFlow (the machine with a scripted transport)', () => {
  const challenge = toBase64(
    createChallengeMessage({
      flags: 0xe28a8215,
      serverChallenge: new Uint8Array(8),
      targetName: 'X',
      targetInfo: [{ id: AvId.Timestamp, value: dateToFiletime(0) }],
    }),
  );
  const identity = new Identity({ username: 'EXAMPLE\\alice', password: 'Passw0rd!' });
  const head = (status: number, challenges: string[] = [], extra: Partial<ResponseHead> = {}): ResponseHead => ({
    status,
    header: (name) => (name === 'www-authenticate' || name === 'proxy-authenticate' ? challenges : []),
    closing: false,
    ...extra,
  });
  const layer = (o: Partial<LayerOptions> = {}): LayerOptions => ({
    status: 401,
    target: 'http://origin.test',
    identity,
    spn: () => 'HTTP/origin.test',
    memory: new OriginMemory(),
    preemptive: true,
    throwOnAuthFailure: false,
    ...o,
  });
  const connection = (): ConnectionView & { generation: number } => ({
    auth: new ConnectionAuth(),
    proxyAuth: new ConnectionAuth(),
    generation: 1,
    peerCertificate: () => undefined,
  });
  const flow = (
    o: {
      origin?: LayerOptions;
      proxy?: LayerOptions;
      body?: { present: boolean; replayable: boolean };
      method?: string;
    } = {},
  ) =>
    new RequestFlow({
      origin: o.origin ?? layer(),
      ...(o.proxy ? { proxy: o.proxy } : {}),
      body: o.body ?? { present: false, replayable: true },
      idempotent: isIdempotent(o.method),
      safe: isSafe(o.method),
      log: () => {},
    });
  const send = (a: Action | undefined) => {
    if (!a || a.kind !== 'send') throw new Error(`expected a send, got ${JSON.stringify(a)}`);
    return a;
  };

  test('NEGOTIATE, CHALLENGE, AUTHENTICATE: 200 authenticates the connection', () => {
    const f = flow();
    const conn = connection();
    const negotiate = send(f.start(conn));
    expect(negotiate.headers.authorization).toMatch(/^NTLM TlRMTVNTUAAB/);
    expect(negotiate.withBody).toBe(false);
    expect(f.sending(conn)).toBeUndefined();
    const authenticate = send(f.response(head(401, [`NTLM ${challenge}`]), conn));
    expect(authenticate.headers.authorization).toMatch(/^NTLM TlRMTVNTUAAD/);
    expect(authenticate.withBody).toBe(true);
    expect(f.sending(conn)).toBeUndefined();
    expect(f.response(head(200), conn)).toEqual({ kind: 'deliver' });
    expect(conn.auth.isAuthenticatedFor(identity.key, 1)).toBe(true);
    // The next request on it goes as is.
    const next = flow();
    expect(send(next.start(conn)).headers).toEqual({});
  });

  test("a proxy's 407 in answer to the AUTHENTICATE does not mark the connection authenticated", () => {
    const f = flow();
    const conn = connection();
    f.start(conn);
    f.sending(conn);
    f.response(head(401, [`NTLM ${challenge}`]), conn);
    f.sending(conn);
    expect(f.response(head(407), conn)).toEqual({ kind: 'deliver' });
    expect(conn.auth.isAuthenticatedFor(identity.key, 1)).toBe(false);
  });

  test('a refused AUTHENTICATE is handed back once (no retry loop), or thrown with what helps', () => {
    const f = flow();
    const conn = connection();
    f.start(conn);
    f.sending(conn);
    f.response(head(401, [`NTLM ${challenge}`]), conn);
    f.sending(conn);
    expect(f.response(head(401, ['NTLM']), conn)).toEqual({ kind: 'deliver' });
    expect(conn.auth.isAuthenticated(1)).toBe(false);
    const strict = flow({ origin: layer({ throwOnAuthFailure: true }) });
    strict.start(conn);
    strict.sending(conn);
    strict.response(head(401, [`NTLM ${challenge}`]), conn);
    strict.sending(conn);
    const failed = strict.response(head(401, ['NTLM']), conn);
    if (failed.kind !== 'fail') throw new Error(`expected a fail, got ${JSON.stringify(failed)}`);
    const error = failed.error;
    expect(error).toBeInstanceOf(NtlmError);
    expect(error).toMatchObject({
      code: 'ERR_NTLM_AUTH_FAILED',
      status: 401,
      details: { user: 'alice', domain: 'EXAMPLE', dialect: 'NTLMv2', mic: true },
    });
    expect(error.message).not.toContain('Passw0rd!');
  });

  test('an unknown origin: the request as is; a 401 offering NTLM is remembered; Connection: close moves the handshake to a new connection', () => {
    const memory = new OriginMemory();
    const f = flow({ origin: layer({ preemptive: false, memory }) });
    const conn = connection();
    expect(send(f.start(conn)).headers).toEqual({});
    f.sending(conn);
    const negotiate = send(f.response(head(401, ['Negotiate', 'NTLM'], { closing: true }), conn));
    expect(negotiate.fresh).toBe(true);
    expect(memory.scheme('http://origin.test')).toBe('NTLM');
  });

  test('the socket replaced between CHALLENGE and AUTHENTICATE: one fresh attempt, then ERR_NTLM_CONNECTION_CLOSED', () => {
    const f = flow();
    const conn = connection();
    f.start(conn);
    f.sending(conn);
    f.response(head(401, [`NTLM ${challenge}`]), conn);
    conn.generation = 2;
    const again = send(f.sending(conn));
    expect(again.fresh).toBe(true);
    expect(again.headers.authorization).toMatch(/^NTLM TlRMTVNTUAAB/);
    expect(f.sending(conn)).toBeUndefined();
    f.response(head(401, [`NTLM ${challenge}`]), conn);
    conn.generation = 3;
    expect(f.sending(conn)).toMatchObject({ kind: 'fail', error: { code: 'ERR_NTLM_CONNECTION_CLOSED' } });
  });

  test('closed after the CHALLENGE: one fresh attempt', () => {
    const f = flow();
    const conn = connection();
    f.start(conn);
    f.sending(conn);
    expect(send(f.response(head(401, [`NTLM ${challenge}`], { closing: true }), conn)).fresh).toBe(true);
    f.sending(conn);
    expect(f.response(head(401, [`NTLM ${challenge}`], { closing: true }), conn)).toMatchObject({
      kind: 'fail',
      error: { code: 'ERR_NTLM_CONNECTION_CLOSED' },
    });
  });

  test('an authenticated connection replaced before the request was written: a new handshake, nothing spent', () => {
    const conn = connection();
    conn.auth.authenticated(identity.key, 1, 'NTLM');
    const f = flow();
    expect(send(f.start(conn)).headers).toEqual({});
    conn.generation = 2;
    const negotiate = send(f.sending(conn));
    expect(negotiate.headers.authorization).toMatch(/^NTLM TlRMTVNTUAAB/);
    expect(negotiate.fresh).toBe(false);
  });

  test('at most once: a POST whose body may have reached the server is never sent again', () => {
    const lost = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const conn = connection();
    const post = flow({ method: 'POST', body: { present: true, replayable: true } });
    post.start(conn);
    post.sending(conn);
    post.response(head(401, [`NTLM ${challenge}`]), conn);
    post.sending(conn);
    expect(post.failure(lost, true)).toMatchObject({
      kind: 'fail',
      error: { code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED', cause: lost },
    });
    // A failure while the CHALLENGE's body is read is the NEGOTIATE leg's (bodiless): one fresh attempt.
    const reading = flow({ method: 'POST', body: { present: true, replayable: true } });
    reading.start(conn);
    reading.sending(conn);
    send(reading.response(head(401, [`NTLM ${challenge}`]), conn));
    expect(send(reading.failure(lost, true)).fresh).toBe(true);
    // The bodiless NEGOTIATE leg of the same POST may go again.
    const early = flow({ method: 'POST', body: { present: true, replayable: true } });
    early.start(conn);
    early.sending(conn);
    expect(send(early.failure(lost, true)).fresh).toBe(true);
    // An idempotent GET gets its one fresh attempt; a second loss is final.
    const get = flow();
    get.start(conn);
    get.sending(conn);
    expect(send(get.failure(lost, true)).fresh).toBe(true);
    get.sending(conn);
    expect(get.failure(lost, true)).toMatchObject({ kind: 'fail', error: { code: 'ERR_NTLM_CONNECTION_CLOSED' } });
    // A failure to connect is the answer, and anything that is not the socket going away passes through.
    expect(flow().failure(lost, false)).toEqual({ kind: 'fail', error: lost });
    const refused = new Error('nope');
    expect(flow().failure(refused, true)).toEqual({ kind: 'fail', error: refused });
  });

  test('a stream body goes once: a second leg with it is refused before it is written', () => {
    const f = flow({ origin: layer({ preemptive: false }), body: { present: true, replayable: false }, method: 'PUT' });
    const conn = connection();
    expect(send(f.start(conn)).withBody).toBe(true);
    f.sending(conn);
    expect(f.response(head(401, ['NTLM']), conn)).toMatchObject({
      kind: 'fail',
      error: { code: 'ERR_NTLM_BODY_NOT_REPLAYABLE' },
    });
  });

  test('a NEGOTIATE answered without a challenge: the origin is forgotten; a bodiless request takes that answer, a safe one with a body goes again with it, any other fails', () => {
    const memory = new OriginMemory();
    memory.remember('http://origin.test', 'NTLM');
    const conn = connection();
    const get = flow({ origin: layer({ preemptive: false, memory }) });
    get.start(conn);
    get.sending(conn);
    expect(get.response(head(200), conn)).toEqual({ kind: 'deliver' });
    expect(memory.scheme('http://origin.test')).toBeUndefined();
    memory.remember('http://origin.test', 'NTLM');
    // A GET with a body (a search, say) is read-only: it goes again, with its body.
    const search = flow({
      origin: layer({ preemptive: false, memory }),
      body: { present: true, replayable: true },
      method: 'GET',
    });
    expect(send(search.start(conn)).withBody).toBe(false);
    search.sending(conn);
    const plain = send(search.response(head(200), conn));
    expect(plain).toMatchObject({ withBody: true, headers: {} });
    search.sending(conn);
    expect(search.response(head(200), conn)).toEqual({ kind: 'deliver' });
    // A PUT is idempotent for identical requests only (RFC 9110 9.2.2): the empty one the server answered may
    // have created or emptied the resource (a create-only PUT would then fail as "exists"). Not sent again.
    for (const method of ['PUT', 'DELETE']) {
      memory.remember('http://origin.test', 'NTLM');
      const put = flow({
        origin: layer({ preemptive: false, memory }),
        body: { present: true, replayable: true },
        method,
      });
      expect(send(put.start(conn)).withBody).toBe(false);
      put.sending(conn);
      expect(put.response(head(201), conn)).toMatchObject({
        kind: 'fail',
        error: { code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED', status: 201 },
      });
    }
    // A POST is not sent twice: the server may have run the bodiless one.
    memory.remember('http://origin.test', 'NTLM');
    const post = flow({
      origin: layer({ preemptive: false, memory }),
      body: { present: true, replayable: true },
      method: 'POST',
    });
    post.start(conn);
    post.sending(conn);
    expect(post.response(head(200), conn)).toMatchObject({
      kind: 'fail',
      error: { code: 'ERR_NTLM_MAY_HAVE_BEEN_PROCESSED', status: 200 },
    });
    expect(memory.scheme('http://origin.test')).toBeUndefined();
    // A proxy's refusal of the bodiless leg is the request's answer.
    memory.remember('http://origin.test', 'NTLM');
    const refused = flow({
      origin: layer({ preemptive: false, memory }),
      body: { present: true, replayable: true },
      method: 'POST',
    });
    refused.start(conn);
    refused.sending(conn);
    expect(refused.response(head(407, ['Basic realm="x"']), conn)).toEqual({ kind: 'deliver' });
  });

  test('Kerberos only: a clear error that says what to do', () => {
    const f = flow({
      origin: layer({
        preemptive: false,
        memory: (() => {
          const m = new OriginMemory();
          m.remember('http://origin.test', 'Negotiate');
          return m;
        })(),
      }),
    });
    const conn = connection();
    f.start(conn);
    f.sending(conn);
    const a = f.response(head(401, ['Negotiate oYG2MIGzoAMKAQGhCwYJKoZIgvcSAQICooGeBIGb']), conn);
    expect(a).toMatchObject({ kind: 'fail', error: { code: 'ERR_NTLM_NO_NTLM_CHALLENGE' } });
    expect((a as { error: Error }).error.message).toMatch(/Kerberos/);
  });

  test('the proxy layer is consulted first: its 407 handshake carries the origin leg, then the origin handshakes', () => {
    const proxyIdentity = new Identity({ username: 'CORP\\proxy', password: 'Pr0xy!' });
    const f = flow({
      origin: layer({ preemptive: false }),
      proxy: layer({ status: 407, target: 'http://proxy.test', identity: proxyIdentity, preemptive: false }),
      body: { present: true, replayable: true },
      method: 'POST',
    });
    const conn = connection();
    expect(send(f.start(conn)).headers).toEqual({});
    f.sending(conn);
    const proxyNegotiate = send(f.response(head(407, ['NTLM']), conn));
    expect(proxyNegotiate.headers['proxy-authorization']).toMatch(/^NTLM TlRMTVNTUAAB/);
    expect(proxyNegotiate.withBody).toBe(false);
    f.sending(conn);
    const proxyAuthenticate = send(f.response(head(407, [`NTLM ${challenge}`]), conn));
    expect(proxyAuthenticate.headers['proxy-authorization']).toMatch(/^NTLM TlRMTVNTUAAD/);
    expect(proxyAuthenticate.withBody).toBe(true);
    f.sending(conn);
    const originNegotiate = send(f.response(head(401, ['NTLM']), conn));
    expect(conn.proxyAuth.isAuthenticatedFor(proxyIdentity.key, 1)).toBe(true);
    expect(originNegotiate.headers).toEqual({ authorization: expect.stringMatching(/^NTLM TlRMTVNTUAAB/) });
  });
});

describe('validateProxyOptions', () => {
  test.each([
    [undefined],
    [{}],
    [{ uri: 'http://proxy.corp.example:3128', credentials: { username: 'p', password: 'x' } }],
    [{ uri: 'proxy.corp.example:3128', noProxy: 'localhost,.corp', fromEnv: false, tls: {} }],
    [{ uri: 'https://proxy.corp.example', credentials: undefined }],
    [{ uri: '' }],
  ])('accepts %p', (value) => {
    expect(() => validateProxyOptions(value, 'proxy')).not.toThrow();
  });
  test.each([
    ['a string', 'http://proxy:3128', '`proxy` must be an object'],
    ['an array', [], '`proxy` must be an object'],
    ['a misspelt uri', { url: 'http://proxy:3128' }, 'unknown `proxy` option "url"'],
    ['a key of another option', { proxyTls: {} }, 'unknown `proxy` option "proxyTls"'],
    ['a number uri', { uri: 3128 }, '`proxy.uri` must be a string'],
    ['an ftp uri', { uri: 'ftp://proxy' }, 'unsupported proxy scheme ftp:'],
    ['a socks uri', { uri: 'socks5://proxy:1080' }, 'unsupported proxy scheme socks5:'],
    ['an unparsable uri', { uri: 'http://[::1' }, 'not a valid URL'],
    ['string credentials', { credentials: 'user:pass' }, '`proxy.credentials` must be an object'],
    ['a list as noProxy', { noProxy: ['a'] }, '`proxy.noProxy` must be a string'],
    ['fromEnv as a string', { fromEnv: 'false' }, '`proxy.fromEnv` must be true or false'],
    ['tls as a string', { tls: 'insecure' }, '`proxy.tls` must be an object'],
  ])('refuses %s with an NtlmError', (_what, value, message) => {
    let error: unknown;
    try {
      validateProxyOptions(value, 'proxy');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NtlmError);
    expect(error).toMatchObject({ code: 'ERR_NTLM_INVALID_ARGUMENT', message: expect.stringContaining(message) });
  });
});
