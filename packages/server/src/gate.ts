// The NTLM gate in front of an origin (401, WWW-Authenticate, Authorization) or a proxy (407,
// Proxy-Authenticate, Proxy-Authorization): per-connection handshake state, one handshake step per
// request, the outcome recorded (counters and the 'ntlm' event), and the answer that asks for credentials.
// NTLM authenticates the connection: the state lives with the socket, one acceptor per connection.
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_VERSION, NtlmError, toBase64, type NtlmVersion } from '@ntlmkit/core';
import {
  NtlmAcceptor,
  type AcceptorPolicy,
  type AuthOutcome,
  type ChallengeShape,
  type TargetNames,
  type TokenChecking,
} from './acceptor.js';
import { ntlmStep, offeredSchemes, type Scheme } from './step.js';
import { Users, type UserTable } from './users.js';

/** Who may authenticate and how strictly: the options the server and the proxy share. */
export interface AcceptorOptions {
  /** `DOMAIN\user`, `user@domain` or a bare `user` → password, `{ password }` or `{ ntHash }`. */
  users?: UserTable;
  /** Server LmCompatibilityLevel: 5 (default) NTLMv2 only, 4 also NTLMv1. */
  lmCompatibilityLevel?: number;
  /** A client time other than the server's own timestamp must be within this skew. Default 5 minutes. */
  maxClockSkewMs?: number;
  /**
   * Read the session key as gss-ntlmssp and Samba do: KEY_EXCH alone makes the EncryptedRandomSessionKey
   * count for the MIC. Default `false`: MS-NLMP 3.2.5.1.2, which needs KEY_EXCH and SIGN or SEAL.
   */
  lenientSessionKey?: boolean;
  /** Refuse an NTLMv2 AUTHENTICATE without a MIC. Default `false` (a MIC is verified whenever announced). */
  requireMic?: boolean;
  /** Names in the CHALLENGE. Default EXAMPLE / NTLMKIT / example.test / ntlmkit.example.test. */
  targetNames?: Partial<TargetNames>;
  /** The Version field of the CHALLENGE. */
  version?: NtlmVersion;
  /**
   * How every CHALLENGE differs from the default, to stand in for other servers: `timestamp: false` (no
   * MsvAvTimestamp, as servers before Windows Vista/2008; clients then send no MIC) and `withhold` (flags
   * never granted, e.g. `NegotiateFlags.SIGN | NegotiateFlags.SEAL`: KEY_EXCH without SIGN or SEAL is where
   * the strict and the lenient reading of the session key differ).
   */
  challenge?: ChallengeShape;
  /** Test hook: the clock (ms since the epoch). */
  now?: () => number;
  /** Test hook: the random source for server challenges. */
  random?: (size: number) => Uint8Array;
}

/** What only an origin server configures. */
export interface OriginAcceptorOptions extends AcceptorOptions {
  /** Channel binding checks over HTTPS, as IIS's extendedProtection tokenChecking. Default `allow`. */
  tokenChecking?: TokenChecking;
  /** Accepted SPNs (e.g. `HTTP/localhost`); when set, the client must send a matching MsvAvTargetName. */
  spns?: string[];
  /** Accept anonymous AUTHENTICATE messages. Default `false`. */
  allowAnonymous?: boolean;
}

const DEFAULT_NAMES: TargetNames = {
  netbiosDomain: 'EXAMPLE',
  netbiosComputer: 'NTLMKIT',
  dnsDomain: 'example.test',
  dnsComputer: 'ntlmkit.example.test',
};

function checkShape(shape: ChallengeShape | undefined): ChallengeShape {
  if (shape === undefined) return {};
  if (typeof shape !== 'object' || shape === null || Array.isArray(shape))
    throw invalid('`challenge` must be an object');
  const { timestamp, withhold, ...rest } = shape;
  const unknown = Object.keys(rest);
  if (unknown.length) throw invalid(`unknown \`challenge\` option "${unknown[0]!.slice(0, 40)}"`);
  if (timestamp !== undefined && typeof timestamp !== 'boolean')
    throw invalid('`challenge.timestamp` must be a boolean');
  if (withhold !== undefined && !(Number.isInteger(withhold) && withhold >= 0 && withhold <= 0xffffffff)) {
    throw invalid('`challenge.withhold` must be a 32-bit flag mask');
  }
  return { ...(timestamp !== undefined ? { timestamp } : {}), ...(withhold !== undefined ? { withhold } : {}) };
}

