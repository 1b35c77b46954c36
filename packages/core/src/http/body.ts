// A streamed request body sent to an origin not yet known to want NTLM may have to be sent twice.
// It is read ahead up to a bound: within it, it becomes bytes that can be replayed; beyond it, it is
// sent once as it comes (and a second send is refused with a clear error). Never buffered without a bound.

export type BufferedBody = { body: Uint8Array; replayable: true } | { body: AsyncIterable<Uint8Array>; replayable: false };

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

export async function bufferWithin(source: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<BufferedBody> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) {
      const body = new Uint8Array(size);
      let offset = 0;
      for (const chunk of head) {
        body.set(chunk, offset);
        offset += chunk.length;
      }
      return { body, replayable: true };
    }
    const chunk = toBytes(value);
    head.push(chunk);
    size += chunk.length;
    if (size > maxBytes) break;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* head;
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return;
      yield toBytes(value);
    }
  }
  return { body: rest(), replayable: false };
}
