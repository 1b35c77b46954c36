// The Airlock development gateway at scale: 1,000 browser sessions, interleaved, each with its own script of
// HTTP_NTLM definitions (global, mapping-specific, several per command, global after mapping-specific,
// clears of everything and of one mapping, several control cookies per response, control cookies from
// NTLM back ends too) and requests to three NTLM mappings on two back ends and to a plain one. A model
// written from the rules says who each request must reach the back end as; the back end says who it
// authenticated. Also: the package root loads without @ntlmkit/undici installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlCookie, ntlmCredentials, percentEncode } from '@ntlmkit/airlock';
import {
  startBackends,
  startScene,
  type Backends,
  type Browser,
  type Scene,
} from '../packages/airlock/test/gateway-scene';
import { seededRandom } from './support/random';

const USERS = 1000;
const SESSIONS = 1000;
// The same scripts on every run.
const rand = seededRandom(16);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const ALPHABET = 'abcXYZ019 :,@%&=;+\\/?#ü€密';
const users: Record<string, string> = {};
for (let i = 0; i < USERS; i++) {
  let password = '';
  for (let j = 0; j < 6 + (i % 10); j++) password += pick([...ALPHABET]);
  users[`u${String(i).padStart(4, '0')}`] = `${password}${i}`;
}
const names = Object.keys(users);
const NTLM_MAPPINGS = ['m1', 'm2', 'm3'] as const;

/** One definition: a user (credentials) or none (the empty definition), global or for a mapping. */
interface Definition {
  user?: string;
  mapping?: string;
}

/** The rules, as the issue and the control API state them, kept apart from the gateway's code. */
class Model {
  global: string | undefined;
  readonly scoped = new Map<string, string>();

  apply(d: Definition): void {
    if (d.user === undefined && d.mapping === undefined) {
      this.global = undefined;
      this.scoped.clear();
    } else if (d.user === undefined) this.scoped.delete(d.mapping!);
    else if (d.mapping === undefined) {
      this.global = d.user;
      this.scoped.clear();
    } else this.scoped.set(d.mapping, d.user);
  }

  expected(mapping: string): string | null {
    const user = this.scoped.get(mapping) ?? this.global;
    return user === undefined ? null : `EXAMPLE\\${user}`;
  }
}

const encodeDefinition = (d: Definition) =>
  `${d.user === undefined ? '' : percentEncode(`EXAMPLE\\${d.user}:${users[d.user]}`)}${d.mapping ? `@${d.mapping}` : ''}`;

/** The Set-Cookie headers of one control step, in one of the shapes a login application may write. */
function cookiesFor(definitions: Definition[]): string[] {
  const shape = rand();
  if (shape < 0.3) {
    // One command, definitions in any order (the builders refuse a global one after mapping-specific ones).
    return [`AL_CONTROL=${percentEncode(`HTTP_NTLM=${definitions.map(encodeDefinition).join(',')}`)}`];
  }
  if (shape < 0.5) {
    // One HTTP_NTLM command per definition in one cookie.
    return [`AL_CONTROL=${percentEncode(definitions.map((d) => `HTTP_NTLM=${encodeDefinition(d)}`).join('&'))}`];
  }
  if (shape < 0.7) {
    // One control cookie per definition, with another cookie between them that must pass.
    return definitions.flatMap((d, i) => [
      `AL_CONTROL=${percentEncode(`HTTP_NTLM=${encodeDefinition(d)}`)}`,
      `app${i}=v; Path=/`,
    ]);
  }
  // The builder, one definition per call (always a valid order).
  return definitions.map((d) =>
    controlCookie(
      ntlmCredentials(
        d.user === undefined
          ? { clear: true, ...(d.mapping ? { mapping: d.mapping } : {}) }
          : {
              domain: 'EXAMPLE',
              username: d.user,
              password: users[d.user]!,
              ...(d.mapping ? { mapping: d.mapping } : {}),
            },
      ),
    ),
  );
}

function randomDefinition(): Definition {
  const r = rand();
  if (r < 0.35) return { user: pick(names) };
  if (r < 0.8) return { user: pick(names), mapping: pick(NTLM_MAPPINGS) };
  if (r < 0.9) return { mapping: pick(NTLM_MAPPINGS) };
  return {};
}

type Step =
  | { kind: 'control'; via: string; definitions: Definition[] }
  | { kind: 'request'; mapping: string; control?: Definition[] }
  | { kind: 'plain' };