function invalid(message: string): NtlmError {
  return new NtlmError('ERR_NTLM_INVALID_ARGUMENT', message);
}

/** The policy every acceptor of one server (or proxy) gets, with the defaults applied. */
export function acceptorPolicy(
  options: OriginAcceptorOptions,
  channel: { tls: boolean; expectedChannelBinding?: Uint8Array },
): AcceptorPolicy {
  const policy = {
    users: new Users(options.users ?? {}),
    lmCompatibilityLevel: options.lmCompatibilityLevel ?? 5,
    tokenChecking: options.tokenChecking ?? 'allow',
    expectedChannelBinding: channel.expectedChannelBinding,
    tls: channel.tls,
    spns: options.spns,
    maxClockSkewMs: options.maxClockSkewMs ?? 5 * 60_000,
    lenientSessionKey: options.lenientSessionKey ?? false,
    requireMic: options.requireMic ?? false,
    targetNames: { ...DEFAULT_NAMES, ...options.targetNames },
    version: options.version ?? DEFAULT_VERSION,
    allowAnonymous: options.allowAnonymous ?? false,
    challengeShape: checkShape(options.challenge),
    seenProofs: new Set<string>(), // shared by every connection: replay detection
    now: options.now ?? Date.now,
    random: options.random ?? ((n: number) => new Uint8Array(randomBytes(n))),
  };
  return policy;
}

/** The HTTP names of one side: an origin asks with 401, a proxy with 407. */
export interface GateRole {
  status: 401 | 407;
  statusText: string;
  /** The header that carries the server's challenge. */
  challengeHeader: 'WWW-Authenticate' | 'Proxy-Authenticate';
  /** The request header that carries the client's token (lower case, as Node reports it). */
  credentialsHeader: 'authorization' | 'proxy-authorization';
  /** The body of the answer ('' for none). */
  body: string;
}

export const ORIGIN: GateRole = {
  status: 401,
  statusText: 'Unauthorized',
  challengeHeader: 'WWW-Authenticate',
  credentialsHeader: 'authorization',
  body: '401 Unauthorized\n',
};
export const PROXY: GateRole = {
  status: 407,
  statusText: 'Proxy Authentication Required',
  challengeHeader: 'Proxy-Authenticate',
  credentialsHeader: 'proxy-authorization',
  body: '',
};

/** A 401 or 407: the challenge headers, and whether the connection ends after it. */
export interface Answer {
  role: GateRole;
  headers: Record<string, string | string[]>;
  /** `announce`: `Connection: close`, then a graceful close; `drop`: destroyed after sending, unannounced. */
  close?: 'announce' | 'drop';
}

export interface GateConnection {
  /** Numbered from 1 in the order connections first sent a request. */
  id: number;
  acceptor: NtlmAcceptor;
  /** The outcome that authenticated this connection, until a new handshake starts or one fails. */
  authenticated?: AuthOutcome;
  /** The scheme the pending handshake's NEGOTIATE came under: its AUTHENTICATE must come under it too. */
  scheme?: Scheme;
  bareSent: boolean;
}

interface VerdictBase {
  connection: GateConnection;
  /** The outcome of the AUTHENTICATE this request carried (recorded and emitted). */
  recorded?: AuthOutcome;
}
export type Verdict =
  (VerdictBase & { pass: true; identity: AuthOutcome }) | (VerdictBase & { pass: false; answer: Answer });

export interface GateOptions {
  role: GateRole;
  policy: AcceptorPolicy;
  /** The schemes a bare answer offers, one header line each. */
  offers: string[];
  /** Demand a handshake on every request instead of authenticating the connection. */
  perRequest?: boolean;
  /** Refuse every AUTHENTICATE (a 401/407 loop). */
  alwaysRefuse?: boolean;
  /** `Connection: close` on each connection's first bare answer. */
  closeOnFirstBare?: boolean;
  /** End the connection after the CHALLENGE, announced or not. */
  closeAfterChallenge?: 'announce' | 'drop';
  stats: { handshakes: number; authenticated: number; failures: number };
  /** Where the 'ntlm' event is emitted: the server itself. */
  events: EventEmitter;
}

