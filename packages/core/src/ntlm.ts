// A component-style NTLM client in the shape of the classic Auth NTLM component API (properties,
// createNegotiateToken/createAuthToken, config("Name=Value"), an error event), stepping an NtlmContext:
// the handshake state lives there, not here. The password and the tokens stay in private fields.
import { fromBase64, oemDecode, oemEncode, toBase64 } from './bytes.js';
import { certificateToDer, type CertificateInput } from './channel-binding.js';
import type { LmCompatibilityLevel } from './client.js';
import { NtlmContext, type NtlmStepResult } from './context.js';
import { parseCertificate } from './der.js';
import { NtlmError } from './errors.js';
import { DEFAULT_VERSION, parseVersion, type NtlmVersion } from './messages/version.js';

/** `Ntlm.ntlmVersion`: 2 for NTLMv2, 1 for NTLMv1. */
export type NtlmVersionNumber = 1 | 2;
/** A token: base64 text (EncodeToken / DecodeToken true, the default) or bytes. */
export type Token = string | Uint8Array;
/** `Ntlm.sslServerCertStoreType`; `cst`-prefixed names are accepted too. */
export type CertStoreType =
  'PEMKeyBlob' | 'PEMKeyFile' | 'PublicKeyBlob' | 'PublicKeyFile' | 'PFXBlob' | 'PFXFile' | 'User' | 'Machine' | 'Auto';

type ErrorListener = (error: NtlmError) => void;

export interface NtlmHost {
  /** Reads a certificate store file; the Node entry point (`@ntlmkit/core/node`) supplies it. */
  readFile?: (path: string) => Uint8Array;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * A component-style NTLM client: set the properties, `createNegotiateToken()`, set `challengeToken`,
 * `createAuthToken()`. A failure of those two or of `config` goes to the `error` listeners, then is thrown.
 */
export class Ntlm {
  /** `user`, `DOMAIN\\user` or `user@domain`. */
  user = '';
  /** 2 (default): NTLMv2. 1: NTLMv1 (no LM response unless LmCompatibilityLevel says so). */
  ntlmVersion: NtlmVersionNumber = 2;
  /** The server's certificate as PEM or base64 DER, for the EPA channel binding. */
  sslServerCertEncoded = '';
  /** A store to pick the server certificate from: a path or the store's contents, per the type. */
  sslServerCertStore: string | Uint8Array = '';
  /**
   * What `sslServerCertStore` is (default `PEMKeyBlob`): `*Blob` its contents, `*File` (and `Auto`) a path,
   * which only `@ntlmkit/core/node` can read; PFX and the Windows `User`/`Machine` stores are refused.
   */
  sslServerCertStoreType: CertStoreType = 'PEMKeyBlob';
  /** Subject of the certificate to use from the store; `*` picks the first. */
  sslServerCertSubject = '';

  #password = '';
  #storePassword = '';
  #negotiateToken: Token = '';
  #challengeToken: Token = '';
  #authToken: Token = '';
  #context: NtlmContext | undefined;
  /** `challengeToken` was answered by `createAuthToken()` (until it is set again or a new handshake starts). */
  #answered = false;
  #lastResult: NtlmStepResult | undefined;
  #settings = {
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
  #listeners: ErrorListener[] = [];
  readonly #host: NtlmHost;

  /** `host` gives file access for file certificate stores (`@ntlmkit/core/node`'s Ntlm passes one). */
  constructor(host: NtlmHost = {}) {
    this.#host = host;
  }

  /** The user's password (kept in a private field: never printed). */
  get password(): string {
    return this.#password;
  }
  set password(value: string) {
    this.#password = value;
  }
  /** The password of a certificate store: only PFX stores have one, and they are not supported. */
  get sslServerCertStorePassword(): string {
    return this.#storePassword;
  }
  set sslServerCertStorePassword(value: string) {
    this.#storePassword = value;
  }
  /** The NEGOTIATE made by `createNegotiateToken()`. */
  get negotiateToken(): Token {
    return this.#negotiateToken;
  }
  set negotiateToken(value: Token) {
    this.#negotiateToken = value;
  }
  /**
   * The server's CHALLENGE, for `createAuthToken()`: bytes, or base64 with DecodeToken=true (the default; an
   * `NTLM ` or `Negotiate ` prefix is dropped), else a string of Latin-1 bytes.
   */
  get challengeToken(): Token {
    return this.#challengeToken;
  }
  set challengeToken(value: Token) {
    this.#challengeToken = value;
    this.#answered = false;
  }
  /** The AUTHENTICATE made by `createAuthToken()`. */
  get authToken(): Token {
    return this.#authToken;
  }
  set authToken(value: Token) {
    this.#authToken = value;
  }
  /** Details of the last AUTHENTICATE message (dialect, flags, MIC, binding), without keys. */
  get lastResult(): NtlmStepResult | undefined {
    return this.#lastResult;
  }

