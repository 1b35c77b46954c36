// createNtlmServer: an HTTP(S) server that authenticates connections with NTLM the way IIS does,
// with fault and latency options for tests and counters for benchmarks.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { channelBindingFromCertificate, certificateToDer, toBase64, DEFAULT_VERSION, type NtlmVersion } from '@ntlmkit/core';
import { ntlmStep } from './step.js';
import { NtlmAcceptor, type AuthOutcome, type TargetNames, type TokenChecking } from './acceptor.js';
import { createSelfSignedCertificate } from './certificate.js';
import { addLifecycle, type Lifecycle } from './lifecycle.js';
import { Users, type UserTable } from './users.js';

export type SchemeOffer = 'NTLM' | 'Negotiate' | 'both' | 'both-joined';

export interface FaultOptions {
  /** Send `Connection: close` with the first bare 401 of each connection (IIS behind some balancers). */
  closeOnFirst401?: boolean;
  /** Close the socket right after sending the CHALLENGE. */
  closeAfterChallenge?: boolean;
  /** Delay every response by this many milliseconds (simulated network latency). */
  delayMs?: number;
  /** Refuse every AUTHENTICATE: a 401 loop. */
  alwaysRefuse?: boolean;
}

export interface RequestContext {
  /** The authenticated user as written in the user table (undefined when authentication is off). */
  user?: string;
  outcome?: AuthOutcome;
  body: Buffer;
  connection: number;
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, context: RequestContext) => void | Promise<void>;

export interface NtlmServerOptions {
  users?: UserTable;
  /** `true` for a fresh self-signed certificate, or your own certificate and key (PEM). */
  https?: boolean | { cert: string | Buffer; key: string | Buffer };
  /** Which challenges a 401 offers. Default `both` (two headers, Negotiate first, as IIS sends them). */
  schemes?: SchemeOffer;
  /** Channel binding checks over HTTPS, as IIS's extendedProtection tokenChecking. Default `allow`. */
  tokenChecking?: TokenChecking;
  /** Server LmCompatibilityLevel: 5 (default) NTLMv2 only, 4 also NTLMv1. */
  lmCompatibilityLevel?: number;
  /** Accepted SPNs (e.g. `HTTP/localhost`); when set, the client must send a matching MsvAvTargetName. */
  spns?: string[];
  maxClockSkewMs?: number;
  /** Demand a handshake on every request instead of authenticating the connection. */
  perRequest?: boolean;
  allowAnonymous?: boolean;
  /** `false` serves everything without authentication: the keep-alive baseline of the benchmarks. */
  authenticate?: boolean;
  targetNames?: Partial<TargetNames>;
  version?: NtlmVersion;
  faults?: FaultOptions;
  keepAliveTimeoutMs?: number;
  /** Handler for authenticated requests; the default echoes method, path, user and body length as JSON. */
  handler?: RequestHandler;
  /** Test hooks. */
  now?: () => number;
  random?: (size: number) => Uint8Array;
}

export interface ServerStats {
  requests: number;
  connections: number;
  /** CHALLENGE messages issued. */
  handshakes: number;
  authenticated: number;
  failures: number;
  /** Request body bytes received, over all requests (401s included). */
  bodyBytes: number;
}

export interface OutcomeEvent extends AuthOutcome {
  connection: number;
  method: string;
  path: string;
}

export interface NtlmServerExtras extends Lifecycle {
  stats: ServerStats;
  resetStats(): void;
  /** PEM of the server certificate (HTTPS only), for a client's `ca`. */
  certificate?: string;
  on(event: 'ntlm', listener: (outcome: OutcomeEvent) => void): NtlmServer;
}

export type NtlmServer = (http.Server | https.Server) & NtlmServerExtras;

interface ConnectionState {
  id: number;
  acceptor: NtlmAcceptor;
  authenticated?: AuthOutcome;
  bare401Sent: boolean;
}

const DEFAULT_NAMES: TargetNames = { netbiosDomain: 'EXAMPLE', netbiosComputer: 'NTLMKIT', dnsDomain: 'example.test', dnsComputer: 'ntlmkit.example.test' };