export class NtlmGate<About extends object> {
  private readonly connections = new WeakMap<object, GateConnection>();
  private readonly offered: ReadonlySet<Scheme>;
  private nextId = 1;

  constructor(private readonly options: GateOptions) {
    this.offered = offeredSchemes(options.offers);
  }

  /** The state of the connection `socket` (created on its first request). */
  connection(socket: object): GateConnection {
    let state = this.connections.get(socket);
    if (!state) {
      state = { id: this.nextId++, acceptor: new NtlmAcceptor({ ...this.options.policy }), bareSent: false };
      this.connections.set(socket, state);
    }
    return state;
  }

  /**
   * One request through the gate: `header` is the request's credentials header; `about` is added to the
   * 'ntlm' event (method, path or target).
   */
  admit(socket: object, header: string | undefined, about: About): Verdict {
    const o = this.options;
    const connection = this.connection(socket);
    const step = ntlmStep(connection.acceptor, header, {
      offered: this.offered,
      handshakeScheme: connection.scheme,
      alwaysRefuse: o.alwaysRefuse,
    });
    if (!connection.acceptor.negotiating) connection.scheme = undefined;
    switch (step.kind) {
      case 'none':
        if (connection.authenticated && !o.perRequest) {
          return { pass: true, connection, identity: connection.authenticated };
        }
        return { pass: false, connection, answer: this.bare(connection) };
      case 'challenge': {
        connection.authenticated = undefined; // a new handshake replaces the connection's identity
        connection.scheme = step.scheme;
        o.stats.handshakes++;
        const headers = { [o.role.challengeHeader]: `${step.scheme} ${toBase64(step.token)}` };
        return { pass: false, connection, answer: this.answer(headers, o.closeAfterChallenge) };
      }
      case 'authenticated':
      case 'refused': {
        const outcome = step.outcome;
        if (outcome.ok) o.stats.authenticated++;
        else o.stats.failures++;
        connection.authenticated = outcome.ok ? outcome : undefined;
        o.events.emit('ntlm', { ...outcome, connection: connection.id, ...about });
        if (outcome.ok) return { pass: true, connection, identity: outcome, recorded: outcome };
        return { pass: false, connection, answer: this.bare(connection), recorded: outcome };
      }
    }
  }

  private bare(connection: GateConnection): Answer {
    const close = this.options.closeOnFirstBare && !connection.bareSent ? 'announce' : undefined;
    connection.bareSent = true;
    return this.answer({ [this.options.role.challengeHeader]: this.options.offers }, close);
  }

  private answer(headers: Record<string, string | string[]>, close?: 'announce' | 'drop'): Answer {
    const all = close === 'announce' ? { ...headers, Connection: 'close' } : headers;
    return { role: this.options.role, headers: all, close };
  }
}

/** Writes a 401/407 through a ServerResponse (with a body for the origin, none for the proxy). */
export function writeAnswer(res: http.ServerResponse, socket: Socket, answer: Answer): void {
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  const body = answer.role.body;
  if (body) res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (answer.close === 'drop') res.once('finish', () => socket.destroy());
  res.writeHead(answer.role.status, answer.role.statusText);
  res.end(body);
}

/** The answer's head as raw text, for a socket Node has handed over (a CONNECT being authenticated). */
export function answerHead(answer: Answer, extra: Record<string, string> = {}): string {
  const lines = [`HTTP/1.1 ${answer.role.status} ${answer.role.statusText}`];
  const length = String(Buffer.byteLength(answer.role.body));
  const headers: Record<string, string | string[]> = { ...answer.headers, 'Content-Length': length };
  if (answer.close !== 'announce') Object.assign(headers, { Connection: 'keep-alive' }, extra);
  for (const [name, value] of Object.entries(headers)) for (const v of [value].flat()) lines.push(`${name}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${answer.role.body}`;
}
