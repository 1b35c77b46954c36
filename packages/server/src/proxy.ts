// createNtlmProxy: a forward proxy that demands NTLM (407 + Proxy-Authenticate) on each client
// connection, then forwards absolute-form HTTP requests and tunnels CONNECT, for tests and examples.
// The same acceptor and handshake step as the server; only the header names and status differ.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { toBase64 } from '@ntlmkit/core';
import { HeadReader } from '@ntlmkit/core/node';
import type { AuthOutcome, NtlmAcceptor } from './acceptor.js';
import { addLifecycle, type Lifecycle } from './lifecycle.js';
import { acceptorFactory, type NtlmServerOptions } from './server.js';
import { ntlmStep } from './step.js';
import { Users } from './users.js';

export interface NtlmProxyOptions extends Pick<NtlmServerOptions, 'users' | 'lmCompatibilityLevel' | 'targetNames' | 'version' | 'maxClockSkewMs' | 'now' | 'random'> {
  /** Which targets may be reached. Default: loopback only, so that a test proxy never becomes an open relay. */
  allowTarget?: (host: string, port: number) => boolean;
  faults?: {
    /** `Connection: close` on each client connection's first bare 407. */
    closeOnFirst407?: boolean;
    /** Close the client connection after sending the CHALLENGE. */
    closeAfterChallenge?: boolean;
    /** Refuse every AUTHENTICATE: a 407 loop. */
    alwaysRefuse?: boolean;
  };
}

export interface ProxyStats {
  /** Absolute-form requests and CONNECT requests received (407s included). */
  requests: number;
  connects: number;
  connections: number;
  handshakes: number;
  authenticated: number;
  failures: number;
}

export interface ProxyOutcomeEvent extends AuthOutcome {
  connection: number;
  method: string;
  target: string;
}

export type NtlmProxy = http.Server & Lifecycle & {
  stats: ProxyStats;
  on(event: 'ntlm', listener: (outcome: ProxyOutcomeEvent) => void): NtlmProxy;
};

interface ClientState {
  id: number;
  acceptor: NtlmAcceptor;
  authenticated?: AuthOutcome;
  bare407Sent: boolean;
  /** The upstream connection pinned to this client connection (origin NTLM is connection-bound too). */
  agent?: http.Agent;
}

const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade', 'transfer-encoding']);
const loopbackOnly = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function createNtlmProxy(options: NtlmProxyOptions = {}): NtlmProxy {
  const faults = options.faults ?? {};
  const allowTarget = options.allowTarget ?? loopbackOnly;
  const newAcceptor = acceptorFactory(options, new Users(options.users ?? {}), new Set(), { tls: false });
  const events = new EventEmitter();
  const stats: ProxyStats = { requests: 0, connects: 0, connections: 0, handshakes: 0, authenticated: 0, failures: 0 };
  const clients = new WeakMap<Socket, ClientState>();
  // Node stops tracking sockets it hands over for CONNECT: stop() closes these itself.
  const tunnels = new Set<Socket>();
  let nextId = 1;

  function stateFor(socket: Socket): ClientState {
    let state = clients.get(socket);
    if (!state) {
      state = { id: nextId++, acceptor: newAcceptor(), bare407Sent: false };
      clients.set(socket, state);
      const s = state;
      socket.once('close', () => s.agent?.destroy());
    }
    return state;
  }

  function record(state: ClientState, method: string, target: string, outcome: AuthOutcome): void {
    if (outcome.ok) stats.authenticated++;
    else stats.failures++;
    events.emit('ntlm', { ...outcome, connection: state.id, method, target });
  }

  /** The 407 as header lines: bare schemes, or a CHALLENGE under the client's scheme. */
  function proxyChallenge(state: ClientState, token?: { scheme: string; bytes: Uint8Array }): { headers: [string, string][]; close: boolean } {
    if (token) return { headers: [['Proxy-Authenticate', `${token.scheme} ${toBase64(token.bytes)}`]], close: !!faults.closeAfterChallenge };
    const close = !!faults.closeOnFirst407 && !state.bare407Sent;
    state.bare407Sent = true;
    return { headers: [['Proxy-Authenticate', 'NTLM']], close };
  }

  // What a handshake step means for this request: go ahead, or answer 407 (and maybe close).
  function decide(state: ClientState, header: string | undefined, method: string, target: string): { go: true } | { go: false; headers: [string, string][]; close: boolean } {
    const step = ntlmStep(state.acceptor, header, faults.alwaysRefuse);
    switch (step.kind) {
      case 'none':
        return state.authenticated ? { go: true } : { go: false, ...proxyChallenge(state) };
      case 'challenge':
        state.authenticated = undefined;
        stats.handshakes++;
        return { go: false, ...proxyChallenge(state, { scheme: step.scheme, bytes: step.token }) };
      case 'authenticated':
        record(state, method, target, step.outcome);
        state.authenticated = step.outcome;
        return { go: true };
      case 'refused':
        record(state, method, target, step.outcome);
        state.authenticated = undefined;
        return { go: false, ...proxyChallenge(state) };
    }
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    const state = stateFor(req.socket);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('a proxy request needs an absolute http:// URI\n');
      return;
    }
    const verdict = decide(state, first(req.headers['proxy-authorization']), req.method ?? '', target.host);
    if (!verdict.go) {
      for await (const _ of req); // read the body: the connection stays usable
      res.writeHead(407, [...verdict.headers, ['Content-Length', '0'], ...(verdict.close ? [['Connection', 'close'] as [string, string]] : [])]);
      res.end();
      if (verdict.close) res.once('finish', () => req.socket.destroy());
      return;
    }
    if (!allowTarget(target.hostname.replace(/^\[|\]$/g, ''), Number(target.port || 80))) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('target not allowed\n');
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    state.agent ??= new http.Agent({ keepAlive: true, maxSockets: 1 });
    const upstream = http.request(target, { method: req.method, headers, agent: state.agent }, (up) => {
      const back: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) back[name] = value;
      res.writeHead(up.statusCode ?? 502, back);
      up.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream failed: ${error.message}\n`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  async function onConnect(req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const state = stateFor(socket);
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    const reader = new HeadReader(socket, head);
    let target = req.url ?? '';
    let header = first(req.headers['proxy-authorization']);
    for (;;) {
      stats.requests++;
      stats.connects++;
      const verdict = decide(state, header, 'CONNECT', target);
      if (verdict.go) {
        const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(target);
        if (!m || !allowTarget(m[1]!, Number(m[2]))) {
          socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        const upstream = net.connect(Number(m[2]), m[1]!, () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          const client = reader.release();
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        socket.once('close', () => upstream.destroy());
        return;
      }
      const lines = verdict.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`HTTP/1.1 407 Proxy Authentication Required\r\n${lines}Content-Length: 0\r\nConnection: ${verdict.close ? 'close' : 'keep-alive'}\r\n\r\n`);
      if (verdict.close) {
        socket.end();
        return;
      }
      // Node hands CONNECT sockets over for good: the next CONNECT of the handshake is read here.
      const next = await reader.head().catch(() => undefined);
      if (!next || !/^CONNECT /i.test(next.startLine)) {
        socket.destroy();
        return;
      }
      target = next.startLine.split(' ')[1] ?? '';
      header = next.headers['proxy-authorization']?.[0];
    }
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(() => res.destroy());
  }) as NtlmProxy;
  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    onConnect(req, socket, head).catch(() => socket.destroy());
  });
  server.on('connection', () => void stats.connections++);
  Object.assign(server, { stats });
  addLifecycle(server, 'http', events, () => tunnels.forEach((socket) => socket.destroy()));
  return server;
}
