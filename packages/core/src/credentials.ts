// What a caller gives us, normalised to what NTLM needs: user, domain and the NT hash.
import { checkOptions, checkString } from './arguments.js';
import { fromHex, toHex } from './bytes.js';
import { macKey, type MacKey } from './crypto/hash.js';
import { ntowfv1, ntowfv2FromHash } from './crypto/ntowf.js';
import { NtlmError } from './errors.js';

/** Who authenticates: a user name and a password or NT hash. Empty username and password: anonymous (any domain). */
export interface Credentials {
  /** `user`, `DOMAIN\user` or `user@domain.example` (a UPN is sent unsplit, with an empty domain). */
  username: string;
  /** The password; give it or `ntHash`, not both. */
  password?: string;
  /** The NT hash (MD4 of the UTF-16LE password) as 16 bytes or 32 hex characters, instead of a password. */
  ntHash?: Uint8Array | string;
  /** The user's domain, default empty; with `DOMAIN\user` it must name the same domain (case aside). */
  domain?: string;
  /** The Workstation field of the AUTHENTICATE; default empty (none is sent). */
  workstation?: string;
}

/** Credentials normalised to what NTLM sends and computes with. */
export interface ResolvedCredentials {
  /** The user name, without a `DOMAIN\` prefix. */
  user: string;
  /** The domain: from `DOMAIN\user`, else the `domain` option, else empty. */
  domain: string;
  /** The workstation name, or empty. */
  workstation: string;
  /** Needed for LM responses only (LM compatibility levels 0 and 1). */
  password?: string;
  /** NTOWFv1, the 16-byte NT hash (zeros for anonymous). */
  ntHash: Uint8Array;
  /** True for anonymous credentials: no user, password or hash (a domain may be given, and is sent). */
  anonymous: boolean;
}

/** Splits `DOMAIN\user`; keeps `user@domain` whole, as Windows does for UPNs. */
export function splitUsername(username: string, domain = ''): { user: string; domain: string } {
  checkString(username, 'username');
  checkString(domain, 'domain');
  const slash = username.indexOf('\\');
  if (slash < 0) return { user: username, domain };
  const fromName = username.slice(0, slash);
  if (domain && domain.toLowerCase() !== fromName.toLowerCase()) {
    throw new NtlmError(
      'ERR_NTLM_INVALID_ARGUMENT',
      'the domain is given twice, in `domain` and in `username`, and they differ',
    );
  }
  return { user: username.slice(slash + 1), domain: fromName };
}

/** An NT hash as 16 bytes (a copy), from 16 bytes or 32 hex characters; else ERR_NTLM_INVALID_ARGUMENT. */
export function parseNtHash(ntHash: Uint8Array | string): Uint8Array {
  if (typeof ntHash === 'string') {
    const hex = ntHash.trim();
    if (!/^[0-9a-fA-F]{32}$/.test(hex))
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'ntHash must be 32 hexadecimal characters');
    return fromHex(hex);
  }
  if (!(ntHash instanceof Uint8Array) || ntHash.length !== 16) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'ntHash must be 16 bytes');
  }
  return ntHash.slice();
}

