// A "proxy" on 127.0.0.1 for the tests of tunnels that must not hang: it accepts connections and reads
// request heads; `answer` says what it writes back to each (nothing, by default: a CONNECT that hangs). It
// keeps the sockets it accepted, so that a test can check that the client closed them.
import net from 'node:net';

export interface SilentProxy {
  /** `http://127.0.0.1:port` */
  uri: string;
  /** Every connection it accepted, in order. */
  sockets: net.Socket[];
  /** How many of them are still open. */
  open(): number;
  /** Once a connection has come, waits (at most `ms`) until every connection it accepted has closed. */
  allClosed(ms: number): Promise<void>;
  /** Closes the connections and the listener. */
  stop(): Promise<void>;
}

export async function silentProxy(answer?: (head: string) => string | undefined): Promise<SilentProxy> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      const end = seen.indexOf('\r\n\r\n');
      if (end < 0) return;
      const reply = answer?.(seen.slice(0, end));
      seen = seen.slice(end + 4);
      if (reply) socket.write(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const open = () => sockets.filter((s) => !s.destroyed && !s.closed).length;
  return {
    uri: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    sockets,
    open,
    allClosed: async (ms) => {
      const end = Date.now() + ms;
      while ((sockets.length === 0 || open() > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
