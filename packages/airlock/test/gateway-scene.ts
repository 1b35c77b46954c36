// A development gateway between test "browsers" and real back ends on loopback: two NTLM back ends
// (@ntlmkit/server, reporting the user they authenticated) and a plain one that records what reaches
// it. Any back end sets the cookies a request asks for in `x-set-cookie` (a JSON array): that is how a
// test plays the login application.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createNtlmServer, defaultHandler, type NtlmServer, type RequestHandler } from '@ntlmkit/server';
import {
  createAirlockDevGateway,
  type AirlockDevGateway,
  type AirlockDevGatewayOptions,
  type GatewayMapping,
} from '../src/index';

export const PASSWORDS: Record<string, string> = {
  alice: 'alice-Pa55!word',
  bob: 'b0b:with,separators@and%41%25+;=&',
  carol: 'Carol-ünïcødé-€-密码',
  dave: 'dave\\back\\slash\u0000nul',
};

function setCookies(req: http.IncomingMessage, res: http.ServerResponse): void {
  const wanted = req.headers['x-set-cookie'];
  if (typeof wanted === 'string') res.setHeader('set-cookie', JSON.parse(wanted) as string[]);
}

const ntlmHandler: RequestHandler = (req, res, context) => {
  setCookies(req, res);
  if (req.url?.endsWith('/big')) {
    const size = Number(req.headers['x-size'] ?? 0);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size,
      'x-user': context.user ?? '',
    });
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    let left = size;
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(chunk.subarray(0, n))) return void res.once('drain', write);
      }
      res.end();
    };
    return write();
  }
  return defaultHandler(req, res, context);
};

export interface PlainRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface Backends {
  a: NtlmServer;
  b: NtlmServer;
  plain: http.Server;
  plainUrl: string;
  /** Every request the plain back end received. */
  plainRequests: PlainRequest[];
  /** Sockets open now and the most at once, per NTLM back end. */
  /**
   * Sockets open now and the most at once: per NTLM back end, both together, and both together counting
   * only sockets that carried an Authorization header (the connections NtlmDispatcher's budget bounds).
   */
  sockets: Record<'a' | 'b' | 'all' | 'ntlm', { open: number; max: number }>;
  stop(): Promise<void>;
}

/**
 * Counts a server socket as open from its accept until the client's FIN ('end') or its close. The count
 * starts after the accept's poll phase: a client that closes a connection and then opens another sends
 * the FIN first, and both can arrive in one phase, the accept handled first.
 */
export function trackSocket(socket: Socket, counts: readonly { open: number; max: number }[]): void {
  let state: 'pending' | 'open' | 'gone' = 'pending';
  setImmediate(() => {
    if (state !== 'pending') return;
    state = 'open';
    for (const c of counts) c.max = Math.max(c.max, ++c.open);
  });
  const gone = () => {
    if (state === 'open') for (const c of counts) c.open--;
    state = 'gone';
  };
  socket.once('end', gone);
  socket.once('close', gone);
}

export async function startBackends(users: Record<string, string> = PASSWORDS): Promise<Backends> {
  const table = Object.fromEntries(Object.entries(users).map(([u, p]) => [`EXAMPLE\\${u}`, p]));
  const a = createNtlmServer({ users: table, handler: ntlmHandler });
  const b = createNtlmServer({ users: table, handler: ntlmHandler });
  const sockets = {
    a: { open: 0, max: 0 },
    b: { open: 0, max: 0 },
    all: { open: 0, max: 0 },
    ntlm: { open: 0, max: 0 },
  };
  const carried = new WeakSet<Socket>();
  for (const [server, count] of [
    [a, sockets.a],
    [b, sockets.b],
  ] as const) {
    server.on('connection', (socket) => trackSocket(socket, [count, sockets.all]));
    server.on('request', (req: http.IncomingMessage) => {
      const socket = req.socket;
      if (!req.headers.authorization || carried.has(socket)) return;
      carried.add(socket);
      sockets.ntlm.max = Math.max(sockets.ntlm.max, ++sockets.ntlm.open);
      let gone = false;
      const end = () => {
        if (!gone) sockets.ntlm.open--;
        gone = true;
      };
      socket.once('end', end);
      socket.once('close', end);
    });
  }
  const plainRequests: PlainRequest[] = [];
  const plain = http.createServer((req, res) => {
    answerPlain(req, res).catch((error: Error) => res.destroy(error));
  });
  async function answerPlain(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    plainRequests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    let length = 0;
    for await (const chunk of req) length += (chunk as Buffer).length;
    setCookies(req, res);
    if (req.url?.endsWith('/challenge')) {
      res.writeHead(401, { 'www-authenticate': ['Negotiate', 'NTLM'], 'content-type': 'text/plain' }).end('401\n');
      return;
    }
    const { authorization = null, cookie = null } = req.headers;
    const body = JSON.stringify({ path: req.url, authorization, cookie, length });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }
  await Promise.all([a.start(), b.start(), new Promise<void>((r) => plain.listen(0, '127.0.0.1', r))]);
  const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  return {
    a,
    b,
    plain,
    plainUrl,
    plainRequests,
    sockets,
    async stop() {
      plain.closeAllConnections();
      await Promise.all([a.stop(), b.stop(), new Promise((r) => plain.close(r))]);
    },
  };
}

