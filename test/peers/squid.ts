// Starts the real Squid + Samba ntlm_auth proxy (test/peers/squid-ntlm) on a free loopback port.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNtlmServer, type NtlmServer } from '@ntlmkit/server';
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

export const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
// Samba's local-password mode checks the password (and the MIC), not the user name.
export const proxyUser = { username: 'EXAMPLE\\proxyuser', password: 'Passw0rd!' };

/** Squid and three origins behind it: open, NTLM over HTTP, NTLM over HTTPS with channel binding required. */
export interface ProxyScene {
  squid: RunningProxy;
  open: NtlmServer;
  ntlmHttp: NtlmServer;
  ntlmHttps: NtlmServer;
  stop(): Promise<void>;
}

export async function startProxyScene(): Promise<ProxyScene> {
  const users = { [alice.username]: alice.password };
  const squid = await startSquid();
  const origins = [
    createNtlmServer({ authenticate: false }),
    createNtlmServer({ users }),
    createNtlmServer({ users, https: true, tokenChecking: 'require' }),
  ] as const;
  try {
    for (const s of origins) await s.start();
  } catch (error) {
    squid.stop();
    throw error;
  }
  const [open, ntlmHttp, ntlmHttps] = origins;
  return {
    squid,
    open,
    ntlmHttp,
    ntlmHttps,
    async stop() {
      for (const s of origins) await s.stop();
      squid.stop();
    },
  };
}
