// Appending the control cookie to a response without clobbering other Set-Cookie headers.
import { NtlmError } from '@ntlmkit/core';
import type { ControlCommand } from './commands.js';
import { controlCookie, type CookieOptions } from './cookie.js';

/** Node's ServerResponse and Express's res (getHeader/setHeader). */
interface NodeLike {
  getHeader(name: string): unknown;
  setHeader(name: string, value: string | string[]): unknown;
}
/** Fastify's reply: `header('set-cookie', v)` appends. */
interface FastifyLike {
  header(name: string, value: string): unknown;
}

export type ResponseLike = NodeLike | FastifyLike;

export function appendSetCookie(res: ResponseLike, value: string): void {
  if (typeof (res as NodeLike).setHeader === 'function' && typeof (res as NodeLike).getHeader === 'function') {
    const node = res as NodeLike;
    const previous = node.getHeader('set-cookie');
    const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
    node.setHeader('set-cookie', [...list, value]);
    return;
  }
  if (typeof (res as FastifyLike).header === 'function') {
    (res as FastifyLike).header('set-cookie', value);
    return;
  }
  throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'expected a Node ServerResponse, an Express response or a Fastify reply');
}

/** Builds the control cookie and appends it to the response; returns the header value. */
export function sendControlCookie(res: ResponseLike, commands: ControlCommand | ControlCommand[], options?: CookieOptions): string {
  const value = controlCookie(commands, options);
  appendSetCookie(res, value);
  return value;
}
