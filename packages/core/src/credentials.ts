// What a caller gives us, normalised to what NTLM needs: user, domain and the NT hash.
import { fromHex } from './bytes.js';
import { ntowfv1 } from './crypto/ntowf.js';
import { NtlmError } from './errors.js';

export interface Credentials {
  /** `user`, `DOMAIN\user` or `user@domain.example` (a UPN is sent unsplit, with an empty domain). */
  username: string;
  password?: string;
  /** The NT hash (MD4 of the UTF-16LE password) as 16 bytes or 32 hex characters, instead of a password. */
  ntHash?: Uint8Array | string;
  domain?: string;
  workstation?: string;
}

export interface ResolvedCredentials {
  user: string;
  domain: string;
  workstation: string;
  /** Needed for LM responses only (LM compatibility levels 0 and 1). */
  password?: string;
  ntHash: Uint8Array;
  anonymous: boolean;
}

/** Splits `DOMAIN\user`; keeps `user@domain` whole, as Windows does for UPNs. */
export function splitUsername(username: string, domain = ''): { user: string; domain: string } {
  const slash = username.indexOf('\\');
  if (slash < 0) return { user: username, domain };
  const fromName = username.slice(0, slash);
  if (domain && domain.toLowerCase() !== fromName.toLowerCase()) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'the domain is given twice, in `domain` and in `username`, and they differ');
  }
  return { user: username.slice(slash + 1), domain: fromName };
}

export function parseNtHash(ntHash: Uint8Array | string): Uint8Array {
  if (typeof ntHash === 'string') {
    const hex = ntHash.trim();
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'ntHash must be 32 hexadecimal characters');
    return fromHex(hex);
  }
  if (!(ntHash instanceof Uint8Array) || ntHash.length !== 16) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'ntHash must be 16 bytes');
  }
  return ntHash.slice();
}

export function resolveCredentials(credentials: Credentials): ResolvedCredentials {
  if (!credentials || typeof credentials.username !== 'string') {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'credentials need a `username` string');
  }
  if (credentials.password !== undefined && typeof credentials.password !== 'string') {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'password must be a string');
  }
  if (credentials.password !== undefined && credentials.ntHash !== undefined) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'give either a password or an ntHash, not both');
  }
  const { user, domain } = splitUsername(credentials.username, credentials.domain ?? '');
  const workstation = credentials.workstation ?? '';
  const anonymous = user === '' && domain === '' && !credentials.password && credentials.ntHash === undefined;
  if (anonymous) return { user: '', domain: '', workstation, ntHash: new Uint8Array(16), anonymous: true };
  if (credentials.ntHash !== undefined) {
    return { user, domain, workstation, ntHash: parseNtHash(credentials.ntHash), anonymous: false };
  }
  if (credentials.password === undefined) {
    throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'credentials need a `password` or an `ntHash`');
  }
  return { user, domain, workstation, password: credentials.password, ntHash: ntowfv1(credentials.password), anonymous: false };
}
