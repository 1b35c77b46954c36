// The development gateway through real sockets: browsers → gateway → @ntlmkit/server back ends. Each
// HTTP_NTLM rule has its own test; the back end's report of the user it authenticated is the judge.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import {
  clearNtlmCredentials,
  controlCookie,
  createAirlockDevGateway,
  isNtlmError,
  ntlmCredentials,
  percentEncode,
  auditToken,
  type CredentialEncoding,
} from '../src/index';
import { PASSWORDS, startBackends, startScene, type Backends, type Scene } from './gateway-scene';

const cred = (user: string, mapping?: string, encoding?: CredentialEncoding) => ({
  domain: 'EXAMPLE',
  username: user,
  password: PASSWORDS[user]!,
  ...(mapping ? { mapping } : {}),
  ...(encoding ? { encoding } : {}),
});
const set = (user: string, mapping?: string) => controlCookie(ntlmCredentials(cred(user, mapping)));
/** One definition as the gateway reads it after the cookie's own decoding: `value[@mapping]`. */
const def = (user: string, mapping?: string) =>
  `${percentEncode(`EXAMPLE\\${user}:${PASSWORDS[user]}`)}${mapping ? `@${mapping}` : ''}`;
/** A hand-written control cookie (for orders the builders refuse): the commands text, percent-encoded whole. */
const raw = (commands: string, name = 'AL_CONTROL') => `${name}=${percentEncode(commands)}`;

let backends: Backends;
let scene: Scene;
const allLogs: string[] = [];

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(async () => {
  await backends.stop();
});
beforeEach(async () => {
  scene = await startScene({}, backends);
});
afterEach(async () => {
  allLogs.push(...scene.logs);
  await scene.stop();
});

/** Who each NTLM mapping sees for this browser. */
async function seen(browser: ReturnType<Scene['browser']>) {
  return { m1: await browser.who('/m1/x'), m2: await browser.who('/m2/x'), deep: await browser.who('/m1/deep/x') };
}

