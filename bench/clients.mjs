// Every client under test behind one shape: get(url) and post(url, body) → { status, json? }.
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import axios from 'axios';
import { Agent, request } from 'undici';
import { NtlmDispatcher, createNtlmFetch } from '@ntlmkit/undici';
import { createNtlmAxios } from '@ntlmkit/axios';

const require = createRequire(import.meta.url);
const { NtlmClient } = require('axios-ntlm');
const httpntlm = require('httpntlm');

export const credentials = { username: 'EXAMPLE\\alice', password: 'Passw0rd!' };
const split = { username: 'alice', password: 'Passw0rd!', domain: 'EXAMPLE', workstation: '' };

const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * @returns {{ name: string, library: string, auth: boolean, get: Function, post: Function, close: Function,
 *   connections?: Function }}
 */
// `insecure`: trust the benchmark server's self-signed certificate (HTTPS rows).
export function makeClient(kind, { connections, insecure = false } = {}) {
  const connect = insecure ? { connect: { rejectUnauthorized: false } } : {};
  const httpsAgent = (extra = {}) => new https.Agent({ rejectUnauthorized: !insecure, ...extra });
  switch (kind) {
    case 'ntlmkit undici': {
      const dispatcher = new NtlmDispatcher({ credentials, ...connect, ...(connections ? { connections } : {}) });
      const send = async (url, init) => {
        const r = await request(url, { dispatcher, ...init });
        return { status: r.statusCode, json: parse(await r.body.text()) };
      };
      return {
        name: kind,
        library: 'undici',
        auth: true,
        get: (url) => send(url),
        post: (url, body) => send(url, { method: 'POST', body }),
        close: () => dispatcher.close(),
        connections: () => dispatcher.connectionCount(),
      };
    }
    case 'ntlmkit fetch': {
      const f = createNtlmFetch({ credentials, ...connect, ...(connections ? { connections } : {}) });
      const send = async (url, init) => {
        const r = await f(url, init);
        return { status: r.status, json: parse(await r.text()) };
      };
      return {
        name: kind,
        library: 'fetch',
        auth: true,
        get: (url) => send(url),
        post: (url, body) => send(url, { method: 'POST', body, duplex: 'half' }),
        close: () => f.close(),
        connections: () => f.dispatcher.connectionCount(),
      };
    }
    case 'ntlmkit axios': {
      const api = createNtlmAxios({
        credentials,
        ...(connections ? { connections } : {}),
        ...(insecure ? { httpsAgent: httpsAgent() } : {}),
        validateStatus: () => true,
        maxBodyLength: Infinity,
        maxContentLength: Infinity,
      });
      const send = async (p) => {
        const r = await p;
        return { status: r.status, json: typeof r.data === 'object' ? r.data : parse(r.data) };
      };
      return {
        name: kind,
        library: 'axios',
        auth: true,
        get: (url) => send(api.get(url)),
        post: (url, body) => send(api.post(url, body)),
        close: () => api.ntlm.destroy(),
        connections: () => api.ntlm.connectionCount(),
      };
    }
    case 'axios-ntlm': {
      const agentOptions = { keepAlive: true, ...(connections ? { maxSockets: connections } : {}) };
      // axios-ntlm answers the challenge from a response *error* interceptor: keep axios's default validateStatus.
      const api = NtlmClient(split, {
        httpAgent: new http.Agent(agentOptions),
        httpsAgent: httpsAgent(agentOptions),
        maxBodyLength: Infinity,
        maxContentLength: Infinity,
      });
      const send = async (p) => {
        try {
          const r = await p;
          return { status: r.status, json: typeof r.data === 'object' ? r.data : parse(r.data) };
        } catch (error) {
          if (error.response) return { status: error.response.status };
          throw error;
        }
      };
      return {
        name: kind,
        library: 'axios',
        auth: true,
        get: (url) => send(api.get(url)),
        post: (url, body) => send(api.post(url, body)),
        close: () => {},
      };
    }
    case 'httpntlm': {
      const call = (method, options) =>
        new Promise((resolve, reject) => {
          // httpntlm makes a keep-alive agent per call; for the self-signed HTTPS server, one that trusts it.
          const agent =
            insecure && options.url.startsWith('https:')
              ? { agent: new https.Agent({ keepAlive: true, rejectUnauthorized: false }) }
              : {};
          httpntlm[method]({ ...split, ...options, ...agent }, (error, res) =>
            error ? reject(error) : resolve({ status: res.statusCode, json: parse(res.body) }),
          );
        });
      return {
        name: kind,
        library: 'node:http',
        auth: true,
        get: (url) => call('get', { url }),
        post: (url, body) =>
          typeof body?.pipe === 'function'
            ? Promise.reject(new Error('httpntlm cannot send a stream'))
            : call('post', { url, body }),
        close: () => {},
      };
    }
    case 'baseline undici': {
      const dispatcher = new Agent({ ...connect, ...(connections ? { connections } : {}) });
      const send = async (url, init) => {
        const r = await request(url, { dispatcher, ...init });
        return { status: r.statusCode, json: parse(await r.body.text()) };
      };
      return {
        name: kind,
        library: 'undici',
        auth: false,
        get: (url) => send(url),
        post: (url, body) => send(url, { method: 'POST', body }),
        close: () => dispatcher.close(),
      };
    }
    case 'baseline fetch': {
      // Like for like with 'ntlmkit fetch': Node's global fetch with an undici Agent as its dispatcher.
      const dispatcher = new Agent({ ...connect, ...(connections ? { connections } : {}) });
      const send = async (url, init) => {
        const r = await fetch(url, { dispatcher, ...init });
        return { status: r.status, json: parse(await r.text()) };
      };
      return {
        name: kind,
        library: 'fetch',
        auth: false,
        get: (url) => send(url),
        post: (url, body) => send(url, { method: 'POST', body, duplex: 'half' }),
        close: () => dispatcher.close(),
      };
    }
    case 'baseline axios': {
      const agent = new http.Agent({ keepAlive: true, ...(connections ? { maxSockets: connections } : {}) });
      const secure = httpsAgent({ keepAlive: true, ...(connections ? { maxSockets: connections } : {}) });
      const api = axios.create({ httpAgent: agent, httpsAgent: secure, validateStatus: () => true });
      return {
        name: kind,
        library: 'axios',
        auth: false,
        get: async (url) => ({ status: (await api.get(url)).status }),
        post: async (url, body) => ({ status: (await api.post(url, body)).status }),
        close: () => {
          agent.destroy();
          secure.destroy();
        },
      };
    }
    case 'baseline node:http': {
      const agent = new http.Agent({ keepAlive: true, ...(connections ? { maxSockets: connections } : {}) });
      const secure = httpsAgent({ keepAlive: true, ...(connections ? { maxSockets: connections } : {}) });
      const get = (url) =>
        new Promise((resolve, reject) => {
          (url.startsWith('https:') ? https : http)
            .get(url, { agent: url.startsWith('https:') ? secure : agent }, (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode }));
            })
            .on('error', reject);
        });
      return {
        name: kind,
        library: 'node:http',
        auth: false,
        get,
        post: get,
        close: () => {
          agent.destroy();
          secure.destroy();
        },
      };
    }
    default:
      throw new Error(`unknown client ${kind}`);
  }
}

