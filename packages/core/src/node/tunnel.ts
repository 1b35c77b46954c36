// CONNECT through a proxy, with the proxy's 407 NTLM handshake on the CONNECT exchange of one proxy
// connection (the same engine as every other exchange). Returns the socket to the origin, ready for TLS.
import net from 'node:net';
import tls from 'node:tls';
import type { Credentials } from '../credentials.js';
import { NtlmError } from '../errors.js';
import { ConnectionAuth } from '../http/connection-auth.js';
import { credentialKey } from '../http/credential-key.js';
import { runExchange, type LegResult } from '../http/exchange.js';
import type { OriginMemory } from '../http/origin-memory.js';
import type { LmCompatibilityLevel } from '../client.js';

export interface TunnelOptions {
  proxy: URL;
  /** NTLM credentials for the proxy; without them the CONNECT carries no Proxy-Authorization. */
  credentials?: Credentials;
  /** The origin to tunnel to (its port defaults to 443 for https:, 80 for http:). */
  target: URL;
  /** Remembers that the proxy wants NTLM (shared by the caller's tunnels). */
  memory: OriginMemory;
  /** TLS options when the proxy itself is https:. */
  proxyTls?: tls.ConnectionOptions;
  lmCompatibilityLevel?: LmCompatibilityLevel;
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface MessageHead {
  /** `HTTP/1.1 407 Proxy Authentication Required` or `CONNECT host:443 HTTP/1.1`. */
  startLine: string;
  /** Response status (0 for a request). */
  status: number;
  headers: Record<string, string[]>;
}

/**
 * Reads HTTP/1.x message heads off a raw socket, for the exchanges that happen before (or instead of)
 * a normal HTTP parser: CONNECT answers on the client side, CONNECT requests on a proxy's side.
 */
export class HeadReader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.waiting?.();
  };
  private readonly onEnd = (error?: Error) => {
    this.failure = Object.assign(new Error(`connection closed${error instanceof Error ? `: ${error.message}` : ''}`), { code: 'ECONNRESET' });
    this.waiting?.();
  };

  constructor(readonly socket: net.Socket, initial?: Buffer) {
    if (initial?.length) this.buffer = Buffer.from(initial);
    socket.on('data', this.onData);
    socket.on('error', this.onEnd);
    socket.on('close', this.onEnd);
    // A peer that ends its side sends nothing more (half-open sockets never 'close' by themselves).
    socket.on('end', this.onEnd);
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  async head(maxBytes = 64 * 1024): Promise<MessageHead> {
    let end = -1;
    await this.until(() => {
      end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0 && this.buffer.length > maxBytes) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'HTTP message head too large');
      return end >= 0;
    });
    const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    this.buffer = this.buffer.subarray(end + 4);
    const startLine = lines[0] ?? '';
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(startLine)?.[1] ?? 0);
    const headers: Record<string, string[]> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) (headers[line.slice(0, colon).trim().toLowerCase()] ??= []).push(line.slice(colon + 1).trim());
    }
    return { startLine, status, headers };
  }

  /** Skips a message body (Content-Length or chunked). */
  async skipBody(head: MessageHead): Promise<void> {
    const length = Number(head.headers['content-length']?.[0] ?? NaN);
    if (Number.isFinite(length)) {
      await this.until(() => this.buffer.length >= length);
      this.buffer = this.buffer.subarray(length);
    } else if (/chunked/i.test(head.headers['transfer-encoding']?.join() ?? '')) {
      let end = -1;
      await this.until(() => (end = this.buffer.indexOf('0\r\n\r\n')) >= 0);
      this.buffer = this.buffer.subarray(end + 5);
    }
  }

  /** Hands the socket over: bytes already read go back into it. */
  release(): net.Socket {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('end', this.onEnd);
    if (this.buffer.length) this.socket.unshift(this.buffer);
    this.buffer = Buffer.alloc(0);
    return this.socket;
  }
}