describe('HTTP_NTLM semantics', () => {
  test('a definition without @mapping is global: every NTLM mapping authenticates as it', async () => {
    const browser = scene.browser();
    expect((await browser.login(set('alice'))).status).toBe(200);
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\alice', m2: 'EXAMPLE\\alice', deep: 'EXAMPLE\\alice' });
  });

  test('mapping-specific credentials win for their mapping; the others use the global ones', async () => {
    const browser = scene.browser();
    await browser.login(controlCookie(ntlmCredentials([cred('alice'), cred('bob', 'm1')])));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\bob', m2: 'EXAMPLE\\alice', deep: 'EXAMPLE\\alice' });
  });

  test('mapping-specific credentials alone: the other mappings get no credentials at all', async () => {
    const browser = scene.browser();
    await browser.login(set('carol', 'm2'));
    expect(await seen(browser)).toEqual({ m1: null, m2: 'EXAMPLE\\carol', deep: null });
  });

  test('setting global credentials removes every mapping-specific definition made so far (later response)', async () => {
    const browser = scene.browser();
    await browser.login(controlCookie(ntlmCredentials([cred('bob', 'm1'), cred('carol', 'm2')])));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\bob', m2: 'EXAMPLE\\carol', deep: null });
    await browser.login(set('dave'));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\dave', m2: 'EXAMPLE\\dave', deep: 'EXAMPLE\\dave' });
  });

  test('a global definition after mapping-specific ones in one command removes them; before them it does not', async () => {
    const browser = scene.browser();
    await browser.login(raw(`HTTP_NTLM=${def('bob', 'm1')},${def('carol', 'm2')},${def('dave')}`));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\dave', m2: 'EXAMPLE\\dave', deep: 'EXAMPLE\\dave' });
    await browser.login(raw(`HTTP_NTLM=${def('alice')},${def('bob', 'm1')}`));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\bob', m2: 'EXAMPLE\\alice', deep: 'EXAMPLE\\alice' });
  });

  test('the empty definition removes all the NTLM credentials of the session', async () => {
    const browser = scene.browser();
    await browser.login(controlCookie(ntlmCredentials([cred('alice'), cred('bob', 'm1'), cred('carol', 'm2')])));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\bob', m2: 'EXAMPLE\\carol', deep: 'EXAMPLE\\alice' });
    const events =
      backends.a.stats.authenticated +
      backends.b.stats.authenticated +
      backends.a.stats.failures +
      backends.b.stats.failures;
    await browser.login(controlCookie(clearNtlmCredentials()));
    expect(await seen(browser)).toEqual({ m1: null, m2: null, deep: null });
    // Not a refused handshake: no AUTHENTICATE was sent at all.
    expect(
      backends.a.stats.authenticated +
        backends.b.stats.authenticated +
        backends.a.stats.failures +
        backends.b.stats.failures,
    ).toBe(events);
  });

  test("the empty definition @mapping removes that mapping's own credentials: it uses the global ones again", async () => {
    const browser = scene.browser();
    await browser.login(controlCookie(ntlmCredentials([cred('alice'), cred('bob', 'm1'), cred('carol', 'm2')])));
    await browser.login(controlCookie(clearNtlmCredentials('m1')));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\alice', m2: 'EXAMPLE\\carol', deep: 'EXAMPLE\\alice' });
    // Without global credentials, the mapping has none left.
    const other = scene.browser();
    await other.login(controlCookie(ntlmCredentials([cred('bob', 'm1'), cred('carol', 'm2')])));
    await other.login(controlCookie(clearNtlmCredentials('m1')));
    expect(await seen(other)).toEqual({ m1: null, m2: 'EXAMPLE\\carol', deep: null });
  });

  test('several definitions in one command are applied in order (the last one for a mapping wins)', async () => {
    const browser = scene.browser();
    await browser.login(raw(`HTTP_NTLM=${def('alice', 'm1')},${def('bob', 'm1')},${def('carol', 'deep')},@deep`));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\bob', m2: null, deep: null });
    await browser.login(raw(`HTTP_NTLM=${def('alice')},,${def('bob', 'm2')}`));
    expect(await seen(browser)).toEqual({ m1: null, m2: 'EXAMPLE\\bob', deep: null });
  });

  test('several HTTP_NTLM commands in one cookie, and several control cookies in one response, in order', async () => {
    const browser = scene.browser();
    await browser.login(raw(`HTTP_NTLM=${def('bob', 'm1')}&HTTP_NTLM=${def('alice')}`));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\alice', m2: 'EXAMPLE\\alice', deep: 'EXAMPLE\\alice' });
    await browser.login([set('carol'), set('dave', 'm2'), set('bob', 'deep')]);
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\carol', m2: 'EXAMPLE\\dave', deep: 'EXAMPLE\\bob' });
  });

  test('the value is percent-decoded once (UTF-8): passwords with %, +, separators, NUL and non-ASCII work', async () => {
    for (const user of ['bob', 'carol', 'dave']) {
      const browser = scene.browser();
      await browser.login(set(user));
      expect(await browser.who('/m1/x')).toBe(`EXAMPLE\\${user}`);
    }
    // Decoding twice would turn bob's '%41' into 'A' and refuse him.
    expect(PASSWORDS.bob).toContain('%41');
  });

  test("the encoding is the gateway's option: ISO-8859-1 cookies need a gateway set to ISO-8859-1", async () => {
    const users = { jorg: 'pässwört-ÿ', alice: PASSWORDS.alice! };
    const latin = await startBackends(users);
    const iso = await startScene({ encoding: 'iso-8859-1' }, latin);
    const utf8 = await startScene({}, latin);
    try {
      const cookie = controlCookie(
        ntlmCredentials({ domain: 'EXAMPLE', username: 'jorg', password: users.jorg, encoding: 'iso-8859-1' }),
      );
      const a = iso.browser();
      await a.login(cookie);
      expect(await a.who('/m1/x')).toBe('EXAMPLE\\jorg');
      // The same bytes read as UTF-8 are not UTF-8: refused, nothing applied, and still taken out.
      const b = utf8.browser();
      const reply = await b.login(cookie);
      expect(reply.setCookie.join()).not.toMatch(/AL_CONTROL/i);
      expect(await b.who('/m1/x')).toBeNull();
      expect(utf8.logs.join('\n')).toMatch(
        /control cookie refused, nothing applied \(ERR_NTLM_AIRLOCK_BAD_COOKIE: .*not UTF-8/,
      );
      // UTF-8 bytes read as ISO-8859-1 give another password: the back end refuses it.
      const c = iso.browser();
      await c.login(controlCookie(ntlmCredentials({ domain: 'EXAMPLE', username: 'jorg', password: users.jorg })));
      expect(await c.who('/m1/x')).toMatch(/^refused: wrong password/);
    } finally {
      await iso.stop();
      await utf8.stop();
      await latin.stop();
    }
  });

  test('a control cookie from any back end is applied, NTLM back ends included', async () => {
    const browser = scene.browser();
    await browser.login(set('alice'));
    // The NTLM back end of m1 (authenticated as alice) hands bob's credentials for m2 over.
    const reply = await browser.request('/m1/handover', { backendSets: [set('bob', 'm2')] });
    expect(reply.status).toBe(200);
    expect(reply.json().user).toBe('EXAMPLE\\alice');
    expect(reply.setCookie.join()).not.toContain('AL_CONTROL');
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\alice', m2: 'EXAMPLE\\bob', deep: 'EXAMPLE\\alice' });
    // And from the catch-all mapping.
    await browser.login(set('carol'), '/anything/else');
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\carol', m2: 'EXAMPLE\\carol', deep: 'EXAMPLE\\carol' });
  });

  test('definitions for a mapping the gateway does not have are ignored (and logged)', async () => {
    const browser = scene.browser();
    await browser.login(raw(`HTTP_NTLM=${def('alice')},${def('bob', 'nosuch')}`));
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\alice', m2: 'EXAMPLE\\alice', deep: 'EXAMPLE\\alice' });
    expect(scene.logs.join('\n')).toContain('HTTP_NTLM definition for nosuch ignored: no mapping has that name');
  });
});

describe('cookies', () => {
  test('the control cookie never reaches the browser; the other Set-Cookie headers pass as they are', async () => {
    const browser = scene.browser();
    const reply = await browser.login([
      'a=1; Path=/; HttpOnly',
      set('alice'),
      'b=2; Path=/x; Secure',
      raw(`HTTP_NTLM=${def('bob', 'm1')}`),
    ]);
    expect(reply.setCookie.filter((c) => !c.startsWith('AL_DEV_SESSION='))).toEqual([
      'a=1; Path=/; HttpOnly',
      'b=2; Path=/x; Secure',
    ]);
    expect(reply.setCookie.join('\n')).not.toMatch(/AL_CONTROL|HTTP_NTLM|alice|bob/i);
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\bob', m2: 'EXAMPLE\\alice', deep: 'EXAMPLE\\alice' });
  });

  test('a control cookie named in another case, or a cookie named like the session cookie, is withheld and not applied', async () => {
    const browser = scene.browser();
    const reply = await browser.login([
      raw(`HTTP_NTLM=${def('alice')}`, 'al_control'),
      'AL_DEV_SESSION=planted; Path=/',
    ]);
    expect(reply.setCookie).toEqual([]);
    expect(await browser.who('/m1/x')).toBeNull();
    expect(scene.logs.join('\n')).toMatch(/cookie al_control from the back end withheld/);
    expect(scene.logs.join('\n')).toMatch(/cookie AL_DEV_SESSION from the back end withheld/);
  });

  test('the manual\'s spelling of roles (URL_Encode("users:600")) beside HTTP_NTLM: the cookie is read, not refused', async () => {
    const browser = scene.browser();
    // URL_Encode("HTTP_NTLM=" + URL_Encode("EXAMPLE\\alice:…") + "@m1&SET_CREDENTIALS=" + URL_Encode("users:600"))
    const reply = await browser.login(
      raw(`HTTP_NTLM=${def('alice', 'm1')}&SET_CREDENTIALS=${percentEncode('users:600')}`),
    );
    expect(reply.setCookie.some((c) => c.startsWith('AL_CONTROL'))).toBe(false);
    expect(await seen(browser)).toEqual({ m1: 'EXAMPLE\\alice', m2: null, deep: null });
    const logs = scene.logs.join('\n');
    expect(logs).not.toMatch(/control cookie refused/);
    expect(logs).toContain('control command SET_CREDENTIALS is not modelled by the development gateway; ignored');
  });

  test('a malformed control cookie is taken out and not applied at all (not even its valid part)', async () => {
    const browser = scene.browser();
    await browser.login(set('alice'));
    const bad = `AL_CONTROL=${percentEncode(`HTTP_NTLM=${def('bob', 'm1')}`)}%26HTTP_NTLM%3D%2B`; // then a '+': ambiguous
    const reply = await browser.login(bad);
    expect(reply.setCookie).toEqual([]);
    expect(await browser.who('/m1/x')).toBe('EXAMPLE\\alice');
    expect(scene.logs.join('\n')).toMatch(/control cookie refused, nothing applied \(ERR_NTLM_AIRLOCK_BAD_COOKIE/);
  });

  test('the session cookie: HttpOnly, Path=/, SameSite=Lax, 256 random bits, made when a control cookie stores something', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const browser = scene.browser();
      const plainReply = await browser.request('/plain/nothing');
      expect(plainReply.setCookie).toEqual([]); // no session until one is needed
      const reply = await browser.login(set('alice'));
      const own = reply.setCookie.filter((c) => c.startsWith('AL_DEV_SESSION='));
      expect(own).toHaveLength(1);
      expect(own[0]).toMatch(/^AL_DEV_SESSION=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      ids.add(browser.jar.get('AL_DEV_SESSION')!);
      // A later control cookie changes the same session: no new cookie.
      expect((await browser.login(set('bob'))).setCookie).toEqual([]);
    }
    expect(ids.size).toBe(50);
    expect(scene.gateway.stats.sessions).toBe(50);
  });

  test('an id the gateway did not make is never adopted, and a clear alone makes no session', async () => {
    const browser = scene.browser();
    const forged = 'A'.repeat(43);
    browser.jar.set('AL_DEV_SESSION', forged);
    expect(await browser.who('/m1/x')).toBeNull();
    expect((await browser.login(controlCookie(clearNtlmCredentials()))).setCookie).toEqual([]);
    expect(scene.gateway.stats.sessions).toBe(0);
    await browser.login(set('alice'));
    expect(browser.jar.get('AL_DEV_SESSION')).not.toBe(forged);
    expect(await browser.who('/m1/x')).toBe('EXAMPLE\\alice');
    const thief = scene.browser();
    thief.jar.set('AL_DEV_SESSION', forged);
    expect(await thief.who('/m1/x')).toBeNull();
  });

  test("the session cookie is not forwarded to back ends; the browser's other cookies are", async () => {
    const browser = scene.browser();
    await browser.login(set('alice'));
    browser.jar.set('app', 'x');
    const reply = await browser.request('/plain/cookies');
    expect(reply.json().cookie).toBe('app=x');
    const onlyOurs = scene.browser();
    onlyOurs.jar.set('AL_DEV_SESSION', browser.jar.get('AL_DEV_SESSION')!);
    expect((await onlyOurs.request('/plain/cookies')).json().cookie).toBeNull();
  });
});

describe('mappings', () => {
  test("the longest entry path wins, whole segments only; the entry path is replaced by the back end's base path", async () => {
    const browser = scene.browser();
    await browser.login(set('alice'));
    const at = async (path: string) => {
      const reply = await browser.request(path);
      return { status: reply.status, path: reply.json().path };
    };
    expect(await at('/m1/a?b=c&d')).toEqual({ status: 200, path: '/one/a?b=c&d' });
    expect(await at('/m1')).toEqual({ status: 200, path: '/one' });
    expect(await at('/m1/deep/x')).toEqual({ status: 200, path: '/deep/x' });
    expect(await at('/m1/deeper')).toEqual({ status: 200, path: '/one/deeper' });
    expect(await at('/m1x/y')).toEqual({ status: 200, path: '/m1x/y' }); // the catch-all, plain back end
    expect(await at('/plain/q?z=1')).toEqual({ status: 200, path: '/p/q?z=1' });
    expect(await at('/m2//double')).toEqual({ status: 200, path: '//double' }); // a path, never an authority
  });

  test('a mapping without NTLM propagation never receives credentials', async () => {
    const browser = scene.browser();
    await browser.login(raw(`HTTP_NTLM=${def('alice')},${def('bob', 'plain')},${def('carol', 'root')}`));
    const before = backends.plainRequests.length;
    for (const path of ['/plain/x', '/plain/challenge', '/elsewhere', '/challenge']) {
      const reply = await browser.request(path, { method: path.includes('challenge') ? 'POST' : 'GET', body: 'data' });
      expect(reply.status).toBe(path.includes('challenge') ? 401 : 200);
    }
    const reached = backends.plainRequests.slice(before);
    expect(reached).toHaveLength(4);
    for (const r of reached) expect(r.headers.authorization).toBeUndefined();
    expect(scene.logs.join('\n')).toContain('NTLM credentials EXAMPLE\\bob for plain (plain does not propagate NTLM)');
    // The NTLM mappings still use the global credentials.
    expect(await browser.who('/m2/x')).toBe('EXAMPLE\\alice');
  });

  test("on an NTLM mapping the gateway authenticates: the browser's own Authorization is dropped", async () => {
    const browser = scene.browser();
    await browser.login(set('alice'));
    const reply = await browser.request('/m1/x', { headers: { authorization: 'Basic ZXZlOmV2ZQ==' } });
    expect(reply.json().user).toBe('EXAMPLE\\alice');
    const anonymous = scene.browser();
    const negotiate = 'NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==';
    expect((await anonymous.request('/m1/x', { headers: { authorization: negotiate } })).status).toBe(401);
    // On a plain mapping it is the browser's business and passes.
    const basic = await anonymous.request('/plain/x', { headers: { authorization: 'Basic ZXZlOmV2ZQ==' } });
    expect(basic.json().authorization).toBe('Basic ZXZlOmV2ZQ==');
  });

  test('request targets that are not a mapped path are refused', async () => {
    const only = await startScene(
      { mappings: [{ name: 'm1', path: '/m1', backend: backends.a.url, ntlm: true }] },
      backends,
    );
    try {
      const browser = only.browser();
      expect((await browser.request('/other')).status).toBe(404);
      expect((await browser.request('/m1/../other')).status).toBe(400);
      expect((await browser.request('/m1/%2E%2e/other')).status).toBe(400);
      expect((await browser.request('/m1/./x')).status).toBe(400);
      const absolute = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: new URL(only.url).port, path: `${backends.a.url}/m1/x` },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject).end();
      });
      expect(absolute).toBe(400);
    } finally {
      await only.stop();
    }
  });

  test('a back end that cannot be reached: 502 with the reason', async () => {
    const down = await startScene(
      { mappings: [{ name: 'm1', path: '/', backend: 'http://127.0.0.1:1', ntlm: true }] },
      backends,
    );
    try {
      const reply = await down.browser().request('/x');
      expect(reply.status).toBe(502);
      expect(reply.body.toString()).toMatch(/the back end of m1 could not be reached: ECONNREFUSED/);
    } finally {
      await down.stop();
    }
  });
});

