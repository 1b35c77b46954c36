// A minimal NTLM client for the server's tests: core's messages over one pinned keep-alive socket.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import {
  buildAuthenticateMessage,
  createNegotiateMessage,
  DEFAULT_NEGOTIATE_FLAGS,
  fromBase64,
  NegotiateFlags,
  toBase64,
  type AuthenticateOptions,
} from '@ntlmkit/core';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: import('node:net').Socket;
  /** The `WWW-Authenticate` values as sent (Node joins repeated headers in `headers`). */
  challenges: string[];
}

export function newAgent(url: string): http.Agent {
  const options = { keepAlive: true, maxSockets: 1, rejectUnauthorized: false };
  return url.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}

export function send(
  url: string,
  agent: http.Agent,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: Buffer | string,
): Promise<Reply> {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        agent,
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        const socket = res.socket;
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: data,
            socket,
            challenges: rawValues(res.rawHeaders, 'www-authenticate'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function rawValues(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

export function challengeFrom(reply: Reply): { scheme: string; token: Uint8Array } {
  const values = reply.challenges;
  for (const v of values) {
    const m = /^(NTLM|Negotiate) (\S+)$/.exec(v);
    if (m) return { scheme: m[1]!, token: fromBase64(m[2]!) };
  }
  throw new Error(`no challenge in ${JSON.stringify(values)}`);
}

export type Overrides = Partial<AuthenticateOptions> & {
  withCertificate?: boolean;
  tamper?: (m: Uint8Array) => Uint8Array;
  scheme?: string;
};

/** NEGOTIATE and AUTHENTICATE on the agent's single socket; returns the final reply. */
export async function ntlmHandshake(
  url: string,
  agent: http.Agent,
  credentials: { username: string; password?: string; ntHash?: string },
  o: Overrides = {},
): Promise<Reply & { authenticate: Uint8Array }> {
  const scheme = o.scheme ?? 'NTLM';
  // As core's NtlmContext does: level 0 asks for no ESS (the AUTHENTICATE keeps only what was negotiated).
  const level0 = o.lmCompatibilityLevel === 0;
  const negotiate = createNegotiateMessage(
    level0 ? { flags: DEFAULT_NEGOTIATE_FLAGS & ~NegotiateFlags.EXTENDED_SESSIONSECURITY } : {},
  );
  const r1 = await send(url, agent, { authorization: `${scheme} ${toBase64(negotiate)}` });
  if (r1.status !== 401) throw new Error(`expected 401 with a challenge, got ${r1.status}`);
  const { token } = challengeFrom(r1);
  const peer =
    url.startsWith('https:') && o.withCertificate !== false ? (r1.socket as TLSSocket).getPeerCertificate() : undefined;
  const { withCertificate: _w, tamper, scheme: _s, ...options } = o;
  let message = buildAuthenticateMessage({
    negotiate,
    challenge: token,
    ...credentials,
    ...(peer ? { serverCertificate: peer } : {}),
    ...options,
  }).message;
  if (tamper) message = tamper(message);
  const r3 = await send(url, agent, { authorization: `${scheme} ${toBase64(message)}` });
  return { ...r3, authenticate: message };
}

export function outcome(reply: Reply): Record<string, unknown> {
  return JSON.parse(String(reply.headers['x-ntlm-outcome']));
}
