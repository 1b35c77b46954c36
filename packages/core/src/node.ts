// Node entry point: the Ntlm component with file-based certificate stores, and the proxy CONNECT
// tunnel. The rest of core has no I/O.
import { readFileSync } from 'node:fs';
import { Ntlm as PureNtlm } from './ntlm.js';

export class Ntlm extends PureNtlm {
  constructor() {
    super({ readFile: (path) => new Uint8Array(readFileSync(path)) });
  }
}

export { openTunnel, tunnelOpener, HeadReader, type TunnelOptions, type MessageHead } from './node/tunnel.js';
export * from './index.js';