describe('bodies and connections', () => {
  test('a streamed upload goes once to a fresh NTLM back end, and a large response streams back', async () => {
    const fresh = await startBackends();
    const gw = await startScene({}, fresh);
    try {
      const browser = gw.browser();
      await browser.login(set('alice'));
      const size = 8 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const hash = createHash('sha256');
      for (let i = 0; i < size / chunk.length; i++) hash.update(chunk);
      // An async source on purpose: the body reaches the gateway as a stream, chunk by chunk.
      // eslint-disable-next-line @typescript-eslint/require-await
      async function* upload() {
        for (let i = 0; i < size / chunk.length; i++) yield chunk;
      }
      fresh.a.resetStats();
      const headers = { 'content-type': 'application/octet-stream' };
      const reply = await browser.request('/m1/upload', { method: 'POST', body: Readable.from(upload()), headers });
      expect(reply.status).toBe(200);
      expect(reply.json()).toMatchObject({ user: 'EXAMPLE\\alice', bodyLength: size, bodySha256: hash.digest('hex') });
      expect(fresh.a.stats.bodyBytes).toBe(size); // once: the NEGOTIATE went without it
      const big = await browser.request('/m1/big', { headers: { 'x-size': String(size) } });
      expect(big.status).toBe(200);
      expect(big.headers['x-user']).toBe('EXAMPLE\\alice');
      expect(big.body.length).toBe(size);
    } finally {
      await gw.stop();
      await fresh.stop();
    }
  });

  test('every session shares one connection budget (maxConnections), and each request goes as its own user', async () => {
    const fresh = await startBackends();
    const gw = await startScene({ maxConnections: 3, connections: 3 }, fresh);
    try {
      const users = ['alice', 'bob', 'carol', 'dave'];
      const browsers = users.map(() => gw.browser());
      await Promise.all(browsers.map((b, i) => b.login(set(users[i]!))));
      const results = await Promise.all(
        Array.from({ length: 120 }, async (_, i) => {
          const k = (i * 7) % users.length;
          return { want: `EXAMPLE\\${users[k]}`, got: await browsers[k]!.who(i % 2 ? '/m1/x' : '/m2/x') };
        }),
      );
      expect(results.filter((r) => r.got !== r.want)).toEqual([]);
      expect(fresh.sockets.all.max).toBeLessThanOrEqual(3); // one budget for both back ends
    } finally {
      await gw.stop();
      await fresh.stop();
    }
  });
});

