// The benchmark's servers run in their own process (bench/server.mjs), so that they share no event loop
// with the clients being measured; run.mjs and the sections that run alone drive them over IPC.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Starts bench/server.mjs; `ipc(cmd, args)` calls one of its handlers, `stop()` ends it. */
export async function serverProcess() {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'server.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 0;
  await new Promise((resolve) => {
    child.on('message', (m) => {
      if (m.ready) return resolve();
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
  });
  const ipc = (cmd, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, args });
    });
  return { ipc, stop: () => child.kill() };
}