  /** Adds an `error` listener: it receives each NtlmError before the method throws it. */
  on(event: 'error', listener: ErrorListener): this {
    if (event !== 'error') throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `unknown event "${String(event)}"`);
    if (typeof listener !== 'function')
      throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'an error listener must be a function');
    this.#listeners.push(listener);
    return this;
  }

  /** Removes an `error` listener. */
  off(event: 'error', listener: ErrorListener): this {
    this.#listeners = this.#listeners.filter((l) => l !== listener || event !== 'error');
    return this;
  }

  /** Runs `fn`; a failure is reported to the `error` listeners and then thrown. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      const error =
        cause instanceof NtlmError
          ? cause
          : new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'unexpected failure', { cause });
      for (const listener of this.#listeners) listener(error);
      throw error;
    }
  }

  #version(): NtlmVersion {
    if (!this.#settings.BuildInfo) return DEFAULT_VERSION;
    const v = parseVersion(this.#settings.BuildInfo);
    if (!v) throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'BuildInfo must look like "10.0.20348"');
    return v;
  }

  #checkPlatform(): void {
    if (this.#settings.UsePlatformNTLMAPI) {
      throw new NtlmError(
        'ERR_NTLM_PLATFORM_API_UNAVAILABLE',
        'UsePlatformNTLMAPI: no platform NTLM API (SSPI) is available in this runtime; set it to false',
      );
    }
  }

  #encode(bytes: Uint8Array): Token {
    return this.#settings.EncodeToken ? toBase64(bytes) : bytes;
  }

  #decode(token: Token, name: string): Uint8Array {
    if (token instanceof Uint8Array) return token;
    if (typeof token !== 'string' || token === '') throw new NtlmError('ERR_NTLM_WRONG_STATE', `${name} is empty`);
    return this.#settings.DecodeToken ? fromBase64(token.replace(/^(NTLM|Negotiate)\s+/i, '')) : oemEncode(token);
  }

  /** The context for this handshake: settings and credentials are read when each token is made. */
  #newContext(): NtlmContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below have their own `this`
    const self = this;
    // LmCompatibilityLevel 0-5 as client.ts's LmCompatibilityLevel describes it (0: no ESS asked for; 1, 2:
    // NTLMv1, ESS when granted; 3-5: NTLMv2); -1 (the default) follows ntlmVersion: 1 → level 2, 2 → level 3.
    // The context reads it for the NEGOTIATE and again for the AUTHENTICATE.
    const level = () =>
      (this.#settings.LmCompatibilityLevel >= 0
        ? this.#settings.LmCompatibilityLevel
        : this.ntlmVersion === 1
          ? 2
          : 3) as LmCompatibilityLevel;
    return new NtlmContext({
      get credentials() {
        if (typeof self.user !== 'string' || typeof self.#password !== 'string') {
          throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', '`user` and `password` must be strings');
        }
        return {
          username: self.user,
          password: self.#password,
          domain: self.#settings.Domain || undefined,
          workstation: self.#settings.Workstation,
        };
      },
      get negotiate() {
        return { version: self.#version() };
      },
      get version() {
        return self.#version();
      },
      get lmCompatibilityLevel() {
        return level();
      },
      // UseMIC=false turns the MIC off; otherwise core sends one when the spec says so (MsvAvTimestamp).
      get mic() {
        return self.#settings.UseMIC ? undefined : false;
      },
      get spn() {
        return self.#settings.SPN || undefined;
      },
    });
  }

  /** Starts a handshake: the NEGOTIATE, also kept in `negotiateToken` (base64 unless EncodeToken=false). */
  createNegotiateToken(): Token {
    return this.#guard(() => {
      this.#checkPlatform();
      this.#context = this.#newContext();
      this.#answered = false;
      this.#negotiateToken = this.#encode(this.#context.step());
      return this.#negotiateToken;
    });
  }

  /**
   * The AUTHENTICATE for `challengeToken`, also kept in `authToken`. Without `createNegotiateToken()` first it
   * carries no MIC (the MIC covers the NEGOTIATE).
   */
  createAuthToken(): Token {
    return this.#guard(() => {
      this.#checkPlatform();
      // Each CHALLENGE is answered once: a second AUTHENTICATE for it would be a new handshake without a MIC.
      if (this.#answered)
        throw new NtlmError(
          'ERR_NTLM_WRONG_STATE',
          'this CHALLENGE was answered already: set a new challengeToken (after createNegotiateToken()) first',
        );
      const challenge = this.#decode(this.#challengeToken, 'challengeToken');
      // Without createNegotiateToken first, the AUTHENTICATE goes without a MIC (it covers the NEGOTIATE).
      const context = this.#context?.state === 'continue' ? this.#context : this.#newContext();
      const certificate = this.#serverCertificate();
      const message = context.step(challenge, certificate ? { serverCertificate: certificate } : {});
      this.#lastResult = context.result;
      this.#context = undefined;
      this.#answered = true;
      this.#authToken = this.#encode(message);
      return this.#authToken;
    });
  }

  /**
   * Clears the credentials, tokens, certificate properties and handshake, and sets `ntlmVersion` back to 2;
   * `config` settings stay.
   */
  reset(): void {
    this.user = '';
    this.#password = '';
    this.#negotiateToken = '';
    this.#challengeToken = '';
    this.#authToken = '';
    this.ntlmVersion = 2;
    this.sslServerCertEncoded = '';
    this.sslServerCertStore = '';
    this.sslServerCertStoreType = 'PEMKeyBlob';
    this.#storePassword = '';
    this.sslServerCertSubject = '';
    this.#context = undefined;
    this.#answered = false;
    this.#lastResult = undefined;
  }

  /** `config("Name=Value")` sets a setting and returns ""; `config("Name")` returns its value. */
  config(configurationString: string): string {
    return this.#guard(() => {
      if (typeof configurationString !== 'string')
        throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'config takes a "Name=Value" or "Name" string');
      const settings = this.#settings;
      const eq = configurationString.indexOf('=');
      const name = (eq < 0 ? configurationString : configurationString.slice(0, eq)).trim();
      const key = (Object.keys(settings) as (keyof typeof settings)[]).find(
        (k) => k.toLowerCase() === name.toLowerCase(),
      );
      if (!key)
        throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `unknown configuration setting "${name.slice(0, 64)}"`);
      if (eq < 0) return String(settings[key]);
      const value = configurationString.slice(eq + 1).trim();
      const current = settings[key];
      if (typeof current === 'boolean') {
        if (!/^(true|false|1|0)$/i.test(value))
          throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${key} must be true or false`);
        (settings[key] as boolean) = /^(true|1)$/i.test(value);
      } else if (typeof current === 'number') {
        // Decimal digits only: Number() reads '' and ' ' as 0 (level 0: LM and NTLMv1), '0x3' as 3, '1e0' as 1.
        if (!/^-?\d{1,9}$/.test(value))
          throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${key} must be a decimal integer`);
        const n = Number(value);
        if (key === 'LmCompatibilityLevel' && (n < -1 || n > 5 || Object.is(n, -0)))
          throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'LmCompatibilityLevel must be 0 to 5 (or -1: the default)');
        if (key === 'CodePage' && n !== 0 && n !== 28591) {
          throw new NtlmError(
            'ERR_NTLM_UNSUPPORTED',
            `CodePage ${n} is not supported: OEM strings are written in ISO-8859-1 (CodePage 0 or 28591)`,
          );
        }
        (settings[key] as number) = n;
      } else {
        if (key === 'BuildInfo' && value && !parseVersion(value))
          throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', 'BuildInfo must look like "10.0.20348"');
        (settings[key] as string) = value;
      }
      return '';
    });
  }

  /** The certificate for the channel binding, from sslServerCertEncoded or the store. */
  #serverCertificate(): CertificateInput | undefined {
    if (this.sslServerCertEncoded) return this.sslServerCertEncoded;
    if (!this.sslServerCertStore || (typeof this.sslServerCertStore === 'string' && !this.sslServerCertStore.trim()))
      return undefined;
    const type = String(this.sslServerCertStoreType).replace(/^cst/, '') as CertStoreType;
    if (this.#storePassword && type !== 'PFXBlob' && type !== 'PFXFile') {
      throw new NtlmError(
        'ERR_NTLM_INVALID_ARGUMENT',
        `sslServerCertStorePassword is set, but a ${type} store has no password`,
      );
    }
    let contents: Uint8Array;
    switch (type) {
      case 'User':
      case 'Machine':
        throw new NtlmError(
          'ERR_NTLM_PLATFORM_API_UNAVAILABLE',
          `the ${type} certificate store is a Windows system store and does not exist here; use a PEM or DER file or blob`,
        );
      case 'PFXBlob':
      case 'PFXFile':
        throw new NtlmError(
          'ERR_NTLM_UNSUPPORTED',
          'PKCS#12 (PFX) stores are not supported; export the server certificate as PEM or DER',
        );
      case 'PEMKeyFile':
      case 'PublicKeyFile':
      case 'Auto': {
        if (typeof this.sslServerCertStore !== 'string')
          throw new NtlmError('ERR_NTLM_INVALID_ARGUMENT', `${type} expects a file path`);
        if (!this.#host.readFile) {
          throw new NtlmError(
            'ERR_NTLM_UNSUPPORTED',
            'file certificate stores need file access: import Ntlm from "@ntlmkit/core/node"',
          );
        }
        contents = this.#host.readFile(this.sslServerCertStore);
        break;
      }
      case 'PEMKeyBlob':
      case 'PublicKeyBlob':
        contents =
          typeof this.sslServerCertStore === 'string' ? oemEncode(this.sslServerCertStore) : this.sslServerCertStore;
        break;
      default:
        throw new NtlmError(
          'ERR_NTLM_INVALID_ARGUMENT',
          `unknown sslServerCertStoreType "${String(this.sslServerCertStoreType).slice(0, 40)}"`,
        );
    }
    return selectCertificate(contents, this.sslServerCertSubject);
  }

  /** `{ user, ntlmVersion }`: no password, no token. */
  toJSON(): { user: string; ntlmVersion: NtlmVersionNumber } {
    return { user: this.user, ntlmVersion: this.ntlmVersion };
  }

  /** What `util.inspect` shows: the user and ntlmVersion only. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Ntlm { user: ${JSON.stringify(this.user)}, ntlmVersion: ${this.ntlmVersion} }`;
  }
}

/** Picks a certificate from a PEM bundle or a single DER certificate by subject (`*`: the first). */
export function selectCertificate(store: Uint8Array, subject: string): Uint8Array {
  const text = oemDecode(store);
  const blocks = text.match(CERT_BLOCK);
  const ders = blocks ? blocks.map((b) => certificateToDer(b)) : [store];
  const wanted = subject.trim();
  if (!wanted)
    throw new NtlmError(
      'ERR_NTLM_CERT_NOT_FOUND',
      'sslServerCertSubject is empty: give a subject or * to select a certificate from the store',
    );
  const normalise = (s: string) =>
    s
      .toLowerCase()
      .replace(/\s*,\s*/g, ',')
      .replace(/\s*=\s*/g, '=');
  for (const der of ders) {
    if (wanted === '*') return der;
    const cert = parseCertificate(der);
    const cn = cert.subjectAttributes.find(([k]) => k === 'CN')?.[1];
    if (
      normalise(cert.subject) === normalise(wanted) ||
      (cn !== undefined && cn.toLowerCase() === wanted.replace(/^cn=/i, '').toLowerCase())
    )
      return der;
  }
  throw new NtlmError('ERR_NTLM_CERT_NOT_FOUND', `no certificate in the store matches the subject "${wanted}"`);
}
