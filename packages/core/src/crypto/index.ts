export { md4 } from './md4.js';
export {
  md5,
  hmacMd5,
  macKey,
  useHashProvider,
  hashProvider,
  nobleHashProvider,
  HmacMd5Key,
  type HashProvider,
  type MacKey,
} from './hash.js';
export { rc4 } from './rc4.js';
export { desEncryptBlock, des7, desl, expandDesKey } from './des.js';
export { ntowfv1, lmowfv1, ntowfv2, ntowfv2FromHash, lmowfv2 } from './ntowf.js';
export {
  computeResponseV1,
  computeResponseV2,
  ntlmv2ClientBlob,
  type ResponseV1,
  type ResponseV2,
} from './compute-response.js';
export { kxkey } from './kxkey.js';
export { mic, MIC_OFFSET } from './mic.js';
export { encryptRandomSessionKey, decryptRandomSessionKey, randomSessionKeyCounts } from './key-exchange.js';
export { signkey, sealkey, NTLMSSP_REVISION_W2K3, type Mode } from './session-security.js';
