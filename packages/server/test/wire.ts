// Plain node:http (and raw TCP) clients for the fault tests: what a request got, whole or cut.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { buildAuthenticateMessage, createNegotiateMessage, fromBase64, toBase64 } from '@ntlmkit/core';

/** An agent that keeps every socket whatever the server's Keep-Alive hint says (Node's drops it at ≤ 1 s). */
export class PinnedAgent extends http.Agent {
  constructor() {
    super({ keepAlive: true, maxSockets: 1 });
  }
  override keepSocketAlive(): boolean {
    return true;
  }
}
export class PinnedHttpsAgent extends https.Agent {
  constructor() {
    super({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  }
  override keepSocketAlive(): boolean {
    return true;
  }
}

export interface Exchange {
  status?: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** The whole response arrived. */
  complete: boolean;
  error?: NodeJS.ErrnoException;
  localPort?: number;
}

export interface ExchangeOptions {
  agent?: http.Agent;
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Request path sent as is (absolute-form through a proxy). */
  path?: string;
}

/** One request; resolves with whatever arrived, and the error if the connection failed. */
export function exchange(url: string, o: ExchangeOptions = {}): Promise<Exchange> {
  const lib = url.startsWith('https:') ? https : http;
  const target = new URL(url);
  return new Promise((resolve) => {
    const got: Exchange = { headers: {}, rawHeaders: [], body: Buffer.alloc(0), complete: false };
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      got.body = Buffer.concat(chunks);
      if (error) got.error = error;
      resolve(got);
    };
    const headers = { ...o.headers, ...(o.body !== undefined ? { 'content-length': Buffer.byteLength(o.body) } : {}) };
    const req = lib.request(
      {
        host: target.hostname,
        port: target.port,
        path: o.path ?? `${target.pathname}${target.search}`,
        method: o.method ?? 'GET',
        headers,
        agent: o.agent,
        rejectUnauthorized: false,
      },
      (res) => {
        got.status = res.statusCode;
        got.headers = res.headers;
        got.rawHeaders = res.rawHeaders;
        got.localPort = res.socket.localPort;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', settle);
        res.on('end', () => {
          got.complete = res.complete;
          settle();
        });
        res.on('close', () =>
          settle(res.complete ? undefined : Object.assign(new Error('response cut'), { code: 'ECUT' })),
        );
      },
    );
    req.on('error', settle);
    req.end(o.body);
  });
}

/** The values of header `name` as sent, one per line. */
export function rawValues(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name.toLowerCase()) out.push(raw[i + 1]!);
  return out;
}

/**
 * NEGOTIATE then AUTHENTICATE on the agent's socket; the AUTHENTICATE leg carries `last` (method and body).
 * Returns the three legs: the NEGOTIATE's reply (the CHALLENGE) and the AUTHENTICATE's.
 */
export async function handshake(
  url: string,
  agent: http.Agent,
  credentials: { username: string; password: string },
  last: ExchangeOptions = {},
  header: 'authorization' | 'proxy-authorization' = 'authorization',
): Promise<{ challenge: Exchange; final: Exchange }> {
  const negotiate = createNegotiateMessage();
  const first = {
    ...last,
    body: undefined,
    method: 'GET',
    agent,
    headers: { [header]: `NTLM ${toBase64(negotiate)}` },
  };
  const challenge = await exchange(url, first);
  const line = String(challenge.headers[header === 'authorization' ? 'www-authenticate' : 'proxy-authenticate']);
  const token = fromBase64(line.split(' ')[1]!);
  const m = buildAuthenticateMessage({ negotiate, challenge: token, ...credentials }).message;
  const final = await exchange(url, { ...last, agent, headers: { ...last.headers, [header]: `NTLM ${toBase64(m)}` } });
  return { challenge, final };
}

/** A raw TCP connection: what it received and when it closed. */
export function rawConnection(
  url: string,
): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      const opened = Date.now();
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('error', () => {});
      const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - opened)));
      resolve({ socket, received: () => Buffer.concat(chunks), closed });
    });
    socket.once('error', reject);
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const users = { 'EXAMPLE\\alice': 'Passw0rd!' };
export const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };

/** Registers an afterEach that stops the servers and proxies and destroys the agents a test made. */
export function stopAfterEach(): {
  keep<T extends { stop(): Promise<void> }>(s: T): T;
  agent<A extends http.Agent>(a: A): A;
} {
  const started: { stop(): Promise<void> }[] = [];
  const agents: http.Agent[] = [];
  afterEach(async () => {
    agents.splice(0).forEach((a) => a.destroy());
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });
  return {
    keep: (s) => (started.push(s), s),
    agent: (a) => (agents.push(a), a),
  };
}
