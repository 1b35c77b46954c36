// The proxy's fault options through real sockets (node:http and raw TCP clients).
import http from 'node:http';
import net from 'node:net';
import { buildAuthenticateMessage, createNegotiateMessage, fromBase64, toBase64 } from '@ntlmkit/core';
import {
  createNtlmProxy,
  createNtlmServer,
  type NtlmProxy,
  type NtlmProxyOptions,
  type RequestHandler,
} from '../src/index';
import { alice, exchange, handshake, PinnedAgent, rawValues, sleep, stopAfterEach, users } from './wire';

const track = stopAfterEach();

async function scene(faults: NtlmProxyOptions['faults'], handler?: RequestHandler) {
  const origin = track.keep(createNtlmServer({ authenticate: false, handler }));
  const proxy = track.keep(createNtlmProxy({ users, faults }));
  await origin.start();
  await proxy.start();
  return { origin, proxy };
}
const pinned = (): http.Agent => track.agent(new PinnedAgent());
const through = (proxy: NtlmProxy, agent: http.Agent, path: string, last: { method?: string; body?: string } = {}) =>
  handshake(proxy.url, agent, alice, { ...last, path }, 'proxy-authorization');

/** Reads one response head from a raw socket. */
function readHead(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.off('data', onData);
        resolve(text.slice(0, end + 4));
      }
    };
    const onClose = () => reject(new Error(`closed after ${JSON.stringify(text)}`));
    if (socket.destroyed) return onClose();
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** A CONNECT handshake on a raw socket; resolves with the socket once the tunnel is open. */
async function tunnel(proxy: NtlmProxy, target: string, pauseMs = 0): Promise<{ socket: net.Socket; heads: string[] }> {
  const { hostname, port } = new URL(proxy.url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  const negotiate = createNegotiateMessage();
  socket.write(
    `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: NTLM ${toBase64(negotiate)}\r\n\r\n`,
  );
  const first = await readHead(socket);
  const challenge = fromBase64(/Proxy-Authenticate: NTLM (\S+)/.exec(first)![1]!);
  await sleep(pauseMs);
  const m = buildAuthenticateMessage({ negotiate, challenge, ...alice }).message;
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: NTLM ${toBase64(m)}\r\n\r\n`);
  const second = await readHead(socket);
  return { socket, heads: [first, second] };
}

describe('proxy faults', () => {
  test('dropAfterExecute: the origin executes the forwarded POST, the client sees its connection drop', async () => {
    const seen: string[] = [];
    const { origin, proxy } = await scene({ dropAfterExecute: 1 }, (req, res, ctx) => {
      seen.push(`${req.method} ${ctx.body.toString()}`);
      res.end('done');
    });
    const { challenge, final } = await through(proxy, pinned(), `${origin.url}/order`, { method: 'POST', body: 'n=1' });
    expect(challenge.status).toBe(407);
    expect(final.status).toBeUndefined();
    expect(final.error).toBeDefined();
    expect(seen).toEqual(['POST n=1']);
    expect(origin.stats.executed).toBe(1);
    const next = await through(proxy, pinned(), `${origin.url}/order`, { method: 'POST', body: 'n=2' });
    expect(next.final).toMatchObject({ status: 200, complete: true });
    expect(next.final.body.toString()).toBe('done');
    expect(proxy.stats).toMatchObject({ forwarded: 2, authenticated: 2 });
  });

  test('resetMidBody: the head and half of the origin’s body, then the connection goes', async () => {
    const { origin, proxy } = await scene({ resetMidBody: 1 }, (_req, res) => {
      res.writeHead(200, { 'content-length': '64' });
      res.end('q'.repeat(64));
    });
    const { final } = await through(proxy, pinned(), `${origin.url}/big`);
    expect(final).toMatchObject({ status: 200, complete: false });
    expect(final.body.toString()).toBe('q'.repeat(32));
    const agent = pinned();
    await through(proxy, agent, `${origin.url}/big`);
    const whole = await exchange(proxy.url, { agent, path: `${origin.url}/big` });
    expect(whole).toMatchObject({ status: 200, complete: true });
  });

  test('keepAliveHint on the 407s and on the forwarded response; a CONNECT 407 too', async () => {
    const { origin, proxy } = await scene({ keepAliveHint: 1 });
    const agent = pinned();
    const bare = await exchange(proxy.url, { agent, path: `${origin.url}/` });
    const { challenge, final } = await through(proxy, agent, `${origin.url}/`);
    for (const r of [bare, challenge, final]) {
      expect(rawValues(r.rawHeaders, 'keep-alive')).toEqual(['timeout=1']);
      expect(r.headers.connection).toBe('keep-alive');
    }
    expect(new Set([bare, challenge, final].map((r) => r.localPort)).size).toBe(1);
    const { socket, heads } = await tunnel(proxy, new URL(origin.url).host);
    socket.destroy();
    expect(heads[0]).toMatch(/^HTTP\/1\.1 407 [^]*\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\n/);
    expect(heads[1]).toMatch(/^HTTP\/1\.1 200 /);
  });

  test('closeIdleAfterMs: an idle client connection is closed; an open tunnel is not', async () => {
    const { origin, proxy } = await scene({ closeIdleAfterMs: 40 });
    const agent = pinned();
    const first = await through(proxy, agent, `${origin.url}/`);
    await sleep(300);
    const again = await exchange(proxy.url, { agent, path: `${origin.url}/` });
    expect(again.status).toBe(407); // a new client connection
    expect(again.localPort).not.toBe(first.final.localPort);

    const { socket } = await tunnel(proxy, new URL(origin.url).host, 10);
    await sleep(300);
    expect(socket.destroyed).toBe(false);
    socket.write('GET /through HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const head = await readHead(socket);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
  });

  test('closeIdleAfterMs: a CONNECT handshake that pauses too long between its legs is closed', async () => {
    const { origin, proxy } = await scene({ closeIdleAfterMs: 40 });
    await expect(tunnel(proxy, new URL(origin.url).host, 300)).rejects.toThrow(/closed/);
  });
});
