// Request bodies: which can be sent again, and how a stream to an unknown origin is made replayable
// within a bound (never buffered without one).
import { NtlmError } from '@ntlmkit/core';

export type BodyInit = string | Uint8Array | null | undefined | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | NodeJS.ReadableStream;

export function isReplayable(body: unknown): boolean {
  return body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

function isAsyncIterable(body: unknown): body is AsyncIterable<Uint8Array | string> {
  return body !== null && typeof body === 'object' && Symbol.asyncIterator in (body as object);
}

/**
 * Reads up to `max` bytes of a stream body. If it ends within the bound, returns a Buffer (replayable);
 * otherwise returns an async iterable that yields what was read and then the rest (sent once).
 */
export async function bufferWithin(body: unknown, max: number): Promise<{ body: unknown; replayable: boolean }> {
  if (isReplayable(body)) return { body, replayable: true };
  if (!isAsyncIterable(body)) {
    if (typeof (body as Iterable<unknown>)?.[Symbol.iterator] === 'function') {
      const parts = Array.from(body as Iterable<Uint8Array | string>, (p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)));
      return { body: Buffer.concat(parts), replayable: true };
    }
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'unsupported request body type');
  }
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) return { body: Buffer.concat(head), replayable: true };
    const chunk = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    head.push(chunk);
    size += chunk.length;
    if (size > max) break;
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* head;
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return;
      yield typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
    }
  }
  return { body: rest(), replayable: false };
}
