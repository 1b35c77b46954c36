// One credential set as the HTTP side uses it: copied when a client is made (later changes to the
// caller's object change nothing), keyed so that equal credentials share authenticated connections and
// different secrets never do, with the derived key material kept only while a connection needs it.
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf16le } from '../bytes.js';
import { PreparedCredentials, resolveCredentials, type Credentials } from '../credentials.js';
import { checkFieldLength } from '../arguments.js';
import { NtlmError } from '../errors.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A private copy of the caller's credentials: the fields NTLM uses, nothing else. */
function copyOf(credentials: Credentials): Credentials {
  if (!credentials || typeof credentials !== 'object') {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'credentials must be an object: { username, password | ntHash, domain?, workstation? }',
    );
  }
  const copy: Credentials = { username: credentials.username };
  if (credentials.password !== undefined) copy.password = credentials.password;
  if (credentials.ntHash !== undefined) {
    copy.ntHash = credentials.ntHash instanceof Uint8Array ? credentials.ntHash.slice() : credentials.ntHash;
  }
  if (credentials.domain !== undefined) copy.domain = credentials.domain;
  if (credentials.workstation !== undefined) copy.workstation = credentials.workstation;
  return copy;
}

/** A credential set as the HTTP side uses it: a private copy, keyed, printable without secrets. */
export class Identity {
  /** Equal for equal user, domain (case-insensitive) and secret; reveals none of them. */
  readonly key: string;
  /** The user name, without a `DOMAIN\` prefix. */
  readonly user: string;
  /** The domain (possibly empty). */
  readonly domain: string;
  readonly #credentials: Credentials;
  #prepared: PreparedCredentials | undefined;

  /** Copies and checks `credentials`; an NtlmError (ERR_NTLM_INVALID_ARGUMENT) when they cannot be used. */
  constructor(credentials: Credentials) {
    this.#credentials = copyOf(credentials);
    const resolved = resolveCredentials(this.#credentials);
    // Refused when the client is made rather than at its first handshake: each goes into a 16-bit field.
    checkFieldLength(resolved.user.length * 2, 'the user name');
    checkFieldLength(resolved.domain.length * 2, 'the domain');
    checkFieldLength(resolved.workstation.length * 2, 'the workstation');
    this.user = resolved.user;
    this.domain = resolved.domain;
    const who = utf16le(`${resolved.domain.toLowerCase()}\\${resolved.user.toLowerCase()}\u0000`);
    const input = new Uint8Array(who.length + 16);
    input.set(who);
    input.set(resolved.ntHash, who.length);
    this.key = toHex(sha256(input)).slice(0, 32);
  }

  /** The credentials resolved, with NTOWFv2 derived once; kept until `forgetKeys`. */
  prepared(): PreparedCredentials {
    return (this.#prepared ??= new PreparedCredentials(this.#credentials));
  }

  /** Drops the derived key material (no connection of this identity is left). */
  forgetKeys(): void {
    this.#prepared = undefined;
  }

  /** `DOMAIN\user` as sent, for messages and logs. */
  get name(): string {
    return this.domain ? `${this.domain}\\${this.user}` : this.user;
  }

  /** `{ user, domain }`: no secret. */
  toJSON(): { user: string; domain: string } {
    return { user: this.user, domain: this.domain };
  }

  /** What `util.inspect` shows: the user and domain only. */
  [INSPECT](): string {
    return `Identity { user: ${JSON.stringify(this.user)}, domain: ${JSON.stringify(this.domain)} }`;
  }
}
