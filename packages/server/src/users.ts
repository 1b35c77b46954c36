// The user table: `DOMAIN\user`, `user@domain` or a bare `user` (any domain) → password or NT hash.
import { NtlmError, ntowfv1, parseNtHash } from '@ntlmkit/core';

/** `DOMAIN\user`, `user@domain` or a bare `user` (any domain) → a password, `{ password }` or `{ ntHash }`. */
export type UserTable = Record<string, string | { password: string } | { ntHash: string | Uint8Array }>;

/** One user of a `Users` table. */
export interface UserEntry {
  /** The name as written in the table, reported as the authenticated user. */
  name: string;
  /** The NT hash (NTOWFv1), from the password or as given. */
  ntHash: Uint8Array;
  /** The password, when the table gave one (the acceptor checks only NT responses, never reads it). */
  password?: string;
}

/** The user table an acceptor checks against; names match case-insensitively. */
export class Users {
  private readonly byKey = new Map<string, UserEntry>();

  /** A malformed table or NT hash is an NtlmError (ERR_NTLM_INVALID_ARGUMENT). */
  constructor(table: UserTable) {
    if (typeof table !== 'object' || table === null) {
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'users must be an object of name → secret');
    }
    for (const [name, secret] of Object.entries(table)) {
      if (typeof secret !== 'string' && (typeof secret !== 'object' || secret === null)) {
        throw new NtlmError(
          'ERR_NTLM_INVALID_ARGUMENT',
          'each user needs a password string, { password } or { ntHash }',
        );
      }
      const entry: UserEntry =
        typeof secret === 'string'
          ? { name, ntHash: ntowfv1(secret), password: secret }
          : 'password' in secret
            ? { name, ntHash: ntowfv1(secret.password), password: secret.password }
            : { name, ntHash: parseNtHash(secret.ntHash) };
      this.byKey.set(name.toLowerCase(), entry);
    }
  }

  /** Windows matches user and domain names case-insensitively; the hash input stays as the client sent it. */
  find(user: string, domain: string): UserEntry | undefined {
    const u = user.toLowerCase();
    const d = domain.toLowerCase();
    if (d) return this.byKey.get(`${d}\\${u}`) ?? this.byKey.get(u);
    return this.byKey.get(u) ?? (u.includes('@') ? this.byUpn(u) : undefined);
  }

  /** `alice@example.com` also finds `EXAMPLE\alice` (the first label of the UPN suffix). */
  private byUpn(upn: string): UserEntry | undefined {
    const [user, suffix] = upn.split('@') as [string, string];
    return this.byKey.get(`${suffix.split('.')[0]}\\${user}`);
  }
}
