// Faults that real servers and networks produce, shared by the server and the proxy: a short
// keep-alive hint, idle connections closed without one, and responses that never arrive or stop in the
// middle of the body after the request was processed. Each works through ServerResponse's public API.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { NtlmError } from '@ntlmkit/core';

/** Checks that each named option, when given, is a whole number ≥ 0 (plain JavaScript callers too). */
export function checkCounts<T extends object>(options: T, names: readonly (keyof T & string)[], where: string): T {
  for (const name of names) {
    const value = options[name] as unknown;
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${where}.${name} must be a whole number ≥ 0`);
    }
  }
  return options;
}

/** Whether the headers given to `writeHead(status, [message], headers)` say `Connection: close`. */
function closesIn(args: unknown[]): boolean {
  const headers = args.find((a) => typeof a === 'object' && a !== null);
  if (!headers) return false;
  let pairs: [unknown, unknown][];
  if (Array.isArray(headers)) {
    const list: unknown[] = headers;
    pairs = Array.isArray(list[0])
      ? (list as [unknown, unknown][])
      : list.flatMap((v, i): [unknown, unknown][] => (i % 2 ? [] : [[v, list[i + 1]]]));
  } else {
    pairs = Object.entries(headers);
  }
  return pairs.some(([name, value]) => String(name).toLowerCase() === 'connection' && /close/i.test(String(value)));
}

/**
 * `Keep-Alive: timeout=<seconds>` on a response that keeps its connection (Node then sends
 * `Connection: keep-alive` beside it, and no Keep-Alive header of its own). A response that turns out to
 * close its connection (`Connection: close`, set before or in `writeHead`) goes without it.
 */
export function hintKeepAlive(res: ServerResponse, seconds: number): void {
  if (!res.shouldKeepAlive) return;
  res.setHeader('Keep-Alive', `timeout=${seconds}`);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to the response's own `this` below
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (/close/i.test(String(res.getHeader('connection') ?? '')) || closesIn(args)) res.removeHeader('Keep-Alive');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  };
}

interface Watch {
  busy: number;
  /** `socket.bytesRead` when the idle period began: more means a request is arriving. */
  bytes: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** Closes a connection that has been idle for `ms`: no request in progress and no byte arriving. */
export class IdleCloser {
  private readonly watches = new WeakMap<Socket, Watch>();

  constructor(private readonly ms: number) {}

  /** Watches a new connection (idle until its first request). */
  watch(socket: Socket): void {
    const watch: Watch = { busy: 0, bytes: 0 };
    this.watches.set(socket, watch);
    socket.once('close', () => clearTimeout(watch.timer));
    this.arm(socket, watch);
  }

  /**
   * Watches a TLS connection before its handshake: closed if it sends nothing at all for `ms` (the TLS
   * socket is watched with `watch` once the handshake is done).
   */
  watchOpening(socket: Socket): void {
    const timer = setTimeout(() => socket.bytesRead === 0 && socket.destroy(), this.ms);
    socket.once('close', () => clearTimeout(timer));
  }

  /** A request is in progress on `socket` until the returned function is called. */
  busy(socket: Socket): () => void {
    const watch = this.watches.get(socket);
    if (!watch) return () => {};
    watch.busy++;
    clearTimeout(watch.timer);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--watch.busy === 0 && !socket.destroyed) this.arm(socket, watch);
    };
  }

  private arm(socket: Socket, watch: Watch): void {
    clearTimeout(watch.timer);
    watch.bytes = socket.bytesRead;
    watch.timer = setTimeout(() => {
      if (watch.busy > 0) return;
      if (socket.bytesRead !== watch.bytes) return this.arm(socket, watch); // a request is on its way in
      socket.destroy();
    }, this.ms);
  }
}

type Callback = (error?: Error | null) => void;

/** The chunk and callback of a `write(chunk, encoding?, cb?)` or `end(chunk?, encoding?, cb?)` call. */
function writeArgs(args: unknown[]): { chunk?: Buffer; callback?: Callback } {
  let [chunk, encoding, callback] = args;
  if (typeof chunk === 'function') [chunk, encoding, callback] = [undefined, undefined, chunk];
  if (typeof encoding === 'function') [encoding, callback] = [undefined, encoding];
  let bytes: Buffer | undefined;
  if (typeof chunk === 'string') bytes = Buffer.from(chunk, (encoding as BufferEncoding | undefined) ?? 'utf8');
  else if (chunk instanceof Uint8Array) bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return { chunk: bytes, callback: typeof callback === 'function' ? (callback as Callback) : undefined };
}

/**
 * The response is never sent: whatever the handler writes is discarded, and the connection is destroyed
 * when the handler ends its response (the request was processed; the client sees the connection drop).
 */
export function dropResponse(res: ServerResponse, socket: Socket): void {
  res.writeHead = () => res;
  res.write = ((...args: unknown[]) => {
    const { callback } = writeArgs(args);
    if (callback) process.nextTick(callback);
    return true;
  }) as ServerResponse['write'];
  res.end = (() => {
    socket.destroy();
    return res;
  }) as ServerResponse['end'];
}

/**
 * The status line, the headers and the first half of the body are sent (fewer bytes than the body has,
 * so the client always sees it cut), then the connection is destroyed. The body is collected until the
 * handler ends the response. A response without a body (HEAD, 204, 304, or nothing written) has nothing
 * to cut: it is sent whole and the connection destroyed right after it.
 */
export function cutResponse(res: ServerResponse, socket: Socket, method: string | undefined): void {
  const write = res.write.bind(res) as (chunk: Buffer | string, callback: Callback) => boolean;
  const end = res.end.bind(res) as () => ServerResponse;
  const chunks: Buffer[] = [];
  let ended = false;
  res.write = ((...args: unknown[]) => {
    const { chunk, callback } = writeArgs(args);
    if (chunk && !ended) chunks.push(chunk);
    if (callback) process.nextTick(callback);
    return true;
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    if (ended) return res;
    ended = true;
    const { chunk } = writeArgs(args);
    if (chunk) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const hasBody = method !== 'HEAD' && res.statusCode >= 200 && res.statusCode !== 204 && res.statusCode !== 304;
    if (!hasBody || body.length === 0) {
      res.once('finish', () => socket.destroy());
      end();
    } else {
      const kept = Math.floor(body.length / 2);
      // Destroyed once the head and the kept bytes are handed to the socket, so that they reach the client.
      write(kept > 0 ? body.subarray(0, kept) : '', () => socket.destroy());
    }
    return res;
  }) as ServerResponse['end'];
}
