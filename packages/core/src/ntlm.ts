// A component-style NTLM client in the shape of the classic Auth NTLM component API
// (properties, createNegotiateToken/createAuthToken, config("Name=Value"), an error event),
// built on the functional API: no second implementation.
import { fromBase64, oemDecode, oemEncode, toBase64 } from './bytes.js';
import { certificateToDer, type CertificateInput } from './channel-binding.js';
import { buildAuthenticateMessage, type AuthenticateResult, type LmCompatibilityLevel } from './client.js';
import { parseCertificate } from './der.js';
import { NtlmError } from './errors.js';
import { parseChallengeMessage } from './messages/challenge.js';
import { createNegotiateMessage } from './messages/negotiate.js';
import { DEFAULT_VERSION, parseVersion, type NtlmVersion } from './messages/version.js';

export type NtlmVersionNumber = 1 | 2;
export type Token = string | Uint8Array;
export type CertStoreType =
  | 'PEMKeyBlob' | 'PEMKeyFile' | 'PublicKeyBlob' | 'PublicKeyFile' | 'PFXBlob' | 'PFXFile' | 'User' | 'Machine' | 'Auto';

type ErrorListener = (error: NtlmError) => void;

export interface NtlmHost {
  /** Reads a certificate store file; the Node entry point (`@ntlmkit/core/node`) supplies it. */
  readFile?: (path: string) => Uint8Array;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export class Ntlm {
  /** `user`, `DOMAIN\user` or `user@domain`. */
  user = '';
  password = '';
  negotiateToken: Token = '';
  challengeToken: Token = '';
  authToken: Token = '';
  /** 2 (default): NTLMv2. 1: NTLMv1 (no LM response unless LmCompatibilityLevel says so). */
  ntlmVersion: NtlmVersionNumber = 2;
  /** The server's certificate as PEM or base64 DER, for the EPA channel binding. */
  sslServerCertEncoded = '';
  /** A store to pick the server certificate from: a path or the store's contents, per the type. */
  sslServerCertStore: string | Uint8Array = '';
  sslServerCertStoreType: CertStoreType = 'PEMKeyBlob';
  sslServerCertStorePassword = '';
  /** Subject of the certificate to use from the store; `*` picks the first. */
  sslServerCertSubject = '';

  private settings = {
    EncodeToken: true,
    DecodeToken: true,
    Workstation: '',
    Domain: '',
    SPN: '',
    CodePage: 0,
    BuildInfo: '',
    UsePlatformNTLMAPI: false,
    LmCompatibilityLevel: -1,
    UseMIC: true,
  };
  private negotiateBytes: Uint8Array | undefined;
  private listeners: ErrorListener[] = [];
  private readonly host: NtlmHost;
  /** Details of the last AUTHENTICATE message (dialect, MIC, binding), for diagnostics. */
  lastResult: Omit<AuthenticateResult, 'exportedSessionKey' | 'sessionBaseKey' | 'keyExchangeKey'> | undefined;

  constructor(host: NtlmHost = {}) {
    this.host = host;
  }

  on(event: 'error', listener: ErrorListener): this {
    if (event !== 'error') throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `unknown event "${String(event)}"`);
    this.listeners.push(listener);
    return this;
  }

  off(event: 'error', listener: ErrorListener): this {
    this.listeners = this.listeners.filter((l) => l !== listener || event !== 'error');
    return this;
  }

