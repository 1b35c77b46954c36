// What the NTLM server and the NTLM proxy add alike to a Node server: `url`, `start`, `stop`, and
// the 'ntlm' outcome event (kept on its own emitter so that it never mixes with http.Server events).
import type { EventEmitter } from 'node:events';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Lifecycle {
  /** `http(s)://127.0.0.1:PORT` once started. */
  url: string;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Adds the lifecycle to `server`; `onStop` closes what Node no longer tracks (CONNECT tunnels). */
export function addLifecycle(server: http.Server, scheme: 'http' | 'https', events: EventEmitter, onStop?: () => void): void {
  const target = server as http.Server & Lifecycle;
  target.url = '';
  target.start = (port = 0, host = '127.0.0.1') =>
    new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        target.url = `${scheme}://${h}:${address.port}`;
        resolve(target.url);
      });
    });
  target.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      onStop?.();
    });
  const originalOn = server.on.bind(server);
  server.on = ((event: string, fn: (...args: unknown[]) => void) => {
    if (event === 'ntlm') {
      events.on('ntlm', fn);
      return server;
    }
    return originalOn(event, fn);
  }) as http.Server['on'];
}
