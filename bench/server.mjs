// The benchmark's servers, in their own process so that they do not share an event loop (or a
// core's time) with the clients being measured. Driven over IPC by run.mjs.
import '@ntlmkit/core/node'; // node:crypto's MD5/HMAC for the acceptor too
import { createNtlmServer } from '@ntlmkit/server';

const users = { 'EXAMPLE\\alice': 'Passw0rd!' };
const servers = new Map();

// `closeEach`: every response closes its connection, so every request pays a new connection (and TLS, and a
// handshake); `https` with `tokenChecking` for channel bindings; `table`: another user table (the many-users
// section sends 10,000 users).
const closing = (_req, res, context) => {
  const body = JSON.stringify({ user: context.user ?? null });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
};

async function start({
  authenticate = true,
  delayMs = 0,
  lmCompatibilityLevel = 4,
  table = users,
  closeEach = false,
  https = false,
  tokenChecking,
}) {
  const server = createNtlmServer({
    users: table,
    authenticate,
    lmCompatibilityLevel,
    faults: { delayMs },
    keepAliveTimeoutMs: 30_000,
    ...(closeEach ? { handler: closing } : {}),
    ...(https ? { https: true } : {}),
    ...(tokenChecking ? { tokenChecking } : {}),
  });
  const track = { open: 0, maxOpen: 0, established: 0, maxEstablished: 0, dialects: {} };
  server.on('connection', (socket) => {
    track.open++;
    track.maxOpen = Math.max(track.maxOpen, track.open);
    socket.once('close', () => track.open--);
    countEstablished(socket, track);
  });
  server.on('ntlm', (o) => {
    const key = o.ok ? `${o.dialect}${o.mic ? '+MIC' : ''}` : `refused: ${o.reason}`;
    track.dialects[key] = (track.dialects[key] ?? 0) + 1;
  });
  const url = await server.start();
  servers.set(url, { server, track });
  return url;
}

/**
 * Connections the client holds open: from the accept until the client's FIN ('end') or the close. Counted
 * after the poll phase of the accept: a client that closes a connection to open another sends the FIN
 * first, but both can be read in one phase with the accept handled first (the 'close' of a socket comes in
 * a later phase still), which would count one connection too many for a moment.
 */
function countEstablished(socket, track) {
  let state = 'pending';
  setImmediate(() => {
    if (state !== 'pending') return;
    state = 'open';
    track.maxEstablished = Math.max(track.maxEstablished, ++track.established);
  });
  const gone = () => {
    if (state === 'open') track.established--;
    state = 'gone';
  };
  socket.once('end', gone);
  socket.once('close', gone);
}

const handlers = {
  start,
  stats: ({ url }) => {
    const { server, track } = servers.get(url);
    return {
      ...server.stats,
      open: track.open,
      maxOpen: track.maxOpen,
      established: track.established,
      maxEstablished: track.maxEstablished,
      dialects: track.dialects,
    };
  },
  reset: ({ url }) => {
    const entry = servers.get(url);
    entry.server.resetStats();
    entry.track.maxOpen = entry.track.open;
    entry.track.maxEstablished = entry.track.established;
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
