// Core's messages, hand-carried over one keep-alive socket, against the real lenient readers of the
// session-key rule: Apache + mod_auth_gssapi + gss-ntlmssp (401) and Squid + Samba's ntlm_auth (407).
// Each NEGOTIATE flag combination makes the server return a different set, so each branch of the
// client's session-key choice meets a real peer (the strict reading is @ntlmkit/server's default,
// tested in packages/server/test/acceptor.test.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildAuthenticateMessage,
  createNegotiateMessage,
  DEFAULT_NEGOTIATE_FLAGS,
  fromBase64,
  NegotiateFlags,
  parseChallengeMessage,
  toBase64,
} from '../src/internal';
import { APACHE_INSTALL, apacheAvailable, startApache, type RunningPeer } from '../../../test/peers/apache';
import { describePeer } from '../../../test/peers/availability';
import { SQUID_INSTALL, squidAvailable, startSquid, type RunningProxy } from '../../../test/peers/squid';

const F = NegotiateFlags;
const NEGOTIATES: [string, number][] = [
  ['the default (SIGN | KEY_EXCH): the random key', DEFAULT_NEGOTIATE_FLAGS],
  ['KEY_EXCH without SIGN (the old default): RC4K(KeyExchangeKey, KeyExchangeKey)', 0xe2088207],
  ['KEY_EXCH | SEAL: the random key', (0xe2088207 | F.SEAL) >>> 0],
  ['no KEY_EXCH (as Chromium): the KeyExchangeKey', (0x00088207 | F.VERSION) >>> 0],
];

interface Exchange {
  status: number;
  header(name: string): string | undefined;
}

/** One request on the agent's single socket. */
function send(agent: http.Agent, options: http.RequestOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, ...options }, (res) => {
      res.resume();
      res.on('end', () => {
        const raw = res.rawHeaders;
        resolve({
          status: res.statusCode!,
          header: (name) => {
            for (let i = 0; i + 1 < raw.length; i += 2)
              if (raw[i]!.toLowerCase() === name && /^NTLM \S/.test(raw[i + 1]!)) return raw[i + 1];
            return undefined;
          },
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function handshake(
  request: (authorization: string) => Promise<Exchange>,
  challengeHeader: string,
  flags: number,
  credentials: { username: string; password: string },
) {
  const negotiate = createNegotiateMessage({ flags });
  const first = await request(`NTLM ${toBase64(negotiate)}`);
  const token = first.header(challengeHeader);
  if (!token) throw new Error(`no CHALLENGE (status ${first.status})`);
  const challenge = parseChallengeMessage(fromBase64(token.slice(5)));
  const result = buildAuthenticateMessage({ ...credentials, negotiate, challenge });
  const final = await request(`NTLM ${toBase64(result.message)}`);
  return { status: final.status, challenge, result };
}

describePeer(
  'Apache + gss-ntlmssp',
  apacheAvailable(),
  APACHE_INSTALL,
)('Apache + gss-ntlmssp accepts every session-key choice', () => {
  let apache: RunningPeer;
  beforeAll(async () => {
    apache = await startApache();
  }, 90_000);
  afterAll(() => apache?.stop());

  test.each(NEGOTIATES)('%s', async (_name, flags) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = new URL(`${apache.http}/`);
      const request = (authorization: string) =>
        send(agent, { host: url.hostname, port: url.port, path: '/', headers: { authorization } });
      const { status, challenge, result } = await handshake(request, 'www-authenticate', flags, {
        username: 'EXAMPLE\\alice',
        password: 'Passw0rd!',
      });
      expect(challenge.timestamp).toBeDefined();
      expect(result.mic).toBeDefined();
      const random = (challenge.flags & F.KEY_EXCH) !== 0 && (challenge.flags & (F.SIGN | F.SEAL)) !== 0;
      expect(result.sessionKeySource).toBe(random ? 'random-session-key' : 'key-exchange-key');
      expect(status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describePeer(
  'Squid + ntlm_auth',
  squidAvailable(),
  SQUID_INSTALL,
)('Squid + Samba ntlm_auth accepts every session-key choice', () => {
  let squid: RunningProxy;
  let origin: http.Server;
  beforeAll(async () => {
    squid = await startSquid();
    origin = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  }, 90_000);
  afterAll(async () => {
    squid?.stop();
    await new Promise((resolve) => origin?.close(resolve));
  });

  test.each(NEGOTIATES)('%s', async (_name, flags) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const proxy = new URL(squid.uri);
      const target = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/`;
      const request = (authorization: string) =>
        send(agent, {
          host: proxy.hostname,
          port: proxy.port,
          path: target,
          headers: { 'proxy-authorization': authorization, host: new URL(target).host },
        });
      const { status, challenge, result } = await handshake(request, 'proxy-authenticate', flags, {
        username: 'EXAMPLE\\proxyuser',
        password: 'Passw0rd!',
      });
      expect(result.dialect).toBe('NTLMv2');
      expect(challenge.timestamp).toBeDefined(); // so a MIC is sent, and Samba checks it
      expect(result.mic).toBeDefined();
      const random = (challenge.flags & F.KEY_EXCH) !== 0 && (challenge.flags & (F.SIGN | F.SEAL)) !== 0;
      expect(result.sessionKeySource).toBe(random ? 'random-session-key' : 'key-exchange-key');
      expect(status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
