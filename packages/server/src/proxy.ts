// createNtlmProxy: a forward proxy that demands NTLM (407 + Proxy-Authenticate) on each client
// connection, then forwards absolute-form HTTP requests and tunnels CONNECT, for tests and examples.
// The same gate as the server (acceptor, handshake step, outcome); only the role is the proxy's.
import http from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HeadReader } from '@ntlmkit/core/node';
import type { AuthOutcome } from './acceptor.js';
import { checkCounts, cutResponse, dropResponse, hintKeepAlive, IdleCloser } from './faults.js';
import { acceptorPolicy, answerHead, NtlmGate, PROXY, writeAnswer, type AcceptorOptions } from './gate.js';
import { addLifecycle, type Lifecycle, type OutcomeEvents } from './lifecycle.js';

/** Faults of the proxy; counts are whole numbers ≥ 0. */
export interface ProxyFaultOptions {
  /** `Connection: close` on each client connection's first bare 407. */
  closeOnFirst407?: boolean;
  /** Close the client connection after sending the CHALLENGE (announced with `Connection: close`). */
  closeAfterChallenge?: boolean;
  /** Refuse every AUTHENTICATE: a 407 loop. */
  alwaysRefuse?: boolean;
  /** `Keep-Alive: timeout=<n>` (and `Connection: keep-alive`) with every response that keeps the connection. */
  keepAliveHint?: number;
  /** Close a client connection idle for this many milliseconds (never an open tunnel), without a hint. */
  closeIdleAfterMs?: number;
  /** For the first N forwarded requests, destroy the client connection once the origin's response has
   * arrived, instead of relaying it (the origin processed the request). */
  dropAfterExecute?: number;
  /** For the first N forwarded requests, relay the head and the first half of the origin's body, then
   * destroy the client connection. (`dropAfterExecute` wins when both apply.) */
  resetMidBody?: number;
}

/** Options of `createNtlmProxy`: who may authenticate and how (AcceptorOptions), the targets and the faults. */
export interface NtlmProxyOptions extends AcceptorOptions {
  /** Which targets may be reached. Default: loopback only, so that a test proxy never becomes an open relay. */
  allowTarget?: (host: string, port: number) => boolean;
  /** Faults to reproduce (see ProxyFaultOptions); none by default. */
  faults?: ProxyFaultOptions;
}

/** The proxy's counters (`proxy.stats`). */
export interface ProxyStats {
  /** Absolute-form requests and CONNECT requests received (407s included). */
  requests: number;
  /** CONNECT requests received (every CONNECT of a handshake counts). */
  connects: number;
  /** Client connections accepted. */
  connections: number;
  /** CHALLENGE messages issued. */
  handshakes: number;
  /** AUTHENTICATE messages accepted. */
  authenticated: number;
  /** AUTHENTICATE messages refused, and credentials refused before one (unreadable, another scheme). */
  failures: number;
  /** Absolute-form requests sent on to their origin. */
  forwarded: number;
}

/** The proxy's `ntlm` event: an AUTHENTICATE's outcome, and where it came from. */
export interface ProxyOutcomeEvent extends AuthOutcome {
  /** The client connection's number, from 1. */
  connection: number;
  /** The request method (`CONNECT` for a tunnel). */
  method: string;
  /** The target host: `host[:port]` of an absolute-form request's URI, `host:port` as CONNECT names it. */
  target: string;
}

/** An NTLM test proxy: a Node http server with `start`, `stop`, `stats` and the `ntlm` event. */
export type NtlmProxy = OutcomeEvents<ProxyOutcomeEvent> &
  http.Server &
  Lifecycle & {
    /** The counters, live. */
    stats: ProxyStats;
  };

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
]);
const loopbackOnly = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);
const COUNTS = ['keepAliveHint', 'closeIdleAfterMs', 'dropAfterExecute', 'resetMidBody'] as const;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const LOST = 'the upstream connection this client connection was pinned to has closed';

