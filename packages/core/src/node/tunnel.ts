// CONNECT through a proxy, with the proxy's 407 NTLM handshake on the CONNECT exchange of one proxy
// connection, driven by the same machine as every other exchange. Gives the socket to the origin, ready
// for TLS (see secureOver in ./tls.ts).
import net from 'node:net';
import tls from 'node:tls';
import { NtlmError } from '../errors.js';
import { ConnectionAuth } from '../http/connection-auth.js';
import {
  RequestFlow,
  type Action,
  type ConnectionView,
  type LayerOptions,
  type ResponseHead,
} from '../http/machine.js';
import { abortReason, serverName, tlsHost } from './tls.js';

/** Options of `openTunnel`. */
export interface TunnelOptions {
  /** The proxy (http: or https:; its port defaults to 443 for https:, 80 for http:). */
  proxy: URL;
  /** The origin to tunnel to (its port defaults to 443 for https:, 80 for http:). */
  target: URL;
  /** The proxy's authentication layer (engine.proxyLayer); without it the CONNECT carries no Proxy-Authorization. */
  layer?: LayerOptions;
  /** TLS options when the proxy itself is https:. */
  proxyTls?: tls.ConnectionOptions;
  /**
   * How long the whole tunnel may take to set up, in ms, as a connect timeout covers a connect: TCP (and TLS
   * for an https: proxy) to the proxy, the CONNECT exchange up to the 200 (the 407 handshake and its fresh
   * proxy connection included), and `secure` when given. On expiry the socket is destroyed and the tunnel
   * fails with ERR_NTLM_TUNNEL_TIMEOUT. Default: no limit.
   */
  timeoutMs?: number;
  /** Ends the setup at once: the socket is destroyed and the tunnel fails with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The last step of the setup, under the same `timeoutMs` and `signal`: typically TLS to the origin over
   * the tunnel (`(raw) => connector.connect(target, raw)`); its socket is what `openTunnel` gives.
   */
  secure?: (socket: net.Socket) => Promise<net.Socket>;
  /** Receives each step of the exchange (no secrets). */
  log?: (message: string) => void;
}

