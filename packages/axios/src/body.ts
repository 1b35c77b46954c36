// axios request bodies after transformRequest: which can be sent again, and bounded buffering of a
// stream to an origin not yet known to want NTLM.
import { Readable } from 'node:stream';
import { bufferWithin } from '@ntlmkit/core/http';

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

/** A stream read ahead within `max` bytes: a Buffer when it fits (replayable), else a stream sent once. */
export async function bufferStreamWithin(stream: Readable, max: number): Promise<{ data: unknown; replayable: boolean }> {
  const read = await bufferWithin(stream, max);
  return read.replayable ? { data: Buffer.from(read.body), replayable: true } : { data: Readable.from(read.body), replayable: false };
}