/** The agent of one Pin: one connection per origin, opened once, kept as long as the origin keeps it. */
class PinnedUpstream extends http.Agent {
  constructor(private readonly pin: Pin) {
    super({ keepAlive: true, maxSockets: 1 });
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const key = `${options.host ?? ''}:${options.port ?? ''}`;
    if (this.pin.lost || this.pin.opened.has(key)) {
      callback?.(new Error(LOST), undefined as unknown as Duplex);
      return undefined;
    }
    this.pin.opened.add(key);
    const socket = net.connect(options as net.NetConnectOpts);
    socket.once('end', () => this.pin.lose());
    socket.once('close', () => this.pin.lose());
    return socket;
  }

  // A short Keep-Alive hint (Node's agent drops a socket at 1 s or less) does not end a pinned connection.
  override keepSocketAlive(socket: Duplex): boolean {
    (socket as Socket).setKeepAlive(true, 1000);
    (socket as Socket).unref();
    return true;
  }
}

/**
 * The upstream side of one client connection (RFC 4559 6: a proxy "must take care to not share authenticated
 * connections"): at most one upstream connection per origin, for the client connection's whole life. When one
 * of them closes, or its response says `Connection: close`, the client connection ends after the response in
 * progress (announced with `Connection: close` when it is known before the head is sent), and its later
 * requests are never carried over another upstream connection.
 */
class Pin {
  readonly agent: http.Agent = new PinnedUpstream(this);
  /** An upstream connection closed (or announced it would): the client connection is ending. */
  lost = false;
  /** The origins (`host:port`) an upstream connection was opened to: never a second one. */
  readonly opened = new Set<string>();
  private readonly active = new Set<http.ServerResponse>();

  constructor(private readonly client: Socket) {}

  /** A response on the client connection is in progress until it finishes or its connection goes. */
  serving(res: http.ServerResponse): void {
    this.active.add(res);
    res.once('close', () => {
      this.active.delete(res);
      if (this.lost && this.active.size === 0) this.client.end();
    });
  }

  lose(): void {
    if (this.lost) return;
    this.lost = true;
    if (this.active.size === 0) this.client.end();
  }

  destroy(): void {
    this.lost = true;
    this.agent.destroy();
  }
}

/**
 * A forward proxy that demands NTLM (407) on each client connection, then forwards absolute-form HTTP requests
 * and tunnels CONNECT (to loopback only, unless `allowTarget` says otherwise); not listening until `start()`.
 */