function script(): Step[] {
  const steps: Step[] = [];
  const length = 4 + Math.floor(rand() * 6);
  for (let i = 0; i < length; i++) {
    const r = rand();
    const definitions = Array.from({ length: 1 + Math.floor(rand() * 3) }, randomDefinition);
    if (r < 0.35) steps.push({ kind: 'control', via: pick(['/login/x', '/plain/y', '/']), definitions });
    else if (r < 0.5)
      steps.push({ kind: 'request', mapping: pick(NTLM_MAPPINGS), control: definitions }); // an NTLM back end sets it
    else if (r < 0.9) steps.push({ kind: 'request', mapping: pick(NTLM_MAPPINGS) });
    else steps.push({ kind: 'plain' });
  }
  return steps;
}

const PATHS: Record<string, string> = { m1: '/m1/r', m2: '/m2/r', m3: '/m3/r' };

describe('1,000 sessions through one gateway', () => {
  let backends: Backends;
  let scene: Scene;

  beforeAll(async () => {
    backends = await startBackends(users);
    scene = await startScene(
      {
        mappings: [
          { name: 'm1', path: '/m1', backend: `${backends.a.url}/one`, ntlm: true },
          { name: 'm2', path: '/m2', backend: `${backends.b.url}/two`, ntlm: true },
          { name: 'm3', path: '/m3', backend: `${backends.a.url}/three`, ntlm: true },
          { name: 'login', path: '/login', backend: `${backends.plainUrl}/login` },
          { name: 'plain', path: '/plain', backend: backends.plainUrl },
          { name: 'root', path: '/', backend: backends.plainUrl },
        ],
        maxConnections: 48,
        connections: 32,
      },
      backends,
    );
  });
  afterAll(async () => {
    await scene.stop();
    await backends.stop();
  });

  test("every request reaches its back end as the session's user under the HTTP_NTLM rules; 0 as anyone else", async () => {
    const scripts = Array.from({ length: SESSIONS }, script);
    const tally = {
      requests: 0,
      ntlmRequests: 0,
      withUser: 0,
      withoutUser: 0,
      controls: 0,
      wrong: [] as string[],
      leaked: 0,
    };
    const checkCookies = (setCookie: string[]) => {
      if (setCookie.some((c) => /^\s*al_control\s*=/i.test(c))) tally.leaked++;
    };
    async function run(browser: Browser, steps: Step[], index: number): Promise<void> {
      const model = new Model();
      for (const step of steps) {
        tally.requests++;
        if (step.kind === 'control') {
          const reply = await browser.login(cookiesFor(step.definitions), step.via);
          checkCookies(reply.setCookie);
          if (reply.status !== 200) tally.wrong.push(`session ${index}: login ${reply.status}`);
          for (const d of step.definitions) model.apply(d);
          tally.controls++;
          continue;
        }
        if (step.kind === 'plain') {
          const reply = await browser.request('/plain/check');
          checkCookies(reply.setCookie);
          if (reply.json().authorization !== null)
            tally.wrong.push(`session ${index}: credentials reached the plain back end`);
          continue;
        }
        tally.ntlmRequests++;
        const expected = model.expected(step.mapping);
        const reply = await browser.request(
          PATHS[step.mapping]!,
          step.control ? { backendSets: cookiesFor(step.control) } : {},
        );
        checkCookies(reply.setCookie);
        const outcome = reply.headers['x-ntlm-outcome'];
        const outcomeUser =
          typeof outcome === 'string' ? (JSON.parse(outcome) as { user?: string; ok: boolean }) : undefined;
        const got =
          reply.status === 200
            ? (reply.json().user as string)
            : reply.status === 401 && !outcomeUser
              ? null
              : `status ${reply.status}`;
        if (got !== expected)
          tally.wrong.push(`session ${index} ${step.mapping}: expected ${expected}, the back end saw ${got}`);
        if (outcomeUser && (!outcomeUser.ok || outcomeUser.user !== expected)) {
          tally.wrong.push(`session ${index} ${step.mapping}: x-ntlm-outcome ${String(outcome)}, expected ${expected}`);
        }
        if (expected === null) tally.withoutUser++;
        else tally.withUser++;
        // The NTLM back end runs its handler (and sets the cookies) only for an authenticated request.
        if (step.control && reply.status === 200) for (const d of step.control) model.apply(d);
      }
    }
    // The sessions interleave: 100 browsers at a time, each one step at a time.
    let next = 0;
    let withSession = 0;
    const started = backends.plainRequests.length;
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        while (next < scripts.length) {
          const index = next++;
          const browser = scene.browser();
          await run(browser, scripts[index]!, index);
          if (browser.jar.has('AL_DEV_SESSION')) withSession++;
        }
      }),
    );
    expect(tally.wrong.slice(0, 10)).toEqual([]);
    expect(tally.wrong).toHaveLength(0);
    expect(tally.leaked).toBe(0);
    for (const r of backends.plainRequests.slice(started)) expect(r.headers.authorization).toBeUndefined();
    // The run covered what it claims: thousands of requests, both outcomes, a budget far below the users.
    expect(tally.requests).toBeGreaterThan(5000);
    expect(tally.withUser).toBeGreaterThan(1000);
    expect(tally.withoutUser).toBeGreaterThan(200);
    expect(tally.controls).toBeGreaterThan(1000);
    // Authenticated connections, across both back ends and every session: within maxConnections.
    expect(backends.sockets.ntlm.max).toBeLessThanOrEqual(48);
    // One session per browser that was ever given something to keep.
    expect(withSession).toBeGreaterThan(800);
    expect(scene.gateway.stats.sessions).toBe(withSession);
    // No password in the gateway's log.
    const log = scene.logs.join('\n');
    expect(log).toMatch(/session \d+ GET \/m1\/r → m1 as EXAMPLE\\u\d{4}: 200/);
    for (const password of Object.values(users).slice(0, 200)) expect(log).not.toContain(password);
  }, 240_000);
});

