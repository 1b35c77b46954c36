// @ntlmkit/server checked with clients we did not write: curl and Debian's python3-ntlm-auth.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createNtlmProxy, createNtlmServer, type NtlmServer, type OutcomeEvent } from '@ntlmkit/server';
import { commandWorks, describePeer } from '../peers/availability';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const users = { 'EXAMPLE\\alice': 'Passw0rd!' };

const curlOk = commandWorks('curl', ['--version']);
const pythonOk = commandWorks(PYTHON, ['-c', 'import ntlm_auth.ntlm, Cryptodome.Hash.MD4']);

function servers(tokenChecking: 'require' | 'allow') {
  const list: Record<string, NtlmServer> = {
    http: createNtlmServer({ users, lmCompatibilityLevel: 5 }),
    https: createNtlmServer({ users, https: true, tokenChecking }),
  };
  const outcomes: OutcomeEvent[] = [];
  beforeAll(async () => {
    for (const s of Object.values(list)) {
      s.on('ntlm', (o) => outcomes.push(o));
      await s.start();
    }
  });
  afterAll(async () => Promise.all(Object.values(list).map((s) => s.stop())));
  return { list, outcomes };
}

describePeer(
  'curl',
  curlOk,
  'apt-get install curl',
)('curl --ntlm', () => {
  // curl sends no channel binding, so HTTPS runs with tokenChecking "allow", as IIS commonly does.
  const { list, outcomes } = servers('allow');
  async function curl(url: string, password: string): Promise<{ status: number; body: string }> {
    const { stdout } = await run('curl', [
      '-sk',
      '--ntlm',
      '-u',
      `EXAMPLE\\alice:${password}`,
      '-w',
      '\n%{http_code}',
      url,
    ]);
    const lines = stdout.trimEnd().split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n') };
  }

  test.each(['http', 'https'])('%s: right password → 200 as EXAMPLE\\alice, wrong → 401', async (kind) => {
    const server = list[kind]!;
    const ok = await curl(server.url, 'Passw0rd!');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).user).toBe('EXAMPLE\\alice');
    expect(outcomes.at(-1)).toMatchObject({ ok: true, dialect: 'NTLMv2', mic: false });
    const bad = await curl(server.url, 'wrong');
    expect(bad.status).toBe(401);
    expect(outcomes.at(-1)?.reason).toMatch(/wrong password/);
  });
});

describePeer(
  'python3-ntlm-auth',
  pythonOk,
  'apt-get install python3-ntlm-auth python3-pycryptodome',
)('python3-ntlm-auth', () => {
  const { list, outcomes } = servers('require');
  const script = join(__dirname, '..', 'peers', 'python-ntlm-client.py');
  async function py(url: string, password: string): Promise<{ status: number; outcome: Record<string, unknown> }> {
    const { stdout } = await run(PYTHON, [script, url, 'EXAMPLE', 'alice', password]);
    const [status, outcome] = stdout.split('\n');
    return { status: Number(status), outcome: outcome ? JSON.parse(outcome) : {} };
  }

  test('http: right password → 200 with a MIC, wrong → 401', async () => {
    const ok = await py(list.http!.url, 'Passw0rd!');
    expect(ok.status).toBe(200);
    expect(ok.outcome).toMatchObject({ ok: true, dialect: 'NTLMv2', mic: true });
    const bad = await py(list.http!.url, 'wrong');
    expect(bad.status).toBe(401);
    expect(outcomes.at(-1)?.reason).toMatch(/wrong password/);
  });

  test('https with tokenChecking require: its channel binding matches ours', async () => {
    const ok = await py(list.https!.url, 'Passw0rd!');
    expect(ok.status).toBe(200);
    expect(ok.outcome).toMatchObject({ ok: true, mic: true, channelBinding: 'present' });
    const bad = await py(list.https!.url, 'wrong');
    expect(bad.status).toBe(401);
  });
});

describePeer(
  'curl',
  curlOk,
  'apt-get install curl',
)('curl --proxy-ntlm against the proxy mode', () => {
  test('HTTP and CONNECT through the NTLM proxy; a wrong password gets 407', async () => {
    const proxy = createNtlmProxy({ users: { 'CORP\\proxy': 'Pr0xy!' } });
    const origin = createNtlmServer({ authenticate: false });
    const secure = createNtlmServer({ authenticate: false, https: true });
    await proxy.start();
    await origin.start();
    await secure.start();
    try {
      const curl = async (url: string, password: string) => {
        const { stdout } = await run('curl', [
          '-sk',
          '--proxy-ntlm',
          '-U',
          `CORP\\proxy:${password}`,
          '-x',
          proxy.url,
          '-w',
          '\n%{http_code}',
          url,
        ]);
        return Number(stdout.trimEnd().split('\n').pop());
      };
      expect(await curl(`${origin.url}/via-proxy`, 'Pr0xy!')).toBe(200);
      expect(await curl(`${secure.url}/tunnel`, 'Pr0xy!')).toBe(200);
      expect(await curl(`${origin.url}/`, 'wrong')).toBe(407);
      expect(proxy.stats.authenticated).toBe(2);
    } finally {
      await Promise.all([proxy.stop(), origin.stop(), secure.stop()]);
    }
  });
});
