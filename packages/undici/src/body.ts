// Request bodies: which can be sent again, and how a stream to an unknown origin is made replayable
// within a bound (never buffered without one).
import { NtlmError } from '@ntlmkit/core';
import { bufferWithin as readAhead } from '@ntlmkit/core/http';

export type BodyInit = string | Uint8Array | null | undefined | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | NodeJS.ReadableStream;

export function isReplayable(body: unknown): boolean {
  return body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

function isAsyncIterable(body: unknown): body is AsyncIterable<Uint8Array | string> {
  return body !== null && typeof body === 'object' && Symbol.asyncIterator in (body as object);
}

/** Makes a body replayable within `max` bytes where it can (see bufferWithin in @ntlmkit/core/http). */
export async function bufferWithin(body: unknown, max: number): Promise<{ body: unknown; replayable: boolean }> {
  if (isReplayable(body)) return { body, replayable: true };
  if (isAsyncIterable(body)) return readAhead(body, max);
  if (typeof (body as Iterable<unknown>)?.[Symbol.iterator] === 'function') {
    const parts = Array.from(body as Iterable<Uint8Array | string>, (p) => Buffer.from(p as Uint8Array));
    return { body: Buffer.concat(parts), replayable: true };
  }
  throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'unsupported request body type');
}