export function createNtlmProxy(options: NtlmProxyOptions = {}): NtlmProxy {
  const faults = checkCounts({ ...options.faults }, COUNTS, 'faults');
  const allowTarget = options.allowTarget ?? loopbackOnly;
  const stats: ProxyStats = {
    requests: 0,
    connects: 0,
    connections: 0,
    handshakes: 0,
    authenticated: 0,
    failures: 0,
    forwarded: 0,
  };
  const idle = faults.closeIdleAfterMs !== undefined ? new IdleCloser(faults.closeIdleAfterMs) : undefined;
  const hint: Record<string, string> =
    faults.keepAliveHint !== undefined ? { 'Keep-Alive': `timeout=${faults.keepAliveHint}` } : {};
  // The upstream connections pinned to each client connection (origin NTLM is connection-bound too).
  const pins = new WeakMap<Socket, Pin>();
  // Node stops tracking sockets it hands over for CONNECT: stop() closes these itself.
  const tunnels = new Set<Socket>();
  let forwards = 0;

  const server = http.createServer((req, res) => {
    const done = idle?.busy(req.socket);
    if (done) res.once('close', done);
    onRequest(req, res).catch(() => res.destroy());
  }) as NtlmProxy;

  const gate = new NtlmGate<{ method: string; target: string }>({
    role: PROXY,
    policy: acceptorPolicy(options, { tls: false }),
    offers: ['NTLM'],
    alwaysRefuse: faults.alwaysRefuse,
    closeOnFirstBare: faults.closeOnFirst407,
    closeAfterChallenge: faults.closeAfterChallenge ? 'announce' : undefined,
    stats,
    events: server,
  });

  function pinFor(socket: Socket): Pin {
    let pin = pins.get(socket);
    if (!pin) {
      const p = (pin = new Pin(socket));
      pins.set(socket, p);
      socket.once('close', () => p.destroy());
    }
    return pin;
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    const pin = pinFor(req.socket);
    pin.serving(res);
    if (pin.lost) res.setHeader('Connection', 'close'); // the client connection is ending (see Pin)
    if (faults.keepAliveHint !== undefined) hintKeepAlive(res, faults.keepAliveHint);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('a proxy request needs an absolute http:// URI\n');
      return;
    }
    const about = { method: req.method ?? '', target: target.host };
    const verdict = gate.admit(req.socket, first(req.headers['proxy-authorization']), about);
    if (!verdict.pass) {
      for await (const _ of req); // read the body: the connection stays usable
      writeAnswer(res, req.socket, verdict.answer);
      return;
    }
    if (!allowTarget(target.hostname.replace(/^\[|\]$/g, ''), Number(target.port || 80))) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('target not allowed\n');
      return;
    }
    if (pin.lost) {
      // Never over another upstream connection: this client connection ends here.
      for await (const _ of req);
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream failed: ${LOST}\n`);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    stats.forwarded++;
    const n = ++forwards;
    if (n <= (faults.dropAfterExecute ?? 0)) dropResponse(res, req.socket);
    else if (n <= (faults.resetMidBody ?? 0)) cutResponse(res, req.socket, req.method);
    const upstream = http.request(target, { method: req.method, headers, agent: pin.agent }, (up) => {
      const back: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) back[name] = value;
      }
      // The origin closes its connection after this response: so does the client's, announced alike.
      if (/(^|,)\s*close\s*(,|$)/i.test(String(up.headers.connection ?? '')) || pin.lost) pin.lose();
      if (pin.lost) res.setHeader('Connection', 'close');
      res.writeHead(up.statusCode ?? 502, back);
      up.pipe(res);
    });
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else {
        if (pin.lost) res.setHeader('Connection', 'close');
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream failed: ${error.message}\n`);
      }
    });
    req.pipe(upstream);
  }

  async function onConnect(req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    let busy = idle?.busy(socket); // a CONNECT in progress, and for good once it is a tunnel
    const reader = new HeadReader(socket, head);
    let target = req.url ?? '';
    let header = first(req.headers['proxy-authorization']);
    for (;;) {
      stats.requests++;
      stats.connects++;
      const verdict = gate.admit(socket, header, { method: 'CONNECT', target });
      if (verdict.pass) {
        const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(target);
        if (!m || !allowTarget(m[1]!, Number(m[2]))) {
          socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        const upstream = net.connect(Number(m[2]), m[1], () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          const client = reader.release();
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        socket.once('close', () => upstream.destroy());
        return; // `busy` is never ended: an open tunnel is never idle
      }
      const answer = verdict.answer;
      if (answer.close === 'announce') {
        socket.end(answerHead(answer));
        return;
      }
      if (answer.close === 'drop') {
        socket.write(answerHead(answer), () => socket.destroy());
        return;
      }
      socket.write(answerHead(answer, hint));
      // Node hands CONNECT sockets over for good: the next CONNECT of the handshake is read here. The
      // connection is idle until it arrives.
      busy?.();
      const next = await reader.head().catch(() => undefined);
      busy = idle?.busy(socket);
      if (!next || !/^CONNECT /i.test(next.startLine)) {
        socket.destroy();
        return;
      }
      target = next.startLine.split(' ')[1] ?? '';
      header = next.headers['proxy-authorization']?.[0];
    }
  }

  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    onConnect(req, socket, head).catch(() => socket.destroy());
  });
  server.on('connection', (socket: Socket) => {
    stats.connections++;
    idle?.watch(socket);
  });
  if (idle) server.keepAliveTimeout = 0; // the idle close is ours, and unannounced
  Object.assign(server, { stats });
  addLifecycle(server, 'http', () => tunnels.forEach((socket) => socket.destroy()));
  return server;
}