  /** Runs `fn`; a failure is reported to the `error` listeners and then thrown. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      const error = cause instanceof NtlmError ? cause : new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'unexpected failure', { cause });
      for (const listener of this.listeners) listener(error);
      throw error;
    }
  }

  private version(): NtlmVersion {
    if (!this.settings.BuildInfo) return DEFAULT_VERSION;
    const v = parseVersion(this.settings.BuildInfo);
    if (!v) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'BuildInfo must look like "10.0.20348"');
    return v;
  }

  private checkPlatform(): void {
    if (this.settings.UsePlatformNTLMAPI) {
      throw new NtlmError('ERR_NTLM_PLATFORM_API_UNAVAILABLE', 'UsePlatformNTLMAPI: no platform NTLM API (SSPI) is available in this runtime; set it to false');
    }
  }

  private encode(bytes: Uint8Array): Token {
    return this.settings.EncodeToken ? toBase64(bytes) : bytes;
  }

  private decode(token: Token, name: string): Uint8Array {
    if (token instanceof Uint8Array) return token;
    if (typeof token !== 'string' || token === '') throw new NtlmError('ERR_NTLM_WRONG_STATE', `${name} is empty`);
    return this.settings.DecodeToken ? fromBase64(token.replace(/^(NTLM|Negotiate)\s+/i, '')) : oemEncode(token);
  }

  createNegotiateToken(): Token {
    return this.guard(() => {
      this.checkPlatform();
      this.negotiateBytes = createNegotiateMessage({ version: this.version() });
      this.negotiateToken = this.encode(this.negotiateBytes);
      return this.negotiateToken;
    });
  }

  createAuthToken(): Token {
    return this.guard(() => {
      this.checkPlatform();
      const challenge = parseChallengeMessage(this.decode(this.challengeToken, 'challengeToken'));
      const level = (this.settings.LmCompatibilityLevel >= 0 ? this.settings.LmCompatibilityLevel : this.ntlmVersion === 1 ? 2 : 3) as LmCompatibilityLevel;
      const certificate = this.serverCertificate();
      const result = buildAuthenticateMessage({
        challenge,
        username: this.user,
        password: this.password,
        domain: this.settings.Domain || undefined,
        workstation: this.settings.Workstation,
        lmCompatibilityLevel: level,
        ...(this.negotiateBytes ? { negotiate: this.negotiateBytes } : {}),
        mic: this.settings.UseMIC && this.negotiateBytes !== undefined && challenge.targetInfo.length > 0,
        ...(this.settings.SPN ? { spn: this.settings.SPN } : {}),
        ...(certificate ? { serverCertificate: certificate } : {}),
        version: this.version(),
      });
      const { exportedSessionKey: _e, sessionBaseKey: _s, keyExchangeKey: _k, ...visible } = result;
      this.lastResult = visible;
      this.authToken = this.encode(result.message);
      return this.authToken;
    });
  }

  reset(): void {
    this.user = '';
    this.password = '';
    this.negotiateToken = '';
    this.challengeToken = '';
    this.authToken = '';
    this.ntlmVersion = 2;
    this.sslServerCertEncoded = '';
    this.sslServerCertStore = '';
    this.sslServerCertStoreType = 'PEMKeyBlob';
    this.sslServerCertStorePassword = '';
    this.sslServerCertSubject = '';
    this.negotiateBytes = undefined;
    this.lastResult = undefined;
  }

  /** `config("Name=Value")` sets a setting and returns ""; `config("Name")` returns its value. */
  config(configurationString: string): string {
    return this.guard(() => {
      const eq = configurationString.indexOf('=');
      const name = (eq < 0 ? configurationString : configurationString.slice(0, eq)).trim();
      const key = (Object.keys(this.settings) as (keyof typeof this.settings)[]).find((k) => k.toLowerCase() === name.toLowerCase());
      if (!key) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `unknown configuration setting "${name}"`);
      if (eq < 0) return String(this.settings[key]);
      const value = configurationString.slice(eq + 1).trim();
      const current = this.settings[key];
      if (typeof current === 'boolean') {
        if (!/^(true|false|1|0)$/i.test(value)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${key} must be true or false`);
        (this.settings[key] as boolean) = /^(true|1)$/i.test(value);
      } else if (typeof current === 'number') {
        const n = Number(value);
        if (!Number.isInteger(n)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${key} must be an integer`);
        if (key === 'LmCompatibilityLevel' && (n < -1 || n > 5)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'LmCompatibilityLevel must be 0 to 5');
        if (key === 'CodePage' && n !== 0 && n !== 28591 && n !== 1252 && n !== 20127) {
          throw new NtlmError('ERR_NTLM_UNSUPPORTED', `CodePage ${n} is not supported; OEM strings use Latin-1 (0, 1252, 28591 or 20127)`);
        }
        (this.settings[key] as number) = n;
      } else {
        if (key === 'BuildInfo' && value && !parseVersion(value)) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'BuildInfo must look like "10.0.20348"');
        (this.settings[key] as string) = value;
      }
      return '';
    });
  }

  /** The certificate for the channel binding, from sslServerCertEncoded or the store. */
  private serverCertificate(): CertificateInput | undefined {
    if (this.sslServerCertEncoded) return this.sslServerCertEncoded;
    if (!this.sslServerCertStore || (typeof this.sslServerCertStore === 'string' && !this.sslServerCertStore.trim())) return undefined;
    const type = this.sslServerCertStoreType.replace(/^cst/, '') as CertStoreType;
    let contents: Uint8Array;
    switch (type) {
      case 'User':
      case 'Machine':
        throw new NtlmError('ERR_NTLM_PLATFORM_API_UNAVAILABLE', `the ${type} certificate store is a Windows system store and does not exist here; use a PEM or DER file or blob`);
      case 'PFXBlob':
      case 'PFXFile':
        throw new NtlmError('ERR_NTLM_UNSUPPORTED', 'PKCS#12 (PFX) stores are not supported; export the server certificate as PEM or DER');
      case 'PEMKeyFile':
      case 'PublicKeyFile':
      case 'Auto': {
        if (typeof this.sslServerCertStore !== 'string') throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${type} expects a file path`);
        if (!this.host.readFile) {
          throw new NtlmError('ERR_NTLM_UNSUPPORTED', 'file certificate stores need file access: import Ntlm from "@ntlmkit/core/node"');
        }
        contents = this.host.readFile(this.sslServerCertStore);
        break;
      }
      case 'PEMKeyBlob':
      case 'PublicKeyBlob':
        contents = typeof this.sslServerCertStore === 'string' ? oemEncode(this.sslServerCertStore) : this.sslServerCertStore;
        break;
      default:
        throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `unknown sslServerCertStoreType "${String(this.sslServerCertStoreType)}"`);
    }
    return selectCertificate(contents, this.sslServerCertSubject);
  }
}

/** Picks a certificate from a PEM bundle or a single DER certificate by subject (`*`: the first). */
export function selectCertificate(store: Uint8Array, subject: string): Uint8Array {
  const text = oemDecode(store);
  const blocks = text.match(CERT_BLOCK);
  const ders = blocks ? blocks.map((b) => certificateToDer(b)) : [store];
  const wanted = subject.trim();
  if (!wanted) throw new NtlmError('ERR_NTLM_CERT_NOT_FOUND', 'sslServerCertSubject is empty: give a subject or * to select a certificate from the store');
  const normalise = (s: string) => s.toLowerCase().replace(/\s*,\s*/g, ',').replace(/\s*=\s*/g, '=');
  for (const der of ders) {
    if (wanted === '*') return der;
    const cert = parseCertificate(der);
    const cn = cert.subjectAttributes.find(([k]) => k === 'CN')?.[1];
    if (normalise(cert.subject) === normalise(wanted) || (cn !== undefined && cn.toLowerCase() === wanted.replace(/^cn=/i, '').toLowerCase())) return der;
  }
  throw new NtlmError('ERR_NTLM_CERT_NOT_FOUND', `no certificate in the store matches the subject "${wanted}"`);
}
