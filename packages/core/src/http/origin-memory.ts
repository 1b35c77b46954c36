// Which origins want NTLM, so that a new connection to them starts with NEGOTIATE (two round trips, not three).
import type { NtlmScheme } from './authenticate-header.js';

export class OriginMemory {
  private readonly origins = new Map<string, NtlmScheme>();

  constructor(private readonly limit = 1000) {}

  remember(origin: string, scheme: NtlmScheme): void {
    this.origins.delete(origin);
    this.origins.set(origin, scheme);
    if (this.origins.size > this.limit) this.origins.delete(this.origins.keys().next().value!);
  }

  scheme(origin: string): NtlmScheme | undefined {
    return this.origins.get(origin);
  }

  forget(origin: string): void {
    this.origins.delete(origin);
  }
}
