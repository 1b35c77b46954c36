// RFC 4559 6: a proxy "must take care to not share authenticated connections". Each client connection is
// pinned to its upstream connection: when that closes (announced or not), the client connection ends too,
// and its later requests never travel over another upstream connection.
import net from 'node:net';
import { buildAuthenticateMessage, createNegotiateMessage, fromBase64, toBase64 } from '@ntlmkit/core';
import { createNtlmProxy, createNtlmServer, type NtlmServerOptions, type RequestHandler } from '../src/index';
import { alice, exchange, handshake, PinnedAgent, rawConnection, sleep, stopAfterEach, users } from './wire';

const track = stopAfterEach();

async function scene(origin: NtlmServerOptions) {
  const server = track.keep(createNtlmServer({ users, ...origin }));
  const proxy = track.keep(createNtlmProxy({ users }));
  await server.start();
  await proxy.start();
  return { origin: server, proxy, agent: track.agent(new PinnedAgent()) };
}

/** Reads `count` whole responses (Content-Length bodies) from a raw socket; fewer if it closes first. */
function responses(socket: net.Socket, count: number): Promise<{ head: string; body: string }[]> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const out: { head: string; body: string }[] = [];
    const parse = () => {
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        out.push({ head, body: buffer.subarray(end + 4, end + 4 + length).toString('latin1') });
        buffer = buffer.subarray(end + 4 + length);
        if (out.length === count) {
          socket.off('data', onData);
          resolve(out);
          return;
        }
      }
    };
    const onData = (c: Buffer) => {
      buffer = Buffer.concat([buffer, c]);
      parse();
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(out));
  });
}

describe('the proxy pins each client connection to one upstream connection', () => {
  test('the origin drops its connection after its CHALLENGE: the client connection ends, the AUTHENTICATE never reaches a fresh one', async () => {
    const { origin, proxy, agent } = await scene({ faults: { closeAfterChallenge: true } });
    const target = `${origin.url}/`;
    const { final: bare } = await handshake(proxy.url, agent, alice, { path: target }, 'proxy-authorization');
    expect(bare.status).toBe(401); // the origin's own 401, through the authenticated proxy connection
    const negotiate = createNegotiateMessage();
    const challenge = await exchange(proxy.url, {
      agent,
      path: target,
      headers: { authorization: `NTLM ${toBase64(negotiate)}` },
    });
    expect(challenge.status).toBe(401);
    expect(challenge.localPort).toBe(bare.localPort);
    const token = fromBase64(String(challenge.headers['www-authenticate']).split(' ')[1]!);
    await sleep(100); // the proxy learns that the origin closed, and closes the client connection
    const m = buildAuthenticateMessage({ negotiate, challenge: token, ...alice }).message;
    const after = await exchange(proxy.url, { agent, path: target, headers: { authorization: `NTLM ${toBase64(m)}` } });
    // A new client connection: not authenticated to the proxy, and nothing forwarded.
    expect(after.status).toBe(407);
    expect(after.localPort).not.toBe(challenge.localPort);
    expect(origin.stats).toMatchObject({ connections: 1, handshakes: 1, failures: 0 });
    expect(proxy.stats.forwarded).toBe(2);
  });

  test('the origin announces Connection: close: the client gets Connection: close too, and a new connection next', async () => {
    const { origin, proxy, agent } = await scene({ faults: { closeOnFirst401: true } });
    const target = `${origin.url}/`;
    const { final } = await handshake(proxy.url, agent, alice, { path: target }, 'proxy-authorization');
    expect(final.status).toBe(401);
    expect(final.headers.connection).toBe('close');
    const next = await exchange(proxy.url, { agent, path: target });
    expect(next.status).toBe(407);
    expect(next.localPort).not.toBe(final.localPort);
    expect(origin.stats.connections).toBe(1);
  });

  test('a pipelined request behind a response that closes the upstream is never sent over a new upstream connection', async () => {
    const seen: string[] = [];
    const handler: RequestHandler = (req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-length': '2', ...(req.url === '/last' ? { connection: 'close' } : {}) });
      res.end('ok');
    };
    const { origin, proxy } = await scene({ authenticate: false, handler });
    const { socket, closed } = await rawConnection(proxy.url);
    const host = new URL(origin.url).host;
    const get = (path: string, auth?: string) =>
      `GET ${origin.url}${path} HTTP/1.1\r\nHost: ${host}\r\n${auth ? `Proxy-Authorization: NTLM ${auth}\r\n` : ''}\r\n`;
    const negotiate = createNegotiateMessage();
    const reading = responses(socket, 1);
    socket.write(get('/first', toBase64(negotiate)));
    const [r1] = await reading;
    const token = fromBase64(/Proxy-Authenticate: NTLM (\S+)/i.exec(r1!.head)![1]!);
    const m = buildAuthenticateMessage({ negotiate, challenge: token, ...alice }).message;
    const reading2 = responses(socket, 1);
    socket.write(get('/first', toBase64(m)));
    expect((await reading2)[0]!.head).toMatch(/^HTTP\/1\.1 200 /);
    const rest = responses(socket, 2);
    socket.write(get('/last') + get('/after'));
    const got = await rest;
    await closed;
    expect(got[0]!.head).toMatch(/^HTTP\/1\.1 200 [^]*\r\nConnection: close/i);
    expect(got.slice(1).every((r) => /^HTTP\/1\.1 502 /.test(r.head))).toBe(true);
    expect(seen).toEqual(['/first', '/last']);
    expect(origin.stats.connections).toBe(1);
  });

  test('a short Keep-Alive hint from the origin does not end the pinned connection', async () => {
    const { origin, proxy, agent } = await scene({ authenticate: false, faults: { keepAliveHint: 1 } });
    const target = `${origin.url}/`;
    const { final } = await handshake(proxy.url, agent, alice, { path: target }, 'proxy-authorization');
    expect(final.status).toBe(200);
    await sleep(50);
    const next = await exchange(proxy.url, { agent, path: target });
    expect(next.status).toBe(200);
    expect(next.localPort).toBe(final.localPort);
    expect(origin.stats.connections).toBe(1);
  });

  test('an origin that closes an idle upstream connection ends the client connection', async () => {
    const { origin, proxy, agent } = await scene({ authenticate: false, faults: { closeIdleAfterMs: 50 } });
    const target = `${origin.url}/`;
    const { final } = await handshake(proxy.url, agent, alice, { path: target }, 'proxy-authorization');
    expect(final.status).toBe(200);
    await sleep(250);
    const next = await exchange(proxy.url, { agent, path: target });
    expect(next.status).toBe(407);
    expect(next.localPort).not.toBe(final.localPort);
  });
});
