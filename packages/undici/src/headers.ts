// undici passes request headers as an object, a flat [name, value, …] array or pairs; legs need to
// replace a few of them, so we work on a flat array.

export type HeaderInput = Record<string, string | string[] | undefined> | (string | Buffer)[] | Iterable<[string, string]> | null | undefined;

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
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const item of ([] as string[]).concat(v)) out.push(k, String(item));
  }
  return out;
}

export function withoutHeaders(flat: string[], names: string[]): string[] {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  const out: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) if (!drop.has(flat[i]!.toLowerCase())) out.push(flat[i]!, flat[i + 1]!);
  return out;
}

export function headerValues(headers: Record<string, string | string[] | undefined>, name: string): string[] {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return v === undefined ? [] : ([] as string[]).concat(v);
}
