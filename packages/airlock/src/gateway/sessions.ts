// The gateway's sessions: one per browser, found by an unguessable id in the session cookie, forgotten
// after an idle time or when the table is full (least recently used first). A session holds the NTLM
// credentials the control cookies gave it, global and per mapping, under Airlock's rules.
import type { Credentials } from '@ntlmkit/core';
import type { CredentialDefinition } from '../commands.js';
import { isClear, mappingOf } from '../commands.js';
import { own, type Bag } from '../checks.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** 32 random bytes, base64url: 43 characters. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** One NTLM identity of a session: the password stays in a private field, prints as the user. */
export class NtlmUser {
  /** `DOMAIN\user` or `user`, for logs. */
  readonly name: string;
  readonly #credentials: Credentials;

  constructor(definition: CredentialDefinition) {
    const bag = definition as unknown as Bag;
    const username = own(bag, 'username') as string;
    const domain = own(bag, 'domain') as string | undefined;
    const password = own(bag, 'password') as string;
    this.#credentials = Object.freeze({ username, password, ...(domain !== undefined ? { domain } : {}) });
    this.name = domain === undefined ? username : `${domain}\\${username}`;
  }

  get credentials(): Credentials {
    return this.#credentials;
  }

  toJSON(): { user: string } {
    return { user: this.name };
  }

  [INSPECT](): string {
    return `NtlmUser ${JSON.stringify(this.name)}`;
  }
}

export class GatewaySession {
  lastUsed: number;
  auditToken: string | undefined;
  #global: NtlmUser | undefined;
  readonly #scoped = new Map<string, NtlmUser>();

  /** `label` names the session in logs (the id is a secret). */
  constructor(
    readonly label: number,
    now: number,
  ) {
    this.lastUsed = now;
  }

  /** The credentials for a request to `mapping`: the mapping-specific ones, else the global ones. */
  credentialsFor(mapping: string): NtlmUser | undefined {
    return this.#scoped.get(mapping) ?? this.#global;
  }

  /**
   * Applies one HTTP_NTLM definition: global credentials replace the global ones and remove every
   * mapping-specific definition; mapping-specific ones replace that mapping's; the empty definition
   * removes all the session's NTLM credentials, and `@mapping` alone removes that mapping's own
   * (the mapping then uses the global credentials, if any). Returns what changed, for the log.
   */
  apply(definition: CredentialDefinition): string {
    const mapping = mappingOf(definition);
    if (isClear(definition)) {
      if (mapping === undefined) {
        this.#global = undefined;
        this.#scoped.clear();
        return 'NTLM credentials removed';
      }
      this.#scoped.delete(mapping);
      const fallback = this.#global ? ` (it uses the global ${this.#global.name})` : '';
      return `NTLM credentials for ${mapping} removed${fallback}`;
    }
    const user = new NtlmUser(definition);
    if (mapping === undefined) {
      const dropped = this.#scoped.size;
      this.#global = user;
      this.#scoped.clear();
      return `global NTLM credentials ${user.name}${dropped ? ` (${dropped} mapping-specific removed)` : ''}`;
    }
    this.#scoped.set(mapping, user);
    return `NTLM credentials ${user.name} for ${mapping}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      session: this.label,
      ...(this.#global ? { global: this.#global.name } : {}),
      ...(this.#scoped.size ? { mappings: Object.fromEntries([...this.#scoped].map(([m, u]) => [m, u.name])) } : {}),
    };
  }

  [INSPECT](): string {
    return `GatewaySession ${JSON.stringify(this.toJSON())}`;
  }
}

export interface SessionLimits {
  maxSessions: number;
  idleTimeout: number;
  now: () => number;
  log: (line: string) => void;
}

/** The sessions by id, least recently used first (a Map keeps insertion order; a use moves one to the end). */
export class SessionStore {
  readonly #byId = new Map<string, GatewaySession>();
  readonly #limits: SessionLimits;
  #next = 1;

  constructor(limits: SessionLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The live session behind a cookie value, marked used; an unknown, malformed or idle one is none. */
  find(id: string | undefined): GatewaySession | undefined {
    const now = this.#limits.now();
    this.#expire(now);
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const session = this.#byId.get(id);
    if (!session) return undefined;
    this.#byId.delete(id);
    this.#byId.set(id, session);
    session.lastUsed = now;
    return session;
  }

  /** A new session with a fresh id (a caller's id is never adopted). */
  create(): { id: string; session: GatewaySession } {
    const now = this.#limits.now();
    this.#expire(now);
    while (this.#byId.size >= this.#limits.maxSessions) {
      const [oldId, oldest] = this.#byId.entries().next().value as [string, GatewaySession];
      this.#byId.delete(oldId);
      const limit = this.#limits.maxSessions;
      this.#limits.log(`session ${oldest.label} forgotten: ${limit} sessions is the limit (maxSessions)`);
    }
    const id = newId();
    const session = new GatewaySession(this.#next++, now);
    this.#byId.set(id, session);
    return { id, session };
  }

  clear(): void {
    this.#byId.clear();
  }

  /** Idle sessions are at the front: drop them until a live one. */
  #expire(now: number): void {
    for (const [id, session] of this.#byId) {
      if (now - session.lastUsed <= this.#limits.idleTimeout) return;
      this.#byId.delete(id);
      this.#limits.log(`session ${session.label} expired (idle for more than ${this.#limits.idleTimeout} ms)`);
    }
  }
}

function newId(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