/** The mappings most tests use: m1 → a (/one), m1/deep → b, m2 → b, plain and / → the plain back end. */
export function standardMappings(backends: Backends): GatewayMapping[] {
  return [
    { name: 'm1', path: '/m1', backend: `${backends.a.url}/one/`, ntlm: true },
    { name: 'deep', path: '/m1/deep/', backend: `${backends.b.url}/deep`, ntlm: true },
    { name: 'm2', path: '/m2', backend: backends.b.url, ntlm: true },
    { name: 'plain', path: '/plain', backend: `${backends.plainUrl}/p` },
    { name: 'root', path: '/', backend: backends.plainUrl },
  ];
}

export interface Scene {
  backends: Backends;
  gateway: AirlockDevGateway;
  url: string;
  logs: string[];
  browser(): Browser;
  stop(): Promise<void>;
}

export async function startScene(options: Partial<AirlockDevGatewayOptions> = {}, backends?: Backends): Promise<Scene> {
  const own = !backends;
  const b = backends ?? (await startBackends());
  const logs: string[] = [];
  const gateway = createAirlockDevGateway({
    mappings: standardMappings(b),
    log: (line) => logs.push(line),
    ...options,
  });
  const url = await gateway.start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    backends: b,
    gateway,
    url,
    logs,
    browser: () => new Browser(url, agent),
    async stop() {
      agent.destroy();
      await gateway.stop();
      if (own) await b.stop();
    },
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The Set-Cookie values this response carried. */
  setCookie: string[];
  body: Buffer;
  /** The back end's JSON echo of the request, which the tests read field by field. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- its fields differ by back end and route
  json(): any;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** Cookies the back end is asked to set (it reads them from `x-set-cookie`). */
  backendSets?: string[];
  body?: Buffer | string | NodeJS.ReadableStream;
}

/** A browser: keeps the cookies the gateway sets (name → value) and sends them back. */
export class Browser {
  readonly jar = new Map<string, string>();
  constructor(
    private readonly base: string,
    private readonly agent: http.Agent,
  ) {}

  request(path: string, init: RequestInit = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie && !headers.cookie) headers.cookie = cookie;
    if (init.backendSets) headers['x-set-cookie'] = JSON.stringify(init.backendSets);
    if (typeof init.body === 'string' || Buffer.isBuffer(init.body))
      headers['content-length'] = String(Buffer.byteLength(init.body));
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(this.base);
      // The path exactly as given (a URL would remove dot segments).
      const options = { hostname, port, path, method: init.method ?? 'GET', headers, agent: this.agent };
      const req = http.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          for (const c of setCookie) {
            const pair = c.split(';')[0]!;
            this.jar.set(pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim());
          }
          const body = Buffer.concat(chunks);
          const json = () => JSON.parse(body.toString('utf8'));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, setCookie, body, json });
        });
      });
      req.on('error', reject);
      const body = init.body;
      if (body && typeof (body as NodeJS.ReadableStream).pipe === 'function') (body as NodeJS.ReadableStream).pipe(req);
      else req.end(body as Buffer | string | undefined);
    });
  }

  /** Plays the login application: a back end of `path` (default the plain one) sets these cookies. */
  login(cookies: string | string[], path = '/plain/login'): Promise<Reply> {
    return this.request(path, { method: 'POST', backendSets: [cookies].flat() });
  }

  /** Who the NTLM back end behind `path` authenticated: the user, `refused: …`, or null (no credentials were sent). */
  async who(path: string): Promise<string | null> {
    const reply = await this.request(path);
    if (reply.status === 401) {
      const outcome = reply.headers['x-ntlm-outcome'];
      return typeof outcome === 'string' ? `refused: ${JSON.parse(outcome).reason}` : null;
    }
    if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.body.toString('utf8').slice(0, 200)}`);
    return reply.json().user;
  }
}
