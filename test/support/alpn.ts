// An HTTPS server on loopback that records the ALPN protocols each client offers, for the tests that check
// the adapters offer only http/1.1 (NTLM authenticates connections; HTTP/2 multiplexes them).
import https from 'node:https';
import { createSelfSignedCertificate } from '@ntlmkit/server';

export interface AlpnRecorder {
  url: string;
  /** The certificate to trust (`ca`). */
  ca: string;
  /** The protocol lists offered, one per TLS handshake. */
  offered: string[][];
  close(): Promise<void>;
}

export async function startAlpnRecorder(): Promise<AlpnRecorder> {
  const cert = createSelfSignedCertificate();
  const offered: string[][] = [];
  const s = https.createServer(
    {
      cert: cert.cert,
      key: cert.key,
      ALPNCallback: ({ protocols }: { protocols: string[] }) => {
        offered.push(protocols);
        return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
      },
    } as never,
    (_req, res) => res.end('ok'),
  );
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(s.address() as { port: number }).port}`,
    ca: cert.cert,
    offered,
    close: () => new Promise((resolve) => s.close(() => resolve())),
  };
}