/** An HTTP/1.x message head, as `HeadReader.head` reads it. */
export interface MessageHead {
  /** `HTTP/1.1 407 Proxy Authentication Required` or `CONNECT host:443 HTTP/1.1`. */
  startLine: string;
  /** Response status (0 for a request). */
  status: number;
  /** The header values by lower-case name, in order. */
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
    this.failure = Object.assign(new Error(`connection closed${error instanceof Error ? `: ${error.message}` : ''}`), {
      code: 'ECONNRESET',
    });
    this.waiting?.();
  };

  constructor(
    readonly socket: net.Socket,
    initial?: Buffer,
  ) {
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

  /** The next message head; one over `maxBytes` (default 64 KiB) is ERR_NTLM_INVALID_TOKEN. */
  async head(maxBytes = 64 * 1024): Promise<MessageHead> {
    let end = -1;
    await this.until(() => {
      end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0 && this.buffer.length > maxBytes)
        throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'HTTP message head too large');
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

/** Connects to the proxy; `track` gets the socket at once (the setup's deadline destroys it). */
function connectProxy(o: TunnelOptions, track: (socket: net.Socket) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const port = Number(o.proxy.port || (o.proxy.protocol === 'https:' ? 443 : 80));
    const host = tlsHost(o.proxy);
    const socket =
      o.proxy.protocol === 'https:'
        ? tls.connect({
            host,
            port,
            servername: serverName(host, o.proxyTls?.servername),
            ALPNProtocols: ['http/1.1'],
            ...o.proxyTls,
          })
        : net.connect({ host, port });
    track(socket);
    const ready = o.proxy.protocol === 'https:' ? 'secureConnect' : 'connect';
    socket.once(ready, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * The deadline and the abort of one tunnel's setup: either destroys the socket in use and makes every
 * later step throw (the setup never goes on to a fresh proxy connection once it has expired).
 */
class Setup {
  private socket: net.Socket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.stop(abortReason(this.o.signal!, 'the tunnel setup'));
  /** Why the setup ended early, once it has. */
  ended: Error | undefined;
  /** Rejects with `ended` (a race partner for steps that may not settle by themselves). */
  readonly stopped: Promise<never>;
  private reject!: (error: Error) => void;
  /** What the setup is doing, for the timeout's message. */
  stage = 'connecting to the proxy';

  constructor(private readonly o: TunnelOptions) {
    this.stopped = new Promise<never>((_, reject) => (this.reject = reject));
    this.stopped.catch(() => undefined);
    if (o.signal?.aborted) this.stop(abortReason(o.signal, 'the tunnel setup'));
    else o.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (!this.ended && o.timeoutMs !== undefined && o.timeoutMs > 0 && Number.isFinite(o.timeoutMs)) {
      const ms = o.timeoutMs;
      this.timer = setTimeout(
        () =>
          this.stop(
            new NtlmError(
              'ERR_NTLM_TUNNEL_TIMEOUT',
              `connect timeout (${ms} ms): the tunnel through the proxy ${o.proxy.origin} to ${authority(o.target)} was not set up (${this.stage})`,
            ),
          ),
        ms,
      );
      // A pending setup alone does not keep the process alive (a socket in progress does).
      this.timer.unref?.();
    }
  }

  /** The socket in use from now on (destroyed if the setup has ended). */
  track(socket: net.Socket): void {
    this.socket = socket;
    if (this.ended) socket.destroy();
  }

  /** Throws if the setup has ended. */
  check(): void {
    if (this.ended) throw this.ended;
  }

  private stop(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    this.socket?.destroy();
    this.reject(error);
  }

  done(): void {
    clearTimeout(this.timer);
    this.o.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** The CONNECT target: a host name, or an IP literal (IPv6 in brackets), and a port. */
function authority(target: URL): string {
  return `${target.hostname}:${target.port || (target.protocol === 'https:' ? 443 : 80)}`;
}

function headOf(head: MessageHead): ResponseHead {
  const connection = [...(head.headers['connection'] ?? []), ...(head.headers['proxy-connection'] ?? [])];
  return {
    status: head.status,
    header: (name) => head.headers[name] ?? [],
    closing: connection.some((v) => /\bclose\b/i.test(v)),
  };
}

/**
 * Opens a tunnel to the target through the proxy, authenticating to the proxy with NTLM when it asks (at
 * most one handshake, one fresh attempt on a new proxy connection). A refusal is ERR_NTLM_AUTH_FAILED
 * (407) or ERR_NTLM_TUNNEL_REFUSED (any other status), with `status`; a setup that outlasts `timeoutMs`
 * is ERR_NTLM_TUNNEL_TIMEOUT, an aborted one fails with the signal's reason (the socket destroyed both times).
 */
export async function openTunnel(o: TunnelOptions): Promise<net.Socket> {
  const setup = new Setup(o);
  try {
    const raw = await Promise.race([connectThrough(o, setup), setup.stopped]);
    if (!o.secure) return raw;
    setup.stage = 'TLS to the origin';
    const secure = o.secure;
    // (A step that throws instead of rejecting fails the same way.)
    const secured = Promise.resolve().then(() => secure(raw));
    // A step that settles after the setup ended has its socket destroyed (nobody takes it); one that fails
    // leaves nothing open behind it.
    secured.then(
      (socket) => {
        if (setup.ended) socket.destroy();
      },
      () => raw.destroy(),
    );
    return await Promise.race([secured, setup.stopped]);
  } finally {
    setup.done();
  }
}

async function connectThrough(o: TunnelOptions, setup: Setup): Promise<net.Socket> {
  setup.check();
  const target = authority(o.target);
  const log = o.log ?? (() => undefined);
  const flow = new RequestFlow({
    ...(o.layer ? { proxy: o.layer } : {}),
    body: { present: false, replayable: true },
    idempotent: true,
    log,
  });
  const conn: ConnectionView & { generation: number } = {
    auth: new ConnectionAuth(),
    proxyAuth: new ConnectionAuth(),
    generation: 1,
    peerCertificate: () => undefined,
  };
  const track = (socket: net.Socket) => setup.track(socket);
  let reader = new HeadReader(await connectProxy(o, track));
  let action: Action = flow.start(undefined);
  try {
    for (;;) {
      setup.check();
      if (action.kind === 'fail') throw action.error;
      if (action.kind === 'deliver')
        throw new NtlmError('ERR_NTLM_WRONG_STATE', 'the CONNECT exchange ended without an answer');
      if (action.fresh || reader.socket.destroyed) {
        reader.socket.destroy();
        setup.stage = 'connecting to the proxy';
        reader = new HeadReader(await connectProxy(o, track));
        setup.check();
        conn.generation++;
      }
      const instead = flow.sending(conn);
      if (instead) {
        action = instead;
        continue;
      }
      const authorization = action.headers['proxy-authorization'];
      setup.stage = 'waiting for the answer to CONNECT';
      reader.socket.write(
        `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Connection: keep-alive\r\n` +
          `${authorization ? `Proxy-Authorization: ${authorization}\r\n` : ''}\r\n`,
      );
      let head: MessageHead;
      try {
        head = await reader.head();
      } catch (error) {
        setup.check();
        action = flow.failure(error as Error, true);
        continue;
      }
      setup.check();
      if (!head.status) throw new NtlmError('ERR_NTLM_INVALID_TOKEN', 'the proxy did not answer CONNECT with HTTP/1.x');
      action = flow.response(headOf(head), conn);
      if (action.kind === 'deliver') {
        if (head.status === 200) return reader.release();
        throw head.status === 407
          ? new NtlmError(
              'ERR_NTLM_AUTH_FAILED',
              `the proxy ${o.proxy.origin} refused the CONNECT to ${target} (407${o.layer ? '' : ', and no proxy credentials were given'})`,
              { status: 407 },
            )
          : new NtlmError(
              'ERR_NTLM_TUNNEL_REFUSED',
              `the proxy ${o.proxy.origin} answered the CONNECT to ${target} with ${head.status}`,
              { status: head.status },
            );
      }
      if (action.kind === 'send' && !action.fresh) {
        try {
          await reader.skipBody(head);
        } catch (error) {
          setup.check();
          action = flow.failure(error as Error, true);
        }
      }
    }
  } catch (error) {
    reader.socket.destroy();
    throw error;
  }
}
