// The benchmark's servers, in their own process so that they do not share an event loop (or a
// core's time) with the clients being measured. Driven over IPC by run.mjs.
import '@ntlmkit/core/node'; // node:crypto's MD5/HMAC for the acceptor too
import { createNtlmServer } from '@ntlmkit/server';

const users = { 'EXAMPLE\\alice': 'Passw0rd!' };
const servers = new Map();

// `closeEach`: every response closes its connection, so every request pays a new connection (and TLS, and a
// handshake); `https` with `tokenChecking` for channel bindings.
const closing = (_req, res, context) => {
  const body = JSON.stringify({ user: context.user ?? null });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
};

async function start({ authenticate = true, delayMs = 0, lmCompatibilityLevel = 4, closeEach = false, https = false, tokenChecking }) {
  const server = createNtlmServer({
    users, authenticate, lmCompatibilityLevel, faults: { delayMs }, keepAliveTimeoutMs: 30_000,
    ...(closeEach ? { handler: closing } : {}), ...(https ? { https: true } : {}), ...(tokenChecking ? { tokenChecking } : {}),
  });
  const track = { open: 0, maxOpen: 0, dialects: {} };
  server.on('connection', (socket) => {
    track.open++;
    track.maxOpen = Math.max(track.maxOpen, track.open);
    socket.once('close', () => track.open--);
  });
  server.on('ntlm', (o) => {
    const key = o.ok ? `${o.dialect}${o.mic ? '+MIC' : ''}` : `refused: ${o.reason}`;
    track.dialects[key] = (track.dialects[key] ?? 0) + 1;
  });
  const url = await server.start();
  servers.set(url, { server, track });
  return url;
}

const handlers = {
  start,
  stats: ({ url }) => {
    const { server, track } = servers.get(url);
    return { ...server.stats, open: track.open, maxOpen: track.maxOpen, dialects: track.dialects };
  },
  reset: ({ url }) => {
    const entry = servers.get(url);
    entry.server.resetStats();
    entry.track.maxOpen = entry.track.open;
    entry.track.dialects = {};
    return true;
  },
  drop: ({ url }) => {
    servers.get(url).server.closeAllConnections();
    return true;
  },
  stopAll: async () => {
    await Promise.all([...servers.values()].map(({ server }) => server.stop()));
    servers.clear();
    return true;
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    process.send({ id, result: await handlers[cmd](args ?? {}) });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
