// createAirlockDevGateway: a reverse proxy on loopback that behaves like Airlock Gateway towards NTLM back
// ends, for teams that write login applications. It keeps a session per browser, reads the AL_CONTROL
// cookies any back end sets (HTTP_NTLM), takes them out of the response, and authenticates to the back
// ends of NTLM mappings as the session's user, through one NtlmDispatcher shared by every session.
//
// Node built-ins and @ntlmkit/undici are loaded by start(): importing the package root (controlCookie and
// the rest) needs neither.
import type http from 'node:http';
import type { Readable } from 'node:stream';
import type { NtlmDispatcher } from '@ntlmkit/undici';
import { NtlmError, isNtlmError } from '@ntlmkit/core';
import { isClear, mappingOf, type CredentialDefinition } from '../commands.js';
import { parseControlCookie } from '../parse.js';
import { backendRequestHeaders, browserResponseHeaders, requestCookies } from './headers.js';
import {
  MappingTable,
  backendPath,
  checkOptions,
  type AirlockDevGatewayOptions,
  type CheckedOptions,
  type Mapping,
} from './options.js';
import { SessionStore, type GatewaySession } from './sessions.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

interface Runtime {
  http: typeof import('node:http');
  pipeline: typeof import('node:stream').pipeline;
  debug: (line: string) => void;
  NtlmDispatcher: typeof NtlmDispatcher;
}

/** What `gateway.stats` counts, now. */
export interface GatewayStats {
  /** Sessions held now. */
  sessions: number;
  /** Back-end connections open now (NTLM and plain). */
  connections: number;
}