describe('https back ends', () => {
  test('an https NTLM back end that requires channel binding (EPA): the gateway binds to its certificate', async () => {
    const { createNtlmServer } = await import('@ntlmkit/server');
    const secure = createNtlmServer({
      https: true,
      tokenChecking: 'require',
      users: { 'EXAMPLE\\alice': PASSWORDS.alice! },
    });
    const origin = await secure.start();
    const outcomes: { channelBinding: string }[] = [];
    secure.on('ntlm', (o) => outcomes.push(o));
    const gw = await startScene(
      {
        mappings: [
          { name: 'plain', path: '/plain', backend: backends.plainUrl },
          { name: 'm1', path: '/m1', backend: origin, ntlm: true },
        ],
        tls: { ca: secure.certificate! },
      },
      backends,
    );
    try {
      const browser = gw.browser();
      await browser.login(set('alice'));
      expect(await browser.who('/m1/x')).toBe('EXAMPLE\\alice');
      expect(outcomes).toEqual([expect.objectContaining({ ok: true, channelBinding: 'present' })]);
    } finally {
      await gw.stop();
      await secure.stop();
    }
  });
});

describe('limits', () => {
  test('maxSessions: the least recently used session is forgotten with its credentials', async () => {
    const small = await startScene({ maxSessions: 2 }, backends);
    try {
      const [a, b, c] = [small.browser(), small.browser(), small.browser()];
      await a.login(set('alice'));
      await b.login(set('bob'));
      expect(await a.who('/m1/x')).toBe('EXAMPLE\\alice'); // a is now more recent than b
      await c.login(set('carol'));
      expect(small.gateway.stats.sessions).toBe(2);
      expect(await a.who('/m1/x')).toBe('EXAMPLE\\alice');
      expect(await b.who('/m1/x')).toBeNull();
      expect(await c.who('/m1/x')).toBe('EXAMPLE\\carol');
      expect(small.logs.join('\n')).toMatch(/session 2 forgotten: 2 sessions is the limit \(maxSessions\)/);
    } finally {
      await small.stop();
    }
  });

  test('sessionIdleTimeout: a session unused for longer is forgotten', async () => {
    let clock = 1_000_000;
    const idle = await startScene({ sessionIdleTimeout: 60_000, now: () => clock }, backends);
    try {
      const [a, b] = [idle.browser(), idle.browser()];
      await a.login(set('alice'));
      await b.login(set('bob'));
      clock += 50_000;
      expect(await a.who('/m1/x')).toBe('EXAMPLE\\alice');
      clock += 50_000; // b idle for 100 s, a for 50 s
      expect(await b.who('/m1/x')).toBeNull();
      expect(await a.who('/m1/x')).toBe('EXAMPLE\\alice');
      expect(idle.gateway.stats.sessions).toBe(1);
      expect(idle.logs.join('\n')).toMatch(/session 2 expired \(idle for more than 60000 ms\)/);
    } finally {
      await idle.stop();
    }
  });
});

