// openTunnel's deadline and abort through real sockets on 127.0.0.1: the connect timeout covers the whole
// setup (proxy connection, CONNECT answer, the `secure` step), an abort ends it at once, and either way
// the proxy socket is destroyed.
import net from 'node:net';
import { isNtlmError } from '../src/index';
import { openTunnel } from '../src/node';
import { silentProxy } from '../../../test/support/silent-proxy';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** The shared silent proxy, closed after the test; `url` as openTunnel takes it, `closed()` its sockets gone. */
async function proxy(answer?: (request: string) => string | undefined) {
  const p = await silentProxy(answer);
  cleanup.push(() => p.stop());
  return { ...p, url: new URL(p.uri), closed: () => p.allClosed(2000) };
}

const target = new URL('https://origin.test');

test('a proxy that accepts but never answers CONNECT: ERR_NTLM_TUNNEL_TIMEOUT after timeoutMs, socket destroyed', async () => {
  const p = await proxy();
  const t = Date.now();
  const error: unknown = await openTunnel({ proxy: p.url, target, timeoutMs: 200 }).catch((e: unknown) => e);
  expect(isNtlmError(error)).toBe(true);
  expect(error).toMatchObject({
    code: 'ERR_NTLM_TUNNEL_TIMEOUT',
    message: `connect timeout (200 ms): the tunnel through the proxy ${p.url.origin} to origin.test:443 was not set up (waiting for the answer to CONNECT)`,
  });
  expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  expect(Date.now() - t).toBeLessThan(1500);
  await p.closed();
  expect(p.open()).toBe(0);
  expect(p.sockets).toHaveLength(1);
});

test('an abort ends the setup at once with the signal reason, the proxy socket destroyed', async () => {
  const p = await proxy();
  const controller = new AbortController();
  const reason = new Error('aborted by the caller');
  setTimeout(() => controller.abort(reason), 50);
  const t = Date.now();
  await expect(openTunnel({ proxy: p.url, target, signal: controller.signal })).rejects.toBe(reason);
  expect(Date.now() - t).toBeLessThan(1000);
  await p.closed();
  expect(p.open()).toBe(0);
  // Already aborted: no connection is made.
  await expect(openTunnel({ proxy: p.url, target, signal: controller.signal })).rejects.toBe(reason);
  expect(p.sockets).toHaveLength(1);
});

test('the `secure` step runs under the same deadline; a late socket from it is destroyed', async () => {
  const p = await proxy(() => 'HTTP/1.1 200 Connection established\r\n\r\n');
  // The step hands back a socket of its own (as TLS over the tunnel does), after the deadline.
  const late = new net.Socket();
  const secure = () => new Promise<net.Socket>((resolve) => setTimeout(() => resolve(late), 400));
  const error: unknown = await openTunnel({ proxy: p.url, target, timeoutMs: 150, secure }).catch((e: unknown) => e);
  expect(error).toMatchObject({
    code: 'ERR_NTLM_TUNNEL_TIMEOUT',
    message: expect.stringContaining('(TLS to the origin)') as unknown,
  });
  await p.closed();
  expect(p.open()).toBe(0);
  await new Promise((r) => setTimeout(r, 350));
  expect(late.destroyed).toBe(true);
});

test('within the deadline the tunnel is given as before (with and without `secure`); the timer does not outlive it', async () => {
  const p = await proxy((request) =>
    request.startsWith('CONNECT origin.test:443 HTTP/1.1') ? 'HTTP/1.1 200 Connection established\r\n\r\n' : undefined,
  );
  const raw = await openTunnel({ proxy: p.url, target, timeoutMs: 200 });
  const secured = await openTunnel({ proxy: p.url, target, timeoutMs: 200, secure: (s) => Promise.resolve(s) });
  await new Promise((r) => setTimeout(r, 300));
  expect(raw.destroyed).toBe(false);
  expect(secured.destroyed).toBe(false);
  raw.destroy();
  secured.destroy();
});

test('a refusal is still ERR_NTLM_TUNNEL_REFUSED under a deadline', async () => {
  const p = await proxy(() => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  await expect(openTunnel({ proxy: p.url, target, timeoutMs: 1000 })).rejects.toMatchObject({
    code: 'ERR_NTLM_TUNNEL_REFUSED',
    status: 403,
  });
});

test('a `secure` step that throws or rejects fails the tunnel and leaves no proxy connection open', async () => {
  for (const secure of [
    () => {
      throw new Error('no TLS today');
    },
    () => Promise.reject(new Error('no TLS today')),
  ]) {
    const p = await proxy(() => 'HTTP/1.1 200 Connection established\r\n\r\n');
    await expect(openTunnel({ proxy: p.url, target, timeoutMs: 1000, secure })).rejects.toThrow('no TLS today');
    await p.closed();
    expect(p.sockets).toHaveLength(1);
    expect(p.open()).toBe(0);
  }
});
