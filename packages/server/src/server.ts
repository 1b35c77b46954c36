// createNtlmServer: an HTTP(S) server that authenticates connections with NTLM the way IIS does,
// with fault and latency options for tests and counters for benchmarks.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { channelBindingFromCertificate, certificateToDer } from '@ntlmkit/core';
import type { AuthOutcome } from './acceptor.js';
import { createSelfSignedCertificate } from './certificate.js';
import { checkCounts, cutResponse, dropResponse, hintKeepAlive, IdleCloser } from './faults.js';
import { acceptorPolicy, NtlmGate, ORIGIN, writeAnswer, type OriginAcceptorOptions } from './gate.js';
import { addLifecycle, type Lifecycle, type OutcomeEvents } from './lifecycle.js';

/**
 * The challenges a 401 offers: `NTLM`, `Negotiate`, `both` (two headers, Negotiate first, as IIS) or
 * `both-joined` (one header, `Negotiate, NTLM`).
 */
export type SchemeOffer = 'NTLM' | 'Negotiate' | 'both' | 'both-joined';

/** Faults that reproduce what real servers and networks do to clients; counts are whole numbers ≥ 0. */
export interface FaultOptions {
  /** Send `Connection: close` with the first bare 401 of each connection (IIS behind some balancers). */
  closeOnFirst401?: boolean;
  /** Close the socket right after sending the CHALLENGE (no `Connection: close` announces it). */
  closeAfterChallenge?: boolean;
  /** Delay every response by this many milliseconds (simulated network latency). */
  delayMs?: number;
  /** Refuse every AUTHENTICATE: a 401 loop. */
  alwaysRefuse?: boolean;
  /**
   * Send `Keep-Alive: timeout=<n>` (and `Connection: keep-alive`) with every response that keeps its
   * connection, 401s and CHALLENGEs included, as servers that send `timeout=1` or `0` do. Only a hint:
   * the connection stays open as long as it would otherwise (see `closeIdleAfterMs`).
   */
  keepAliveHint?: number;
  /**
   * Close a connection that has been idle (no request in progress, no byte arriving) for this many
   * milliseconds, without any hint (Node's own `Keep-Alive` header is not sent unless
   * `keepAliveTimeoutMs` or `keepAliveHint` is given).
   */
  closeIdleAfterMs?: number;
  /**
   * For the first N executed requests (the handler ran), destroy the connection when the handler ends its
   * response instead of sending any of it: the request was processed, the client sees the connection drop.
   */
  dropAfterExecute?: number;
  /**
   * For the first N executed requests, send the status line, the headers and the first half of the body,
   * then destroy the connection. (When both apply to a request, `dropAfterExecute` wins.)
   */
  resetMidBody?: number;
}

/** What a `RequestHandler` is told about the request besides `req` and `res`. */
export interface RequestContext {
  /** The authenticated user as written in the user table (undefined when authentication is off). */
  user?: string;
  /** The outcome that authenticated the connection (or this request, with `perRequest`). */
  outcome?: AuthOutcome;
  /** The request body, read in full before the handler runs. */
  body: Buffer;
  /** The connection's number, from 1 in the order connections sent their first request. */
  connection: number;
}

/** Serves an authenticated request (every request with `authenticate: false`). */
export type RequestHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  context: RequestContext,
) => void | Promise<void>;

/** Options of `createNtlmServer`: who may authenticate and how (OriginAcceptorOptions), and the HTTP side. */
export interface NtlmServerOptions extends OriginAcceptorOptions {
  /** `true` for a fresh self-signed certificate, or your own certificate and key (PEM). */
  https?: boolean | { cert: string | Buffer; key: string | Buffer };
  /** Which challenges a 401 offers. Default `both` (two headers, Negotiate first, as IIS sends them). */
  schemes?: SchemeOffer;
  /** Demand a handshake on every request instead of authenticating the connection. */
  perRequest?: boolean;
  /** `false` serves everything without authentication: the keep-alive baseline of the benchmarks. */
  authenticate?: boolean;
  /** Faults to reproduce (see FaultOptions); none by default. */
  faults?: FaultOptions;
  /** Node's idle keep-alive timeout (and the `Keep-Alive: timeout=` hint Node derives from it). */
  keepAliveTimeoutMs?: number;
  /** Handler for authenticated requests; default `defaultHandler` (method, path, user, body length and SHA-256). */
  handler?: RequestHandler;
}

/** The server's counters (`server.stats`), set back to 0 by `resetStats()`. */
export interface ServerStats {
  /** Requests received, 401s included. */
  requests: number;
  /** Connections accepted. */
  connections: number;
  /** CHALLENGE messages issued. */
  handshakes: number;
  /** AUTHENTICATE messages accepted. */
  authenticated: number;
  /** AUTHENTICATE messages refused, and credentials refused before one (unreadable, another scheme). */
  failures: number;
  /** How many times the handler ran (the application processed a request). */
  executed: number;
  /** Request body bytes received, over all requests (401s included). */
  bodyBytes: number;
}

/** The server's `ntlm` event: an AUTHENTICATE's outcome, and where it came from. */
export interface OutcomeEvent extends AuthOutcome {
  /** The connection's number, from 1. */
  connection: number;
  /** The request method. */
  method: string;
  /** The request target, as `req.url`. */
  path: string;
}

