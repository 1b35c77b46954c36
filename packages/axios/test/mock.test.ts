// Issue 15 §6: an adapter function of the caller's own runs instead of NTLM, so axios-mock-adapter works on
// an NTLM instance (and its passThrough goes through NTLM).
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { withNtlm } from '../src/index';
import { after, alice, client, server } from './helpers';

test('axios-mock-adapter on an NTLM instance: mocked replies, no network', async () => {
  const s = await server();
  const api = client({ credentials: alice, baseURL: s.url });
  const mock = new MockAdapter(api);
  mock.onGet('/users').reply(200, [{ name: 'alice' }]);
  mock.onPost('/users').reply(201, { created: true });
  expect((await api.get('/users')).data).toEqual([{ name: 'alice' }]);
  expect((await api.post('/users', { name: 'bob' })).status).toBe(201);
  await expect(api.get('/missing')).rejects.toMatchObject({ response: { status: 404 } });
  expect(s.stats.requests).toBe(0);
});

test('passThrough and restore() reach the server through NTLM', async () => {
  const s = await server();
  const api = client({ credentials: alice, baseURL: s.url });
  const mock = new MockAdapter(api);
  mock.onGet('/mocked').reply(200, 'mocked');
  mock.onGet('/real').passThrough();
  expect((await api.get('/mocked')).data).toBe('mocked');
  expect((await api.get('/real')).data).toMatchObject({ user: 'EXAMPLE\\alice', path: '/real' });
  mock.restore();
  expect((await api.get('/after')).data).toMatchObject({ user: 'EXAMPLE\\alice', path: '/after' });
  expect(s.stats.handshakes).toBe(1);
});

test('a mock installed before withNtlm keeps working; an adapter function per request too', async () => {
  const s = await server();
  const instance = axios.create({ baseURL: s.url });
  const mock = new MockAdapter(instance);
  mock.onGet('/x').reply(200, 'from the mock');
  const api = withNtlm(instance, { credentials: alice });
  after(() => api.ntlm.destroy());
  expect((await api.get('/x')).data).toBe('from the mock');
  const own = await api.get('/y', {
    adapter: (config) => Promise.resolve({ data: 'mine', status: 200, statusText: 'OK', headers: {}, config }),
  });
  expect(own.data).toBe('mine');
  mock.restore();
  expect((await api.get('/z')).data.user).toBe('EXAMPLE\\alice');
});