/** JSON with non-ASCII escaped, so that it is a valid header value. */
function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const defaultHandler: RequestHandler = (req, res, context) => {
  const body = JSON.stringify({
    method: req.method,
    path: req.url,
    user: context.user ?? null,
    bodyLength: context.body.length,
    bodySha256: createHash('sha256').update(context.body).digest('hex'),
  });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/** What makes an acceptor: the options shared by the server and the proxy, and the connection's TLS. */
export function acceptorFactory(
  options: Pick<NtlmServerOptions, 'lmCompatibilityLevel' | 'tokenChecking' | 'spns' | 'maxClockSkewMs' | 'targetNames' | 'version' | 'allowAnonymous' | 'now' | 'random'>,
  users: Users,
  seenProofs: Set<string>,
  channel: { tls: boolean; expectedChannelBinding?: Uint8Array },
): () => NtlmAcceptor {
  return () =>
    new NtlmAcceptor({
      users,
      lmCompatibilityLevel: options.lmCompatibilityLevel ?? 5,
      tokenChecking: options.tokenChecking ?? 'allow',
      expectedChannelBinding: channel.expectedChannelBinding,
      tls: channel.tls,
      spns: options.spns,
      maxClockSkewMs: options.maxClockSkewMs ?? 5 * 60_000,
      targetNames: { ...DEFAULT_NAMES, ...options.targetNames },
      version: options.version ?? DEFAULT_VERSION,
      allowAnonymous: options.allowAnonymous ?? false,
      seenProofs,
      now: options.now ?? Date.now,
      random: options.random ?? ((n: number) => new Uint8Array(randomBytes(n))),
    });
}

export function createNtlmServer(options: NtlmServerOptions = {}): NtlmServer {
  const users = new Users(options.users ?? {});
  const faults = options.faults ?? {};
  const handler = options.handler ?? defaultHandler;
  const schemes = options.schemes ?? 'both';
  const seenProofs = new Set<string>();
  const events = new EventEmitter();
  const stats: ServerStats = { requests: 0, connections: 0, handshakes: 0, authenticated: 0, failures: 0, bodyBytes: 0 };
  const connections = new WeakMap<object, ConnectionState>();
  let nextConnection = 1;

  let tls: { cert: string | Buffer; key: string | Buffer } | undefined;
  if (options.https === true) tls = createSelfSignedCertificate();
  else if (options.https) tls = options.https;
  let expectedChannelBinding: Uint8Array | undefined;
  if (tls) {
    try {
      expectedChannelBinding = channelBindingFromCertificate(certificateToDer(tls.cert.toString()));
    } catch {
      expectedChannelBinding = undefined; // e.g. Ed25519: no binding exists; any client binding is then wrong
    }
  }

  const newAcceptor = acceptorFactory(options, users, seenProofs, { tls: tls !== undefined, expectedChannelBinding });

  function stateFor(socket: Socket): ConnectionState {
    let state = connections.get(socket);
    if (!state) {
      state = { id: nextConnection++, bare401Sent: false, acceptor: newAcceptor() };
      connections.set(socket, state);
    }
    return state;
  }

  function bareChallenges(): string[] {
    switch (schemes) {
      case 'NTLM': return ['NTLM'];
      case 'Negotiate': return ['Negotiate'];
      case 'both-joined': return ['Negotiate, NTLM'];
      default: return ['Negotiate', 'NTLM'];
    }
  }

  async function respond(write: () => void | Promise<void>): Promise<void> {
    if (faults.delayMs) await new Promise((r) => setTimeout(r, faults.delayMs));
    await write();
  }

  function record(state: ConnectionState, req: http.IncomingMessage, res: http.ServerResponse, outcome: AuthOutcome): void {
    if (outcome.ok) stats.authenticated++;
    else stats.failures++;
    res.setHeader('x-ntlm-outcome', headerJson(outcome));
    events.emit('ntlm', { ...outcome, connection: state.id, method: req.method ?? '', path: req.url ?? '' });
  }

  function unauthorized(res: http.ServerResponse, state: ConnectionState, token?: { scheme: string; bytes: Uint8Array }): void {
    if (token) {
      res.setHeader('www-authenticate', `${token.scheme} ${toBase64(token.bytes)}`);
    } else {
      res.setHeader('www-authenticate', bareChallenges());
      if (faults.closeOnFirst401 && !state.bare401Sent) res.setHeader('connection', 'close');
      state.bare401Sent = true;
    }
    const body = '401 Unauthorized\n';
    res.writeHead(401, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, state: ConnectionState, body: Buffer, outcome?: AuthOutcome): Promise<void> {
    await respond(() => handler(req, res, { user: outcome?.user, outcome, body, connection: state.id }));
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      stats.bodyBytes += (chunk as Buffer).length;
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const state = stateFor(req.socket);
    if (options.authenticate === false) return serve(req, res, state, body);

    const step = ntlmStep(state.acceptor, req.headers.authorization, faults.alwaysRefuse);
    switch (step.kind) {
      case 'none':
        if (state.authenticated && !options.perRequest) return serve(req, res, state, body, state.authenticated);
        return respond(() => unauthorized(res, state));
      case 'challenge':
        state.authenticated = undefined; // a new handshake replaces the connection's identity
        stats.handshakes++;
        if (faults.closeAfterChallenge) res.once('finish', () => req.socket.destroy());
        return respond(() => unauthorized(res, state, { scheme: step.scheme, bytes: step.token }));
      case 'authenticated':
        record(state, req, res, step.outcome);
        state.authenticated = step.outcome;
        return serve(req, res, state, body, step.outcome);
      case 'refused':
        record(state, req, res, step.outcome);
        state.authenticated = undefined;
        return respond(() => unauthorized(res, state));
    }
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    onRequest(req, res).catch((error) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`handler failed: ${(error as Error).message}\n`);
      } else res.destroy();
    });
  };
  const server = (tls
    ? https.createServer({ cert: tls.cert, key: tls.key, ALPNProtocols: ['http/1.1'] }, listener)
    : http.createServer(listener)) as NtlmServer;
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.on('connection', () => void stats.connections++);

  const extras: Omit<NtlmServerExtras, 'on' | keyof Lifecycle> = {
    stats,
    resetStats() {
      Object.assign(stats, { requests: 0, connections: 0, handshakes: 0, authenticated: 0, failures: 0, bodyBytes: 0 });
    },
    certificate: tls ? tls.cert.toString() : undefined,
  };
  Object.assign(server, extras);
  addLifecycle(server, tls ? 'https' : 'http', events);
  return server;
}
