// The options of the server and the proxy reach the acceptor policy of every connection, with the
// defaults applied. The real acceptor runs; a subclass only records the policy it was given.
import type { AcceptorPolicy } from '../src/acceptor';
import { acceptorPolicy } from '../src/gate';
import { createNtlmProxy, createNtlmServer } from '../src/index';
import { alice, handshake, PinnedAgent, stopAfterEach, users } from './wire';

const mockPolicies: AcceptorPolicy[] = [];
jest.mock('../src/acceptor', () => {
  const actual = jest.requireActual('../src/acceptor');
  class RecordingAcceptor extends actual.NtlmAcceptor {
    constructor(policy: AcceptorPolicy) {
      super(policy);
      mockPolicies.push(policy);
    }
  }
  return { ...actual, NtlmAcceptor: RecordingAcceptor };
});

const track = stopAfterEach();
beforeEach(() => void mockPolicies.splice(0));

type Strictness = { lenientSessionKey?: boolean; requireMic?: boolean };

async function serverPolicies(options: Strictness): Promise<Record<string, unknown>[]> {
  const server = track.keep(createNtlmServer({ users, ...options }));
  await server.start();
  for (let i = 0; i < 2; i++) {
    const agent = track.agent(new PinnedAgent());
    expect((await handshake(server.url, agent, alice)).final.status).toBe(200);
  }
  return mockPolicies as unknown as Record<string, unknown>[];
}

async function proxyPolicies(options: Strictness): Promise<Record<string, unknown>[]> {
  const origin = track.keep(createNtlmServer({ authenticate: false }));
  const proxy = track.keep(createNtlmProxy({ users, ...options }));
  await origin.start();
  await proxy.start();
  const agent = track.agent(new PinnedAgent());
  const r = await handshake(proxy.url, agent, alice, { path: `${origin.url}/x` }, 'proxy-authorization');
  expect(r.final.status).toBe(200);
  // The proxy's acceptors know alice; the origin's (no users) are not the subject here.
  return mockPolicies.filter((p) => p.users.find('alice', 'EXAMPLE')) as unknown as Record<string, unknown>[];
}

describe.each([
  ['server', serverPolicies],
  ['proxy', proxyPolicies],
] as const)('the %s', (_name, policies) => {
  test('lenientSessionKey and requireMic default to false (the spec’s reading; a MIC checked when announced)', async () => {
    const all = await policies({});
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) expect(p).toMatchObject({ lenientSessionKey: false, requireMic: false });
  });

  test.each([
    [{ lenientSessionKey: true }, { lenientSessionKey: true, requireMic: false }],
    [{ requireMic: true }, { lenientSessionKey: false, requireMic: true }],
    [
      { lenientSessionKey: true, requireMic: true },
      { lenientSessionKey: true, requireMic: true },
    ],
  ])('%p reaches the acceptor of every connection', async (options, expected) => {
    const all = await policies(options);
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) expect(p).toMatchObject(expected);
  });
});

test('acceptorPolicy applies the defaults and shares one replay set between connections', () => {
  const p = acceptorPolicy({}, { tls: false }) as AcceptorPolicy & Strictness;
  expect(p).toMatchObject({
    lmCompatibilityLevel: 5,
    tokenChecking: 'allow',
    maxClockSkewMs: 300_000,
    allowAnonymous: false,
    tls: false,
    lenientSessionKey: false,
    requireMic: false,
    targetNames: { netbiosDomain: 'EXAMPLE', dnsDomain: 'example.test' },
  });
  const server = track.keep(createNtlmServer({ users }));
  // Two connections' acceptors: equal policies, the same set of seen proofs.
  return server.start().then(async () => {
    for (let i = 0; i < 2; i++) {
      const agent = track.agent(new PinnedAgent());
      await handshake(server.url, agent, alice);
    }
    expect(mockPolicies).toHaveLength(2);
    expect(mockPolicies[0]).not.toBe(mockPolicies[1]);
    expect(mockPolicies[0]!.seenProofs).toBe(mockPolicies[1]!.seenProofs);
  });
});
