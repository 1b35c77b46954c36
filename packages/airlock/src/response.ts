// Appending the control cookie to a response without clobbering other Set-Cookie headers.
import type { ControlCommand } from './commands.js';
import { controlCookie, type CookieOptions } from './cookie.js';
import { headersSent, invalidArgument, typeOf } from './errors.js';

/** Node's ServerResponse and Express's res (getHeader/setHeader). */
interface NodeLike {
  getHeader(name: string): unknown;
  setHeader(name: string, value: string | string[]): unknown;
  readonly headersSent?: boolean;
}
/** Fastify's reply: `header('set-cookie', v)` appends. */
interface FastifyLike {
  header(name: string, value: string): unknown;
  readonly sent?: boolean;
  readonly raw?: { readonly headersSent?: boolean };
}

/** A Node ServerResponse, an Express `res` or a Fastify `reply`. */
export type ResponseLike = NodeLike | FastifyLike;

// What Node accepts in a header value, narrowed to ASCII: a Set-Cookie header is ASCII.
const HEADER_VALUE = /^[\t\x20-\x7e]+$/;

function kind(res: unknown): 'node' | 'fastify' {
  if (typeof res === 'object' && res !== null) {
    const r = res as Record<string, unknown>;
    if (typeof r.setHeader === 'function' && typeof r.getHeader === 'function') return 'node';
    if (typeof r.header === 'function') return 'fastify';
  }
  throw invalidArgument(`expected a Node ServerResponse, an Express response or a Fastify reply, not ${typeOf(res)}`);
}

function checkNotSent(res: ResponseLike, type: 'node' | 'fastify'): void {
  const sent =
    type === 'node'
      ? (res as NodeLike).headersSent === true
      : (res as FastifyLike).sent === true || (res as FastifyLike).raw?.headersSent === true;
  if (sent) throw headersSent();
}

/**
 * Appends a Set-Cookie header (printable ASCII) to the response, keeping the others; the headers must not have
 * been sent (ERR_NTLM_AIRLOCK_HEADERS_SENT).
 */
export function appendSetCookie(res: ResponseLike, value: string): void {
  const type = kind(res);
  if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
    throw invalidArgument('the Set-Cookie value must be a non-empty string of printable ASCII (no CR, LF or controls)');
  }
  checkNotSent(res, type);
  if (type === 'node') {
    const node = res as NodeLike;
    // What Node's getHeader returns (Express's res is Node's).
    const previous = node.getHeader('set-cookie') as number | string | string[] | undefined;
    const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
    node.setHeader('set-cookie', [...list, value]);
    return;
  }
  (res as FastifyLike).header('set-cookie', value);
}

/** Builds the control cookie and appends it to the response; returns the header value. */
export function sendControlCookie(
  res: ResponseLike,
  commands: ControlCommand | readonly ControlCommand[],
  options?: CookieOptions,
): string {
  checkNotSent(res, kind(res));
  const value = controlCookie(commands, options);
  appendSetCookie(res, value);
  return value;
}