test('NODE_DEBUG=ntlm-gateway prints the log on stderr, without passwords (examples/airlock-gateway.mjs)', () => {
  const examples = join(__dirname, '..', 'examples');
  const result = spawnSync(process.execPath, [join(examples, 'airlock-gateway.mjs')], {
    cwd: examples,
    encoding: 'utf8',
    env: { ...process.env, NODE_DEBUG: 'ntlm-gateway' },
    timeout: 60_000,
  });
  expect(result.status).toBe(0);
  expect(result.stderr).toMatch(
    /NTLM-GATEWAY \d+: session 1 GET \/ews\/Exchange\.asmx → exchange as EXAMPLE\\alice: 200/,
  );
  expect(result.stderr).toMatch(
    /NTLM-GATEWAY \d+: session 2 GET \/ews\/Exchange\.asmx → exchange as EXAMPLE\\bob: 200/,
  );
  expect(result.stdout).toContain('bob GET /ews/Services.wsdl: 200, the back end saw EXAMPLE\\bob');
  for (const secret of ['Alice-Passw0rd!', 'B0b-secret:with,separators@%']) {
    expect(result.stderr + result.stdout).not.toContain(secret);
    expect(result.stderr + result.stdout).not.toContain(encodeURIComponent(secret));
  }
});

describe('@ntlmkit/airlock without @ntlmkit/undici installed', () => {
  // The built package in a directory where only @ntlmkit/core can be found.
  const root = join(__dirname, '..');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntlmkit-airlock-alone-'));
    const target = join(dir, 'node_modules', '@ntlmkit');
    mkdirSync(join(target, 'airlock'), { recursive: true });
    cpSync(join(root, 'packages', 'airlock', 'package.json'), join(target, 'airlock', 'package.json'));
    cpSync(join(root, 'packages', 'airlock', 'dist'), join(target, 'airlock', 'dist'), { recursive: true });
    symlinkSync(join(root, 'packages', 'core'), join(target, 'core'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const script = `
    const header = a.controlCookie(a.ntlmCredentials({ username: 'u', password: 'p' }));
    const gateway = a.createAirlockDevGateway({ mappings: [{ name: 'm', path: '/', backend: 'http://127.0.0.1:1', ntlm: true }] });
    gateway.start().then(() => console.log('started'), (e) => console.log(header, e.code, e.message));`;

  test.each([
    ['require', `const a = require('@ntlmkit/airlock'); ${script}`],
    ['import', `import('@ntlmkit/airlock').then((a) => { ${script} });`],
  ])('%s: controlCookie works; start() says what to install', (_, code) => {
    const out = execFileSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe(
      'AL_CONTROL=HTTP_NTLM%3Du%253Ap ERR_NTLM_UNSUPPORTED the Airlock development gateway authenticates through ' +
        '@ntlmkit/undici: install it (npm install @ntlmkit/undici undici)',
    );
  });
});
