// The one logger of the Node adapters: handshake steps to NODE_DEBUG=ntlm and to the `debug` option.
// Messages never carry passwords, hashes, keys or tokens (tokens only through the redacting decoder).
import { debuglog } from 'node:util';

const nodeDebug = debuglog('ntlm');

/** A log function that writes to NODE_DEBUG=ntlm and to `debug`, when given. */
export function logger(debug?: (message: string) => void): (message: string) => void {
  return (message) => {
    nodeDebug(message);
    debug?.(message);
  };
}
