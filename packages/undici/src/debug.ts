import { debuglog } from 'node:util';

const nodeDebug = debuglog('ntlm');

/** Handshake steps to NODE_DEBUG=ntlm and the `debug` option. Messages never carry tokens or secrets. */
export function logger(debug?: (message: string) => void): (message: string) => void {
  return (message) => {
    nodeDebug(message);
    debug?.(message);
  };
}