export const NTLM_CLIENTS = ['ntlmkit undici', 'ntlmkit fetch', 'ntlmkit axios', 'axios-ntlm', 'httpntlm'];
export const BASELINES = {
  undici: 'baseline undici',
  fetch: 'baseline fetch',
  axios: 'baseline axios',
  'node:http': 'baseline node:http',
};

/**
 * One client for many users, credentials per request (the many-users section): get(user) → { status }.
 * `user` is { username, password, domain }. ntlmkit: one client, `maxConnections` in all; httpntlm:
 * credentials per call (a new agent each time, as it works); axios-ntlm: one instance per user, made on
 * the user's first request and kept (its connections are the instance's).
 */
export function makeManyUserClient(kind, url, { maxConnections, keepAliveTimeout } = {}) {
  const origin = new URL(url).origin;
  // One origin: its own limit is the budget. An idle connection closes after keepAliveTimeout, whatever the
  // server's Keep-Alive hint (keepAliveMaxTimeout caps it), so that users without a connection can be weighed.
  const idle = keepAliveTimeout ? { keepAliveTimeout, keepAliveMaxTimeout: keepAliveTimeout } : {};
  const limits = { maxConnections, connections: maxConnections, ...idle };
  switch (kind) {
    case 'ntlmkit undici': {
      const dispatcher = new NtlmDispatcher({ origins: [origin], ...limits });
      return {
        get: async (user) => {
          const r = await request(url, { dispatcher: dispatcher.withCredentials(user) });
          await r.body.dump();
          return { status: r.statusCode };
        },
        close: () => dispatcher.close(),
        connections: () => dispatcher.connectionCount(),
      };
    }
    case 'ntlmkit fetch': {
      // Node's global fetch with the dispatcher of the request's user.
      const dispatcher = new NtlmDispatcher({ origins: [origin], ...limits });
      return {
        get: async (user) => {
          const r = await fetch(url, { dispatcher: dispatcher.withCredentials(user) });
          await r.arrayBuffer();
          return { status: r.status };
        },
        close: () => dispatcher.close(),
        connections: () => dispatcher.connectionCount(),
      };
    }
    case 'ntlmkit axios': {
      const api = createNtlmAxios({
        origins: [origin],
        maxConnections,
        connections: maxConnections,
        ...(keepAliveTimeout ? { freeSocketTimeout: keepAliveTimeout } : {}),
        validateStatus: () => true,
      });
      return {
        get: async (user) => ({ status: (await api.get(url, { ntlm: { credentials: user } })).status }),
        close: () => api.ntlm.destroy(),
        connections: () => api.ntlm.connectionCount(),
      };
    }
    case 'httpntlm':
      return {
        get: (user) =>
          new Promise((resolve, reject) => {
            httpntlm.get(
              { url, username: user.username, password: user.password, domain: user.domain, workstation: '' },
              (error, res) => (error ? reject(error) : resolve({ status: res.statusCode })),
            );
          }),
        close: () => {},
      };
    case 'axios-ntlm': {
      const instances = new Map();
      const instanceOf = (user) => {
        let api = instances.get(user.username);
        if (!api) {
          const { username, password, domain } = user;
          api = NtlmClient(
            { username, password, domain, workstation: '' },
            { httpAgent: new http.Agent({ keepAlive: true }) },
          );
          instances.set(user.username, api);
        }
        return api;
      };
      return {
        get: async (user) => {
          try {
            return { status: (await instanceOf(user).get(url)).status };
          } catch (error) {
            if (error.response) return { status: error.response.status };
            throw error;
          }
        },
        close: () => {
          for (const api of instances.values()) api.defaults.httpAgent?.destroy();
        },
      };
    }
    default:
      throw new Error(`unknown many-user client ${kind}`);
  }
}

export const MANY_USER_CLIENTS = ['ntlmkit undici', 'ntlmkit fetch', 'ntlmkit axios', 'httpntlm', 'axios-ntlm'];