describe('lifecycle and options', () => {
  test('start() listens on 127.0.0.1 and gives the url; stop() closes it and forgets the sessions; start again works', async () => {
    const gw = createAirlockDevGateway({ mappings: [{ name: 'm', path: '/', backend: backends.a.url, ntlm: true }] });
    expect(gw.url).toBe('');
    const url = await gw.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gw.url).toBe(url);
    await expect(gw.start()).rejects.toMatchObject({ code: 'ERR_NTLM_WRONG_STATE' });
    await gw.stop();
    expect(gw.url).toBe('');
    await expect(fetch(`${url}/`)).rejects.toThrow();
    const again = await gw.start();
    expect((await fetch(`${again}/x`)).status).toBe(401);
    await gw.stop();
    await gw.stop(); // twice is fine
  });

  test.each([
    ['no options', undefined],
    ['no mappings', {}],
    ['empty mappings', { mappings: [] }],
    ['unknown option', { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], maxSesions: 3 }],
    ['bad mapping name', { mappings: [{ name: 'a b', path: '/', backend: 'http://127.0.0.1:1' }] }],
    ['path without /', { mappings: [{ name: 'm', path: 'x', backend: 'http://127.0.0.1:1' }] }],
    ['dot segment path', { mappings: [{ name: 'm', path: '/a/../b', backend: 'http://127.0.0.1:1' }] }],
    [
      'duplicate names',
      {
        mappings: [
          { name: 'm', path: '/a', backend: 'http://h' },
          { name: 'm', path: '/b', backend: 'http://h' },
        ],
      },
    ],
    [
      'duplicate paths',
      {
        mappings: [
          { name: 'm', path: '/a/', backend: 'http://h' },
          { name: 'n', path: '/a', backend: 'http://h' },
        ],
      },
    ],
    ['ftp backend', { mappings: [{ name: 'm', path: '/', backend: 'ftp://127.0.0.1/' }] }],
    ['credentials in backend', { mappings: [{ name: 'm', path: '/', backend: 'http://u:p@127.0.0.1/' }] }],
    ['query in backend', { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1/?x' }] }],
    ['ntlm not boolean', { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1', ntlm: 'yes' }] }],
    ['unknown encoding', { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], encoding: 'latin1' }],
    [
      'bad cookie name',
      { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], sessionCookieName: 'a;b' },
    ],
    [
      'a control cookie named like a command',
      { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], controlCookieName: 'HTTP_NTLM' },
    ],
    [
      'same cookie names',
      { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], sessionCookieName: 'AL_CONTROL' },
    ],
    ['maxSessions 0', { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], maxSessions: 0 }],
    [
      'maxConnections string',
      { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], maxConnections: '8' },
    ],
    ['log not a function', { mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1' }], log: console }],
  ])('refuses %s with ERR_NTLM_AIRLOCK_INVALID_ARGUMENT', (_, options) => {
    let error: unknown;
    try {
      createAirlockDevGateway(options as never);
    } catch (e) {
      error = e;
    }
    expect(isNtlmError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('ERR_NTLM_AIRLOCK_INVALID_ARGUMENT');
  });
});

