// Starts the real Squid + Samba ntlm_auth proxy (test/peers/squid-ntlm) on a free loopback port.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './apache';

export const SQUID_INSTALL = 'apt-get install -y --no-install-recommends squid winbind curl';

export function squidAvailable(): boolean {
  return (existsSync('/usr/sbin/squid') || existsSync('/usr/bin/squid')) && existsSync('/usr/bin/ntlm_auth');
}

export interface RunningProxy {
  uri: string;
  stop(): void;
}

export async function startSquid(): Promise<RunningProxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ntlmkit-squid-'));
  chmodSync(dir, 0o755);
  const script = join(__dirname, 'squid-ntlm');
  execFileSync('sh', [join(script, 'start.sh'), String(port), dir], { stdio: 'pipe', timeout: 60_000 });
  return {
    uri: `http://127.0.0.1:${port}`,
    stop() {
      try {
        execFileSync('sh', [join(script, 'stop.sh'), dir], { stdio: 'pipe', timeout: 30_000 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