/** Checks credentials and resolves them: the domain split off, the NT hash computed or parsed. */
export function resolveCredentials(credentials: Credentials): ResolvedCredentials {
  checkOptions(credentials, 'credentials');
  if (typeof credentials.username !== 'string') {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'credentials need a `username` string');
  }
  if (credentials.password !== undefined) checkString(credentials.password, 'password');
  if (credentials.domain !== undefined) checkString(credentials.domain, 'domain');
  if (credentials.workstation !== undefined) checkString(credentials.workstation, 'workstation');
  if (credentials.password !== undefined && credentials.ntHash !== undefined) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'give either a password or an ntHash, not both');
  }
  const { user, domain } = splitUsername(credentials.username, credentials.domain ?? '');
  const workstation = credentials.workstation ?? '';
  // MS-NLMP 3.1.5.1.2, 3.3.1, 3.3.2: "If (User is set to "" AND Passwd is set to "")": anonymous, whatever the
  // domain. The domain is still sent as DomainName (the AUTHENTICATE carries UserDom); acceptors, ours included
  // (3.2.5.1.2), recognise anonymous by the empty user name and responses alone.
  const anonymous = user === '' && !credentials.password && credentials.ntHash === undefined;
  if (anonymous) return { user: '', domain, workstation, ntHash: new Uint8Array(16), anonymous: true };
  if (credentials.ntHash !== undefined) {
    return { user, domain, workstation, ntHash: parseNtHash(credentials.ntHash), anonymous: false };
  }
  if (credentials.password === undefined) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'credentials need a `password` or an `ntHash`');
  }
  return {
    user,
    domain,
    workstation,
    password: credentials.password,
    ntHash: ntowfv1(credentials.password),
    anonymous: false,
  };
}

/**
 * Credentials resolved once, with the NTLMv2 key (NTOWFv2) derived on first use: for callers that
 * create many AUTHENTICATE messages for the same user (the HTTP adapters do this for you). The NT
 * hash and the key stay in private fields, so logging the object shows only user and domain.
 */
export class PreparedCredentials {
  /** The user name, without a `DOMAIN\` prefix. */
  readonly user: string;
  /** The domain the credentials resolved to (possibly empty). */
  readonly domain: string;
  /** The workstation name, or empty. */
  readonly workstation: string;
  /** True for anonymous credentials. */
  readonly anonymous: boolean;
  readonly #resolved: ResolvedCredentials;
  readonly #source: readonly unknown[];
  #ntlmv2?: { bytes: Uint8Array; key: MacKey };

  constructor(credentials: Credentials) {
    this.#resolved = resolveCredentials(credentials);
    this.#source = sourceOf(credentials);
    ({
      user: this.user,
      domain: this.domain,
      workstation: this.workstation,
      anonymous: this.anonymous,
    } = this.#resolved);
  }

  /** The resolved fields, the NT hash included. */
  resolved(): ResolvedCredentials {
    return this.#resolved;
  }

  /** NTOWFv2(password, user, domain): as bytes, and as an HMAC key for the responses it signs. */
  ntlmv2Key(): { bytes: Uint8Array; key: MacKey } {
    if (!this.#ntlmv2) {
      const bytes = ntowfv2FromHash(this.#resolved.ntHash, this.user, this.domain);
      this.#ntlmv2 = { bytes, key: macKey(bytes) };
    }
    return this.#ntlmv2;
  }

  /** Whether these were prepared from credentials with exactly these fields. */
  matches(credentials: Credentials): boolean {
    checkOptions(credentials, 'credentials');
    const source = sourceOf(credentials);
    return source.every((value, i) => value === this.#source[i]);
  }
}

function sourceOf(c: Credentials): unknown[] {
  // A hash given as bytes is compared by content: the caller may have refilled the same array.
  return [c.username, c.password, c.ntHash instanceof Uint8Array ? toHex(c.ntHash) : c.ntHash, c.domain, c.workstation];
}

/** Credentials resolved once, to pass as `credentials` for many AUTHENTICATE messages (see PreparedCredentials). */
export function prepareCredentials(credentials: Credentials): PreparedCredentials {
  return new PreparedCredentials(credentials);
}

// Per credentials object, for callers that pass the same object again and again (the HTTP engine).
// Checked against the object's fields, so a changed password is never served a stale key.
const prepared = new WeakMap<Credentials, PreparedCredentials>();

export function preparedFor(credentials: Credentials | PreparedCredentials): PreparedCredentials {
  if (credentials instanceof PreparedCredentials) return credentials;
  checkOptions(credentials, 'credentials');
  const known = prepared.get(credentials);
  if (known?.matches(credentials)) return known;
  const fresh = new PreparedCredentials(credentials);
  prepared.set(credentials, fresh);
  return fresh;
}
