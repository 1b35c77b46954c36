// Request bodies as the handshake sees them: is there one, and can it be sent again? Bytes, strings, Blobs,
// URLSearchParams and FormData are read afresh for every send; streams and iterators are consumed once. A
// stream to an origin not yet known to want NTLM is read ahead up to a bound so that it can go twice;
// beyond the bound it goes once as it comes (a second send is then refused with a clear error).

/** What the handshake needs to know of a request body. */
export interface BodyFacts {
  /** The request has a body (a zero-length one counts as none). */
  present: boolean;
  /** The body can be sent again. */
  replayable: boolean;
}

const NONE: BodyFacts = { present: false, replayable: true };
const BYTES: BodyFacts = { present: true, replayable: true };
const ONCE: BodyFacts = { present: true, replayable: false };

function isStreamLike(body: object): boolean {
  return (
    typeof (body as { pipe?: unknown }).pipe === 'function' ||
    typeof (body as { getReader?: unknown }).getReader === 'function' ||
    Symbol.asyncIterator in body
  );
}

/** What the handshake needs to know of a body given to undici, fetch or axios's http adapter. */
export function bodyFacts(body: unknown): BodyFacts {
  if (body === null || body === undefined) return NONE;
  if (typeof body === 'string') return body.length ? BYTES : NONE;
  if (body instanceof Uint8Array || ArrayBuffer.isView(body)) return body.byteLength ? BYTES : NONE;
  if (body instanceof ArrayBuffer) return body.byteLength ? BYTES : NONE;
  if (typeof body !== 'object') return BYTES;
  if (isStreamLike(body)) return ONCE;
  // Blob, URLSearchParams, FormData: serialised anew for every send. Arrays of chunks can be iterated again.
  if (Array.isArray(body)) return body.length ? BYTES : NONE;
  if (typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function' && !isReiterable(body)) return ONCE;
  return BYTES;
}

/** FormData and URLSearchParams are iterable but read afresh; a generator is iterable once. */
function isReiterable(body: object): boolean {
  const tag = Object.prototype.toString.call(body);
  return (
    tag === '[object FormData]' ||
    tag === '[object URLSearchParams]' ||
    tag === '[object Map]' ||
    tag === '[object Set]'
  );
}

/** What `bufferWithin` read: the whole body as bytes, or a stream of it that can be sent once. */
export type BufferedBody =
  /** The whole body: it fitted within the bound. */
  | { body: Uint8Array; replayable: true }
  /** The chunks read ahead and the rest of the source: larger than the bound. */
  | { body: AsyncIterable<Uint8Array>; replayable: false };

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

/** Reads `source` ahead up to `maxBytes`: all of it as bytes when it fits, else a stream that sends it once. */
export async function bufferWithin(
  source: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
): Promise<BufferedBody> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      const body = new Uint8Array(size);
      let offset = 0;
      for (const chunk of head) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      return { body, replayable: true };
    }
    const chunk = toBytes(next.value);
    head.push(chunk);
    size += chunk.length;
    if (size > maxBytes) break;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield toBytes(next.value);
    }
  }
  return { body: rest(), replayable: false };
}