async function loadUndici(): Promise<typeof import('@ntlmkit/undici')> {
  try {
    return await import('@ntlmkit/undici');
  } catch (cause) {
    const code = (cause as { code?: string } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause;
    throw new NtlmError(
      'ERR_NTLM_UNSUPPORTED',
      'the Airlock development gateway authenticates through @ntlmkit/undici: ' +
        'install it (npm install @ntlmkit/undici undici)',
      { cause },
    );
  }
}

async function loadRuntime(): Promise<Runtime> {
  const [http, stream, util, undici] = await Promise.all([
    import('node:http'),
    import('node:stream'),
    import('node:util'),
    loadUndici(),
  ]);
  return {
    http: http.default ?? http,
    pipeline: stream.pipeline,
    debug: util.debuglog('ntlm-gateway'),
    NtlmDispatcher: undici.NtlmDispatcher,
  };
}

/** A path with a `.` or `..` segment (raw or percent-encoded) is refused: Airlock normalises or denies them. */
function hasDotSegment(pathname: string): boolean {
  return pathname.split('/').some((segment) => {
    const s = segment.replace(/%2e/gi, '.');
    return s === '.' || s === '..';
  });
}

/** An error for the log and the 502: its code and message (ntlmkit's messages never hold a secret). */
function describe(error: unknown): string {
  if (isNtlmError(error)) return `${error.code}: ${error.message}`;
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  return typeof e?.message === 'string' ? `${code}: ${e.message}` : code;
}

/**
 * A development stand-in for Airlock Gateway: a reverse proxy on loopback that keeps a session per browser,
 * applies the HTTP_NTLM control cookies back ends set, and authenticates to NTLM back ends as the session's user.
 */
export class AirlockDevGateway {
  readonly #options: CheckedOptions;
  readonly #table: MappingTable;
  readonly #sessions: SessionStore;
  #runtime: Runtime | undefined;
  #server: http.Server | undefined;
  #dispatcher: NtlmDispatcher | undefined;
  #url = '';

  /** Checks the options (ERR_NTLM_AIRLOCK_INVALID_ARGUMENT); nothing listens until `start()`. */
  constructor(options: AirlockDevGatewayOptions) {
    this.#options = checkOptions(options);
    this.#table = new MappingTable(this.#options.mappings);
    this.#sessions = new SessionStore({
      maxSessions: this.#options.maxSessions,
      idleTimeout: this.#options.sessionIdleTimeout,
      now: this.#options.now,
      log: (line) => this.#log(line),
    });
  }

  /** `http://127.0.0.1:PORT` once started, '' before. */
  get url(): string {
    return this.#url;
  }

  /** Sessions held and back-end connections open, now. */
  get stats(): GatewayStats {
    return { sessions: this.#sessions.size, connections: this.#dispatcher?.connectionCount() ?? 0 };
  }

  /** Listens on `host` (default 127.0.0.1: loopback only) and `port` (default: one the system gives). */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.#server) throw new NtlmError('ERR_NTLM_WRONG_STATE', `the gateway is already listening on ${this.#url}`);
    const runtime = (this.#runtime ??= await loadRuntime());
    const o = this.#options;
    const origins = [...new Set(o.mappings.filter((m) => m.ntlm).map((m) => m.origin))];
    const dispatcher = new runtime.NtlmDispatcher({
      origins,
      // The gateway knows its NTLM back ends: the NEGOTIATE goes first, so a body is streamed once.
      preemptive: true,
      ...(o.maxConnections !== undefined ? { maxConnections: o.maxConnections } : {}),
      ...(o.connections !== undefined ? { connections: o.connections } : {}),
      ...(o.keepAliveTimeout !== undefined ? { keepAliveTimeout: o.keepAliveTimeout } : {}),
      ...(o.tls ? { connect: o.tls } : {}),
    });
    const server = runtime.http.createServer((req, res) => {
      this.#serve(req, res, dispatcher, runtime).catch((error: unknown) => this.#failed(res, error));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await dispatcher.destroy().catch(() => undefined);
      throw error;
    }
    const address = server.address() as { address: string; family: string; port: number };
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#server = server;
    this.#dispatcher = dispatcher;
    this.#url = `http://${shown}:${address.port}`;
    const table = this.#table.all.map((m) => `${m.path || '/'} → ${m.name}${m.ntlm ? ' (NTLM)' : ''}`);
    this.#log(`listening on ${this.#url}: ${table.join(', ')}`);
    return this.#url;
  }

  /** Closes the browser connections and the back-end connections, and forgets every session. */
  async stop(): Promise<void> {
    const server = this.#server;
    const dispatcher = this.#dispatcher;
    this.#server = undefined;
    this.#dispatcher = undefined;
    this.#url = '';
    this.#sessions.clear();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await dispatcher?.destroy().catch(() => undefined);
  }

  async #serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    root: NtlmDispatcher,
    runtime: Runtime,
  ): Promise<void> {
    const target = req.url ?? '';
    // Origin form only: an absolute-form target (a forward-proxy request) is not a path of this gateway.
    if (!target.startsWith('/')) return this.#refuse(res, 400, 'the request target must be a path');
    const q = target.indexOf('?');
    const pathname = q < 0 ? target : target.slice(0, q);
    const search = q < 0 ? '' : target.slice(q);
    if (hasDotSegment(pathname)) return this.#refuse(res, 400, "a path with a '.' or '..' segment is refused");
    const mapping = this.#table.match(pathname);
    if (!mapping) return this.#refuse(res, 404, 'no mapping for this path');

    let session: GatewaySession | undefined;
    for (const id of requestCookies(req.headers.cookie, this.#options.sessionCookieName)) {
      if ((session = this.#sessions.find(id))) break;
    }
    if (!session) this.#sessions.find(undefined); // idle sessions still expire
    const user = mapping.ntlm ? session?.credentialsFor(mapping.name) : undefined;
    const request = `${req.method} ${pathname} → ${mapping.name}`;
    const as = mapping.ntlm ? ` as ${user?.name ?? '(no NTLM credentials)'}` : '';
    const who = `${session ? this.#label(session) : 'no session'} ${request}`;

    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    let response: Awaited<ReturnType<NtlmDispatcher['request']>>;
    try {
      const dispatcher = user ? root.withCredentials(user.credentials) : root;
      response = await dispatcher.request({
        origin: mapping.origin,
        path: backendPath(mapping, pathname, search),
        method: req.method ?? 'GET',
        headers: backendRequestHeaders(req.headers, {
          sessionCookieName: this.#options.sessionCookieName,
          ntlm: mapping.ntlm,
          clientAddress: req.socket.remoteAddress,
        }),
        body: hasBody ? req : null,
        signal: abort.signal,
      });
    } catch (error) {
      if (abort.signal.aborted) return this.#log(`${who}${as}: the browser went away`);
      this.#log(`${who}${as}: ${describe(error)}`);
      return this.#refuse(res, 502, `the back end of ${mapping.name} could not be reached: ${describe(error)}`);
    }

    const { headers, control, withheld } = browserResponseHeaders(response.headers, {
      control: this.#options.controlCookieName,
      session: this.#options.sessionCookieName,
    });
    for (const name of withheld) {
      this.#log(`${who}: cookie ${name} from the back end withheld (reserved by the gateway), not applied`);
    }
    let created: string | undefined;
    for (const cookie of control) {
      const applied = this.#control(cookie, session, who);
      session = applied?.session ?? session;
      created = applied?.id ?? created;
    }
    if (created) {
      const own = `${this.#options.sessionCookieName}=${created}; Path=/; HttpOnly; SameSite=Lax`;
      headers['set-cookie'] = [...(headers['set-cookie'] ?? []), own];
    }
    const now = session ? `${this.#label(session)}${created ? ' (new)' : ''}` : 'no session';
    this.#log(`${now} ${request}${as}: ${response.statusCode}`);
    res.writeHead(response.statusCode, headers);
    runtime.pipeline(response.body as unknown as Readable, res, (error) => {
      if (error && !abort.signal.aborted) this.#log(`${who}: the response body broke off (${describe(error)})`);
    });
  }

  /**
   * Applies one control cookie to the browser's session (made when it stores something and there is none).
   * A cookie that does not parse is not applied at all. Returns the session it was applied to, and the id
   * of the session when it made it.
   */
  #control(
    cookie: string,
    session: GatewaySession | undefined,
    who: string,
  ): { session: GatewaySession; id?: string } | undefined {
    let parsed: ReturnType<typeof parseControlCookie>;
    try {
      parsed = parseControlCookie(cookie, { encoding: this.#options.encoding });
    } catch (error) {
      this.#log(`${who}: control cookie refused, nothing applied (${describe(error)})`);
      return undefined;
    }
    const definitions: CredentialDefinition[] = [];
    let audit: string | undefined;
    for (const command of parsed.commands) {
      if (command.command === 'HTTP_NTLM') definitions.push(...command.definitions);
      else if (command.command === 'AUDIT_TOKEN') audit = command.value;
      else this.#log(`${who}: control command ${command.command} is not modelled by the development gateway; ignored`);
    }
    for (const other of parsed.otherCommands) this.#log(`${who}: control command ${other.command} ignored`);
    const known = definitions.filter((d) => {
      const mapping = mappingOf(d);
      if (mapping === undefined || this.#table.named(mapping)) return true;
      this.#log(`${who}: HTTP_NTLM definition for ${mapping} ignored: no mapping has that name`);
      return false;
    });
    const stores = audit !== undefined || known.some((d) => !isClear(d));
    if (!session && !stores) return undefined;
    let target = session;
    let id: string | undefined;
    if (!target) {
      ({ id, session: target } = this.#sessions.create());
      this.#log(`session ${target.label} created`);
    }
    if (audit !== undefined) target.auditToken = audit;
    for (const definition of known) {
      const change = target.apply(definition);
      const mapping = mappingOf(definition);
      const inert = mapping !== undefined && !this.#table.named(mapping)!.ntlm;
      this.#log(`${this.#label(target)}: ${change}${inert ? ` (${mapping} does not propagate NTLM)` : ''}`);
    }
    return id === undefined ? { session: target } : { session: target, id };
  }

  #label(session: GatewaySession): string {
    return `session ${session.label}${session.auditToken !== undefined ? ` [${session.auditToken}]` : ''}`;
  }

  #refuse(res: http.ServerResponse, status: number, message: string): void {
    const body = `${message}\n`;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  #failed(res: http.ServerResponse, error: unknown): void {
    this.#log(`gateway error: ${describe(error)}`);
    if (!res.headersSent) this.#refuse(res, 500, 'the gateway failed');
    else res.destroy();
  }

  #log(line: string): void {
    this.#runtime?.debug(line);
    this.#options.log?.(line);
  }

  /** `{ url, mappings, sessions }`: the number of sessions, nothing of them. */
  toJSON(): Record<string, unknown> {
    return {
      url: this.#url,
      mappings: this.#table.all.map((m: Mapping) => ({
        name: m.name,
        path: m.path || '/',
        backend: `${m.origin}${m.base || '/'}`,
        ntlm: m.ntlm,
      })),
      sessions: this.#sessions.size,
    };
  }

  /** What `util.inspect` shows: `toJSON()`. */
  [INSPECT](): string {
    return `AirlockDevGateway ${JSON.stringify(this.toJSON())}`;
  }
}

/** A development gateway that honours HTTP_NTLM control cookies (see the package README). */
export function createAirlockDevGateway(options: AirlockDevGatewayOptions): AirlockDevGateway {
  return new AirlockDevGateway(options);
}
