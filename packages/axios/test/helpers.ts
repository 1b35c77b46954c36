// Shared by the axios adapter's tests: the users, servers and clients, each stopped after its test.
import {
  createNtlmProxy,
  createNtlmServer,
  type NtlmProxy,
  type NtlmProxyOptions,
  type NtlmServer,
  type NtlmServerOptions,
} from '@ntlmkit/server';
import type { AxiosError } from 'axios';
import { createNtlmAxios, type NtlmAxiosInstance } from '../src/index';
import { SERVER_READINGS } from '../../../test/support/readings';

export const users = { 'EXAMPLE\\alice': 'Passw0rd!', 'EXAMPLE\\bob': 'Pässwörd€1' };
export const alice = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
export const bob = { username: 'EXAMPLE\\bob', password: 'Pässwörd€1' };
export const proxyUser = { username: 'CORP\\proxy', password: 'Pr0xy!' };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Runs `fn` after the current test (servers stop, clients close their connections). */
export function after(fn: () => unknown): void {
  cleanup.push(fn);
}

/** The readings of MS-NLMP's session-key rule a client must satisfy at once (test/support/readings.ts). */
export const READINGS = SERVER_READINGS;

export async function server(options: NtlmServerOptions = {}): Promise<NtlmServer> {
  const s = createNtlmServer({ users, ...options });
  await s.start();
  after(() => s.stop());
  return s;
}

export async function proxy(options: Partial<NtlmProxyOptions> = {}): Promise<NtlmProxy> {
  const p = createNtlmProxy({ users: { 'CORP\\proxy': 'Pr0xy!' }, ...options });
  await p.start();
  after(() => p.stop());
  return p;
}

export function client(config: Parameters<typeof createNtlmAxios>[0]): NtlmAxiosInstance {
  const c = createNtlmAxios(config);
  after(() => c.ntlm.destroy());
  return c;
}

export const outcome = (r: { headers: Record<string, unknown> }) => JSON.parse(String(r.headers['x-ntlm-outcome']));
/** The error a request rejects with (the test fails if it does not reject). */
export function rejection(p: Promise<unknown>): Promise<AxiosError> {
  return p.then(
    () => {
      throw new Error('the request was expected to fail');
    },
    (error: AxiosError) => error,
  );
}
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
