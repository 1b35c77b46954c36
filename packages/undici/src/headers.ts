// Request headers as undici takes them (an object, a flat [name, value, …] array, or pairs); a handshake
// leg adds its Authorization and, without the body, says `Content-Length: 0`.

export type HeaderInput =
  Record<string, string | string[] | undefined> | (string | Buffer)[] | Iterable<[string, string]> | null | undefined;

/** [name, value, …], values as strings. */
export function flattenHeaders(headers: HeaderInput): string[] {
  const out: string[] = [];
  if (!headers) return out;
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) {
      for (const [k, v] of headers as unknown as [string, string][]) out.push(String(k), String(v));
    } else {
      for (const item of headers) out.push(String(item));
    }
    return out;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) out.push(String(k), String(v));
    return out;
  }
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (v === undefined) continue;
    for (const item of ([] as string[]).concat(v)) out.push(k, String(item));
  }
  return out;
}

/** Whether the caller's headers have `name` (lower case), without copying them (every request asks). */
export function hasHeader(headers: HeaderInput, name: string): boolean {
  if (!headers) return false;
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0]))
      return (headers as unknown as [string, string][]).some(([k]) => String(k).toLowerCase() === name);
    for (let i = 0; i < headers.length; i += 2) {
      const key = headers[i]!;
      if (key.length === name.length && key.toString().toLowerCase() === name) return true;
    }
    return false;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k] of headers as Iterable<[string, string]>) if (String(k).toLowerCase() === name) return true;
    return false;
  }
  for (const key in headers) {
    if (
      key.length === name.length &&
      key.toLowerCase() === name &&
      (headers as Record<string, unknown>)[key] !== undefined
    )
      return true;
  }
  return false;
}

const BODY_HEADERS = new Set(['content-length', 'transfer-encoding', 'expect']);

/** The headers of a leg: the caller's, with `add` replacing headers of the same names; bodiless: Content-Length 0. */
export function withLegHeaders(
  headers: HeaderInput,
  add: Readonly<Record<string, string>>,
  bodiless: boolean,
): string[] {
  const flat = flattenHeaders(headers);
  const out: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    if (Object.prototype.hasOwnProperty.call(add, name) || (bodiless && BODY_HEADERS.has(name))) continue;
    out.push(flat[i]!, flat[i + 1]!);
  }
  for (const [name, value] of Object.entries(add)) out.push(name, value);
  if (bodiless) out.push('content-length', '0');
  return out;
}

/** The caller's headers with these replaced (a forward proxy's Host and Proxy-Connection). */
export function replaceHeaders(headers: HeaderInput, replace: Readonly<Record<string, string>>): string[] {
  return withLegHeaders(headers, replace, false);
}