function connectProxy(o: TunnelOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const port = Number(o.proxy.port || (o.proxy.protocol === 'https:' ? 443 : 80));
    const host = o.proxy.hostname.replace(/^\[|\]$/g, '');
    const socket = o.proxy.protocol === 'https:'
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...o.proxyTls })
      : net.connect({ host, port });
    const ready = o.proxy.protocol === 'https:' ? 'secureConnect' : 'connect';
    const timer = o.timeoutMs ? setTimeout(() => socket.destroy(new Error('timed out connecting to the proxy')), o.timeoutMs) : undefined;
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Opens a tunnel to host:port through the proxy, authenticating to the proxy with NTLM when asked. */
export async function openTunnel(o: TunnelOptions): Promise<net.Socket> {
  const target = `${o.target.hostname}:${o.target.port || (o.target.protocol === 'https:' ? 443 : 80)}`;
  let reader = new HeadReader(await connectProxy(o));
  let generation = 1;
  const log = o.log ?? (() => undefined);
  const answer = async (): Promise<MessageHead> => {
    const head = await reader.head();
    if (!head.status) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'the proxy did not answer CONNECT with HTTP/1.x');
    return head;
  };
  const write = (authorization?: string) =>
    reader.socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Connection: keep-alive\r\n${authorization ? `Proxy-Authorization: ${authorization}\r\n` : ''}\r\n`);
  try {
    if (!o.credentials) {
      write();
      const head = await answer();
      if (head.status !== 200) {
        throw Object.assign(new NtlmError('ERR_NTLM_AUTH_FAILED', `the proxy answered CONNECT with ${head.status}${head.status === 407 ? ' and no proxy credentials were given' : ''}`), { status: head.status });
      }
      return reader.release();
    }
    const proxyOrigin = o.proxy.origin;
    const socket = await runExchange<net.Socket>({
      origin: proxyOrigin,
      url: o.proxy,
      options: { credentials: o.credentials, lmCompatibilityLevel: o.lmCompatibilityLevel, throwOnAuthFailure: true },
      credentialKey: credentialKey(o.credentials),
      auth: new ConnectionAuth(),
      memory: o.memory,
      challengeStatus: 407,
      bodyReplayable: true,
      log,
      peerCertificate: () => (reader.socket as tls.TLSSocket).getPeerCertificate?.(),
      connectionId: () => generation,
      reconnect: async () => {
        reader.socket.destroy();
        reader = new HeadReader(await connectProxy(o));
        generation++;
      },
      send: async (leg): Promise<LegResult<net.Socket>> => {
        write(leg.authorization);
        const head = await answer();
        const challenges = head.headers['proxy-authenticate'] ?? [];
        const closing = (head.headers['connection'] ?? head.headers['proxy-connection'] ?? []).some((v) => /close/i.test(v));
        const delivered = leg.deliver(head.status, challenges, closing);
        if (head.status === 200 && delivered) return { delivered, status: 200, challenges, closing: false, response: reader.release() };
        await reader.skipBody(head);
        if (delivered) {
          throw Object.assign(new NtlmError('ERR_NTLM_AUTH_FAILED', `the proxy answered CONNECT with ${head.status}`), { status: head.status });
        }
        return { delivered, status: head.status, challenges, closing };
      },
    });
    return socket;
  } catch (error) {
    reader.socket.destroy();
    if (error instanceof NtlmError && error.code === 'ERR_NTLM_AUTH_FAILED') (error as NtlmError & { status?: number }).status ??= 407;
    throw error;
  }
}

/** The tunnel opener for a route through a proxy (undefined for other routes), with the engine's proxy settings. */
export function tunnelOpener(
  engine: { options: { proxy?: { credentials?: Credentials }; lmCompatibilityLevel?: LmCompatibilityLevel }; proxyMemory: OriginMemory; log: (m: string) => void },
  route: { kind: string; proxy?: URL },
  target: URL,
  proxyTls?: tls.ConnectionOptions,
): (() => Promise<net.Socket>) | undefined {
  if (route.kind !== 'tunnel' || !route.proxy) return undefined;
  const proxy = route.proxy;
  return () =>
    openTunnel({
      proxy,
      credentials: engine.options.proxy?.credentials,
      target,
      memory: engine.proxyMemory,
      ...(proxyTls ? { proxyTls } : {}),
      lmCompatibilityLevel: engine.options.lmCompatibilityLevel,
      log: engine.log,
    });
}