describe('logs and printed objects', () => {
  test('the log says which session and mapping used which user, with the audit token', async () => {
    const browser = scene.browser();
    await browser.login(
      controlCookie([ntlmCredentials([cred('alice'), cred('bob', 'm2')]), auditToken('alice@portal')]),
    );
    await browser.who('/m1/x');
    await browser.who('/m2/x');
    const lines = scene.logs.join('\n');
    expect(lines).toMatch(/session \d+ \[alice@portal\]: global NTLM credentials EXAMPLE\\alice/);
    expect(lines).toMatch(/session \d+ \[alice@portal\] GET \/m1\/x → m1 as EXAMPLE\\alice: 200/);
    expect(lines).toMatch(/session \d+ \[alice@portal\] GET \/m2\/x → m2 as EXAMPLE\\bob: 200/);
  });

  test('no password in any log line, the gateway printed at depth 10 or as JSON', async () => {
    const browser = scene.browser();
    await browser.login(
      controlCookie(ntlmCredentials([cred('alice'), cred('bob', 'm1'), cred('carol', 'm2'), cred('dave', 'deep')])),
    );
    await seen(browser);
    const printed = [
      ...allLogs,
      ...scene.logs,
      inspect(scene.gateway, { depth: 10, showHidden: true }),
      JSON.stringify(scene.gateway),
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what String() prints is under test
      String(scene.gateway),
    ].join('\n');
    expect(printed).toContain('EXAMPLE\\bob');
    for (const password of Object.values(PASSWORDS)) {
      const forms = [
        password,
        encodeURIComponent(password),
        percentEncode(password),
        Buffer.from(password).toString('base64'),
      ];
      for (const form of forms) {
        expect(printed).not.toContain(form);
      }
    }
  });
});