/** What `createNtlmServer` adds to a Node http(s) server. */
export interface NtlmServerExtras extends Lifecycle, OutcomeEvents<OutcomeEvent> {
  /** The counters, live. */
  stats: ServerStats;
  /** Sets every counter of `stats` back to 0 (the fault counts of `faults` are not reset). */
  resetStats(): void;
  /** PEM of the server certificate (HTTPS only), for a client's `ca`. */
  certificate?: string;
}

/** An NTLM test server: a Node http or https server with `start`, `stop`, `stats` and the `ntlm` event. */
export type NtlmServer = NtlmServerExtras & (http.Server | https.Server);

/** JSON with non-ASCII escaped, so that it is a valid header value. */
function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The default handler: 200 with JSON `{ method, path, user, bodyLength, bodySha256 }`. */
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

const OFFERS: Record<SchemeOffer, string[]> = {
  NTLM: ['NTLM'],
  Negotiate: ['Negotiate'],
  both: ['Negotiate', 'NTLM'],
  'both-joined': ['Negotiate, NTLM'],
};

const COUNTS = ['delayMs', 'keepAliveHint', 'closeIdleAfterMs', 'dropAfterExecute', 'resetMidBody'] as const;

const zeroStats = (): ServerStats => ({
  requests: 0,
  connections: 0,
  handshakes: 0,
  authenticated: 0,
  failures: 0,
  executed: 0,
  bodyBytes: 0,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP(S) server that authenticates connections with NTLM as IIS does and verifies what clients send; not
 * listening until `start()`. A wrong fault count is an NtlmError (ERR_NTLM_INVALID_ARGUMENT).
 */
export function createNtlmServer(options: NtlmServerOptions = {}): NtlmServer {
  const faults = checkCounts({ ...options.faults }, COUNTS, 'faults');
  const handler = options.handler ?? defaultHandler;
  const stats = zeroStats();
  const idle = faults.closeIdleAfterMs !== undefined ? new IdleCloser(faults.closeIdleAfterMs) : undefined;
  let executions = 0; // never reset: the fault counts run over the server's life

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

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const done = idle?.busy(req.socket);
    if (done) res.once('close', done);
    onRequest(req, res).catch((error) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`handler failed: ${(error as Error).message}\n`);
      } else res.destroy();
    });
  };
  const server = (
    tls
      ? https.createServer({ cert: tls.cert, key: tls.key, ALPNProtocols: ['http/1.1'] }, listener)
      : http.createServer(listener)
  ) as NtlmServer;

  const gate = new NtlmGate<{ method: string; path: string }>({
    role: ORIGIN,
    policy: acceptorPolicy(options, { tls: tls !== undefined, expectedChannelBinding }),
    offers: OFFERS[options.schemes ?? 'both'] ?? OFFERS.both,
    perRequest: options.perRequest,
    alwaysRefuse: faults.alwaysRefuse,
    closeOnFirstBare: faults.closeOnFirst401,
    closeAfterChallenge: faults.closeAfterChallenge ? 'drop' : undefined,
    stats,
    events: server,
  });

  async function execute(req: http.IncomingMessage, res: http.ServerResponse, context: RequestContext): Promise<void> {
    if (faults.delayMs) await sleep(faults.delayMs);
    const n = ++executions;
    stats.executed++;
    if (n <= (faults.dropAfterExecute ?? 0)) dropResponse(res, req.socket);
    else if (n <= (faults.resetMidBody ?? 0)) cutResponse(res, req.socket, req.method);
    await handler(req, res, context);
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    if (faults.keepAliveHint !== undefined) hintKeepAlive(res, faults.keepAliveHint);
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      stats.bodyBytes += (chunk as Buffer).length;
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    if (options.authenticate === false) return execute(req, res, { body, connection: gate.connection(req.socket).id });

    const about = { method: req.method ?? '', path: req.url ?? '' };
    const verdict = gate.admit(req.socket, req.headers.authorization, about);
    if (verdict.recorded) res.setHeader('x-ntlm-outcome', headerJson(verdict.recorded));
    if (verdict.pass) {
      const outcome = verdict.identity;
      return execute(req, res, { user: outcome.user, outcome, body, connection: verdict.connection.id });
    }
    if (faults.delayMs) await sleep(faults.delayMs);
    writeAnswer(res, req.socket, verdict.answer);
  }

  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  else if (idle) server.keepAliveTimeout = 0; // the idle close is ours, and unannounced
  server.on('connection', () => void stats.connections++);
  if (idle && tls) {
    server.on('connection', (socket: Socket) => idle.watchOpening(socket));
    server.on('secureConnection', (socket: Socket) => idle.watch(socket));
  } else if (idle) server.on('connection', (socket: Socket) => idle.watch(socket));

  const extras: Omit<NtlmServerExtras, keyof Lifecycle | keyof OutcomeEvents<OutcomeEvent>> = {
    stats,
    resetStats: () => void Object.assign(stats, zeroStats()),
    certificate: tls ? tls.cert.toString() : undefined,
  };
  Object.assign(server, extras);
  addLifecycle(server, tls ? 'https' : 'http');
  return server;
}
