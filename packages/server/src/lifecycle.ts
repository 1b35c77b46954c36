// What the NTLM server and the NTLM proxy add alike to a Node server: `url`, `start`, `stop`, and the
// types of the 'ntlm' outcome event, which both emit on the server object itself (so that every
// EventEmitter method works for it: on, once, off, prependListener, listenerCount, removeAllListeners…).
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server and the proxy have beside Node's server: `url`, `start` and `stop`. */
export interface Lifecycle {
  /** `http(s)://127.0.0.1:PORT` once started (an IPv6 host in brackets). */
  url: string;
  /** Listens on `port` (default 0: one the system picks) and `host` (default 127.0.0.1); resolves the URL. */
  start(port?: number, host?: string): Promise<string>;
  /** Stops listening and closes every connection (tunnels included). */
  stop(): Promise<void>;
}

/** The 'ntlm' event, typed for each EventEmitter method that takes a listener. */
export interface OutcomeEvents<E> {
  /** Calls `listener` with every AUTHENTICATE outcome. */
  on(event: 'ntlm', listener: (outcome: E) => void): this;
  /** Calls `listener` with the next AUTHENTICATE outcome. */
  once(event: 'ntlm', listener: (outcome: E) => void): this;
  /** The same as `on`. */
  addListener(event: 'ntlm', listener: (outcome: E) => void): this;
  /** `on`, before the listeners already added. */
  prependListener(event: 'ntlm', listener: (outcome: E) => void): this;
  /** `once`, before the listeners already added. */
  prependOnceListener(event: 'ntlm', listener: (outcome: E) => void): this;
  /** Removes `listener`. */
  off(event: 'ntlm', listener: (outcome: E) => void): this;
  /** The same as `off`. */
  removeListener(event: 'ntlm', listener: (outcome: E) => void): this;
}

/** Adds the lifecycle to `server`; `onStop` closes what Node no longer tracks (CONNECT tunnels). */
export function addLifecycle(server: http.Server, scheme: 'http' | 'https', onStop?: () => void): void {
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
}
