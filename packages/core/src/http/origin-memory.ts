// Which origins want NTLM, so that a new connection to them starts with NEGOTIATE (two round trips, not
// three), and which answered a NEGOTIATE without asking (so that `preemptive` stops sending them one).
import type { NtlmScheme } from './authenticate-header.js';

/** Origins (or proxies) known to want NTLM, and those that declined it; at most `limit` (default 1000), oldest out. */
export class OriginMemory {
  /** The scheme an origin asked for, or `null`: it answered our NEGOTIATE without a challenge. */
  private readonly origins = new Map<string, NtlmScheme | null>();

  constructor(private readonly limit = 1000) {}

  /** `origin` asked for NTLM under `scheme`: later requests start with the NEGOTIATE. */
  remember(origin: string, scheme: NtlmScheme): void {
    this.set(origin, scheme);
  }

  /** The scheme `origin` is known to want, if any. */
  scheme(origin: string): NtlmScheme | undefined {
    return this.origins.get(origin) ?? undefined;
  }

  /** `origin` answered a NEGOTIATE without asking for NTLM: no NEGOTIATE first any more, not even preemptively. */
  forget(origin: string): void {
    this.set(origin, null);
  }

  /** Whether `origin` answered a NEGOTIATE without asking (since it last asked). */
  declined(origin: string): boolean {
    return this.origins.get(origin) === null;
  }

  private set(origin: string, value: NtlmScheme | null): void {
    this.origins.delete(origin);
    this.origins.set(origin, value);
    if (this.origins.size > this.limit) this.origins.delete(this.origins.keys().next().value!);
  }
}
