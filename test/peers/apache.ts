// Starts the real Apache + mod_auth_gssapi + gss-ntlmssp server (test/peers/apache-ntlm) on free loopback ports.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const APACHE_INSTALL =
  'apt-get install -y --no-install-recommends apache2 libapache2-mod-auth-gssapi gss-ntlmssp openssl curl';

export function apacheAvailable(): boolean {
  if (!existsSync('/usr/sbin/apache2') || !existsSync('/usr/lib/apache2/modules/mod_auth_gssapi.so')) return false;
  return readdirSync('/usr/lib').some((d) => existsSync(join('/usr/lib', d, 'gssntlmssp', 'gssntlmssp.so')));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RunningPeer {
  http: string;
  https: string;
  dir: string;
  stop(): void;
}

export async function startApache(): Promise<RunningPeer> {
  const [port, tlsPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'ntlmkit-apache-'));
  chmodSync(dir, 0o755); // the workers run as www-data when started as root
  const script = join(__dirname, 'apache-ntlm');
  execFileSync('sh', [join(script, 'start.sh'), String(port), dir, String(tlsPort)], {
    stdio: 'pipe',
    timeout: 60_000,
  });
  return {
    http: `http://127.0.0.1:${port}`,
    https: `https://127.0.0.1:${tlsPort}`,
    dir,
    stop() {
      try {
        execFileSync('sh', [join(script, 'stop.sh'), dir], { stdio: 'pipe', timeout: 30_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
