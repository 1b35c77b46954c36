// Node entry point: the Ntlm component with file-based certificate stores, the proxy CONNECT tunnel,
// TLS over a tunnel and the adapters' logger. The rest of core has no I/O.
import { readFileSync } from 'node:fs';
import { Ntlm as PureNtlm } from './ntlm.js';

export class Ntlm extends PureNtlm {
  constructor() {
    super({ readFile: (path) => new Uint8Array(readFileSync(path)) });
  }
}

export { openTunnel, HeadReader, type TunnelOptions, type MessageHead } from './node/tunnel.js';
export { secureOver, serverName, tlsHost, TlsSessions } from './node/tls.js';
export { logger } from './node/debug.js';
export * from './index.js';
