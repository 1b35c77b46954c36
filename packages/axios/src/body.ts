// axios request bodies after transformRequest: which can be sent again, and bounded buffering of a
// stream to an origin not yet known to want NTLM.
import { Readable } from 'node:stream';

export function isStream(data: unknown): data is Readable {
  return data !== null && typeof data === 'object' && typeof (data as Readable).pipe === 'function';
}

/** Strings, buffers, typed arrays, URLSearchParams, FormData and Blobs are read afresh on every send. */
export function isReplayable(data: unknown): boolean {
  return !isStream(data);
}

export function hasBody(data: unknown): boolean {
  return data !== undefined && data !== null && data !== '';
}

export async function bufferStreamWithin(stream: Readable, max: number): Promise<{ data: unknown; replayable: boolean }> {
  const iterator = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) return { data: Buffer.concat(head), replayable: true };
    const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value);
    head.push(chunk);
    size += chunk.length;
    if (size > max) break;
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* head;
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return;
      yield Buffer.isBuffer(value) ? value : Buffer.from(value);
    }
  }
  return { data: Readable.from(rest()), replayable: false };
}
