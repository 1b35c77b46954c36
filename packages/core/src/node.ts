// @ntlmkit/core/node: what only Node has — the Ntlm component with file-based certificate stores, sockets to an
// origin (TCP or TLS, resumed TLS sessions, CONNECT tunnels), the adapters' logger, node:crypto hashing. The
// root entry has no I/O; import it for everything else.
import { readFileSync } from 'node:fs';
import { useHashProvider } from './crypto/hash.js';
import { nodeHashProvider } from './crypto/node-hash.js';
import { Ntlm as PureNtlm } from './ntlm.js';

// The one side effect of this entry point (declared in package.json): MD5 and HMAC-MD5 from node:crypto,
// the same bytes as @noble/hashes, faster, for every copy of @ntlmkit/core in the process.
useHashProvider(nodeHashProvider);

/** The component-style `Ntlm` class, able to read file certificate stores (`PEMKeyFile`, `PublicKeyFile`). */
export class Ntlm extends PureNtlm {
  constructor() {
    super({ readFile: (path) => new Uint8Array(readFileSync(path)) });
  }
}

export { openTunnel, HeadReader, type TunnelOptions, type MessageHead } from './node/tunnel.js';
export {
  Connector,
  peerCertificate,
  serverName,
  tlsHost,
  type ConnectOptions,
  type PeerCertificate,
  type Target,
} from './node/tls.js';
export { logger } from './node/debug.js';
export { nodeHashProvider } from './crypto/node-hash.js';
