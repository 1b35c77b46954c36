// The 'ntlm' outcome event is an ordinary event of the server and of the proxy: every EventEmitter
// method works for it, and it never disturbs Node's own events.
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import { buildAuthenticateMessage, createNegotiateMessage, fromBase64, toBase64 } from '@ntlmkit/core';
import { createNtlmProxy, createNtlmServer, type OutcomeEvent, type ProxyOutcomeEvent } from '../src/index';
import { newAgent, ntlmHandshake } from './client';
import { alice, stopAfterEach, users } from './wire';

const track = stopAfterEach();

/** One request through the proxy with a Proxy-Authorization header, on the agent's single socket. */
function viaProxy(proxy: string, target: string, agent: http.Agent, header?: string): Promise<http.IncomingMessage> {
  const { hostname, port } = new URL(proxy);
  return new Promise((resolve, reject) => {
    const headers = header ? { 'proxy-authorization': header } : {};
    const req = http.request({ host: hostname, port, path: target, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject).end();
  });
}

async function proxyHandshake(proxy: string, target: string, password = alice.password): Promise<number> {
  const agent = track.agent(new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const negotiate = createNegotiateMessage();
  const r1 = await viaProxy(proxy, target, agent, `NTLM ${toBase64(negotiate)}`);
  const challenge = fromBase64(String(r1.headers['proxy-authenticate']).split(' ')[1]!);
  const m = buildAuthenticateMessage({ negotiate, challenge, username: alice.username, password }).message;
  return (await viaProxy(proxy, target, agent, `NTLM ${toBase64(m)}`)).statusCode!;
}

interface Subject {
  /** The server or the proxy, as the EventEmitter it is. */
  emitter: EventEmitter & { stats: { authenticated: number } };
  /** One full handshake (one 'ntlm' event); `ok` false sends a wrong password. */
  handshake(ok?: boolean): Promise<void>;
}

const subjects: Record<string, () => Promise<Subject>> = {
  server: async () => {
    const server = track.keep(createNtlmServer({ users }));
    await server.start();
    return {
      emitter: server,
      handshake: async (ok = true) => {
        const agent = track.agent(newAgent(server.url));
        await ntlmHandshake(server.url, agent, ok ? alice : { ...alice, password: 'wrong' });
      },
    };
  },
  proxy: async () => {
    const origin = track.keep(createNtlmServer({ authenticate: false }));
    const proxy = track.keep(createNtlmProxy({ users }));
    await origin.start();
    await proxy.start();
    const handshake = async (ok = true) =>
      void (await proxyHandshake(proxy.url, `${origin.url}/x`, ok ? alice.password : 'wrong'));
    return { emitter: proxy, handshake };
  },
};

describe.each(Object.keys(subjects))("the 'ntlm' event of the %s", (name) => {
  let subject: Subject;
  let seen: string[];
  beforeEach(async () => {
    subject = await subjects[name]!();
    seen = [];
  });
  const record = (label: string) => (o: OutcomeEvent | ProxyOutcomeEvent) => void seen.push(`${label}:${o.ok}`);

  test('on and addListener deliver every outcome, with the connection and the request', async () => {
    const events: (OutcomeEvent | ProxyOutcomeEvent)[] = [];
    subject.emitter.on('ntlm', (o: OutcomeEvent | ProxyOutcomeEvent) => void events.push(o));
    subject.emitter.addListener('ntlm', record('added'));
    await subject.handshake();
    await subject.handshake(false);
    expect(events.map((e) => e.ok)).toEqual([true, false]);
    expect(events[0]).toMatchObject({
      ok: true,
      user: 'EXAMPLE\\alice',
      dialect: 'NTLMv2',
      connection: 1,
      method: 'GET',
    });
    expect(events[0]).toHaveProperty(name === 'server' ? 'path' : 'target');
    expect(seen).toEqual(['added:true', 'added:false']);
  });

  test('once delivers one outcome only', async () => {
    subject.emitter.once('ntlm', record('once'));
    expect(subject.emitter.listenerCount('ntlm')).toBe(1);
    await subject.handshake();
    await subject.handshake();
    expect(seen).toEqual(['once:true']);
    expect(subject.emitter.listenerCount('ntlm')).toBe(0);
  });

  test('prependListener and prependOnceListener run before the listeners already there', async () => {
    subject.emitter.on('ntlm', record('on'));
    subject.emitter.prependListener('ntlm', record('prepended'));
    subject.emitter.prependOnceListener('ntlm', record('prepended-once'));
    await subject.handshake();
    await subject.handshake();
    expect(seen).toEqual(['prepended-once:true', 'prepended:true', 'on:true', 'prepended:true', 'on:true']);
  });

  test('off and removeListener remove a listener; listenerCount and listeners see it', async () => {
    const a = record('a');
    const b = record('b');
    subject.emitter.on('ntlm', a).on('ntlm', b);
    expect(subject.emitter.listenerCount('ntlm')).toBe(2);
    expect(subject.emitter.listeners('ntlm')).toEqual([a, b]);
    expect(subject.emitter.eventNames()).toContain('ntlm');
    subject.emitter.off('ntlm', a);
    await subject.handshake();
    subject.emitter.removeListener('ntlm', b);
    await subject.handshake();
    expect(seen).toEqual(['b:true']);
    expect(subject.emitter.listenerCount('ntlm')).toBe(0);
  });

  test("removeAllListeners('ntlm') removes the outcome listeners and leaves Node's events alone", async () => {
    let connections = 0;
    subject.emitter.on('connection', () => void connections++);
    subject.emitter.on('ntlm', record('a')).on('ntlm', record('b'));
    subject.emitter.removeAllListeners('ntlm');
    expect(subject.emitter.listenerCount('ntlm')).toBe(0);
    await subject.handshake();
    expect(seen).toEqual([]);
    expect(connections).toBeGreaterThan(0);
    expect(subject.emitter.stats.authenticated).toBe(1);
  });

  test('a listener removed inside another listener is not called for that outcome (EventEmitter semantics)', async () => {
    const second = record('second');
    subject.emitter.on('ntlm', () => void subject.emitter.off('ntlm', second));
    subject.emitter.on('ntlm', second);
    await subject.handshake();
    await subject.handshake();
    // Node calls the listeners registered when emit began: the first outcome still reaches `second`.
    expect(seen).toEqual(['second:true']);
  });
});

test("the 'ntlm' listeners are typed for every method (a compile-time check once tests are type-checked)", () => {
  const server = createNtlmServer();
  const proxy = createNtlmProxy();
  const onServer = (o: OutcomeEvent) => void o.path;
  const onProxy = (o: ProxyOutcomeEvent) => void o.target;
  server
    .on('ntlm', onServer)
    .once('ntlm', onServer)
    .prependListener('ntlm', onServer)
    .prependOnceListener('ntlm', onServer);
  server.addListener('ntlm', onServer).off('ntlm', onServer).removeListener('ntlm', onServer);
  proxy.on('ntlm', onProxy).once('ntlm', onProxy).prependListener('ntlm', onProxy).off('ntlm', onProxy);
  expect(server.listenerCount('ntlm')).toBe(3); // five added, two removed
  expect(proxy.listenerCount('ntlm')).toBe(2);
});
