// Self-signed X.509 certificates for tests, with the signature algorithm chosen by the caller so
// that every RFC 5929 hash rule (SHA-256/384/512, PSS, ECDSA, Ed25519) can be exercised over real TLS.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, constants, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/** The key and signature algorithm of a self-signed certificate. */
export type CertificateAlgorithm =
  | 'rsa-sha256'
  | 'rsa-sha384'
  | 'rsa-sha512'
  | 'rsa-sha1'
  | 'rsa-pss-sha256'
  | 'rsa-pss-sha384'
  | 'ecdsa-sha256'
  | 'ecdsa-sha384'
  | 'ed25519';

/** Options of `createSelfSignedCertificate`. */
export interface SelfSignedOptions {
  /** The subject's and issuer's CN; default `localhost`. */
  commonName?: string;
  /** DNS names and IP addresses for subjectAltName; default localhost, 127.0.0.1 and ::1. */
  altNames?: string[];
  /** Default `rsa-sha256`. */
  algorithm?: CertificateAlgorithm;
  /** Validity from now, in days (it starts an hour ago); default 30. */
  days?: number;
}

/** A self-signed certificate and its key. */
export interface SelfSigned {
  /** The certificate, PEM. */
  cert: string;
  /** The private key, PKCS#8 PEM. */
  key: string;
  /** The certificate, DER. */
  der: Buffer;
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const NULL = Buffer.from([0x05, 0x00]);

function oid(text: string): Buffer {
  const parts = text.split('.').map(Number);
  const bytes = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A non-negative DER INTEGER: minimal length (OpenSSL rejects leading zero bytes as padding). */
function integer(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const minimal = value.subarray(start);
  return tlv(0x02, minimal[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function utcTime(date: Date): Buffer {
  const s = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => Buffer.from([parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])));
}

const HASH_OID: Record<string, string> = { sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2' };

function algorithm(alg: CertificateAlgorithm): {
  id: Buffer;
  key: () => { privateKey: KeyObject; publicKey: KeyObject };
  sign: (tbs: Buffer, key: KeyObject) => Buffer;
} {
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = (curve: string) => () => generateKeyPairSync('ec', { namedCurve: curve });
  const plain = (hash: string) => (tbs: Buffer, key: KeyObject) => sign(hash, tbs, key);
  switch (alg) {
    case 'rsa-sha1':
      return { id: seq(oid('1.2.840.113549.1.1.5'), NULL), key: rsa, sign: plain('sha1') };
    case 'rsa-sha256':
      return { id: seq(oid('1.2.840.113549.1.1.11'), NULL), key: rsa, sign: plain('sha256') };
    case 'rsa-sha384':
      return { id: seq(oid('1.2.840.113549.1.1.12'), NULL), key: rsa, sign: plain('sha384') };
    case 'rsa-sha512':
      return { id: seq(oid('1.2.840.113549.1.1.13'), NULL), key: rsa, sign: plain('sha512') };
    case 'ecdsa-sha256':
      return { id: seq(oid('1.2.840.10045.4.3.2')), key: ec('prime256v1'), sign: plain('sha256') };
    case 'ecdsa-sha384':
      return { id: seq(oid('1.2.840.10045.4.3.3')), key: ec('secp384r1'), sign: plain('sha384') };
    case 'ed25519':
      return {
        id: seq(oid('1.3.101.112')),
        key: () => generateKeyPairSync('ed25519'),
        sign: (tbs, key) => sign(null, tbs, key),
      };
    case 'rsa-pss-sha256':
    case 'rsa-pss-sha384': {
      const hash = alg === 'rsa-pss-sha256' ? 'sha256' : 'sha384';
      const saltLength = hash === 'sha256' ? 32 : 48;
      const hashId = seq(oid(HASH_OID[hash]!), NULL);
      const params = seq(
        tlv(0xa0, hashId),
        tlv(0xa1, seq(oid('1.2.840.113549.1.1.8'), hashId)),
        tlv(0xa2, integer(Buffer.from([saltLength]))),
      );
      return {
        id: seq(oid('1.2.840.113549.1.1.10'), params),
        key: rsa,
        sign: (tbs, key) => sign(hash, tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
      };
    }
  }
}

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** A fresh self-signed certificate and key (PEM), e.g. for `createNtlmServer({ https: … })`. */
export function createSelfSignedCertificate(options: SelfSignedOptions = {}): SelfSigned {
  const commonName = options.commonName ?? 'localhost';
  const altNames = options.altNames ?? ['localhost', '127.0.0.1', '::1'];
  const alg = algorithm(options.algorithm ?? 'rsa-sha256');
  const { privateKey, publicKey } = alg.key();
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const now = Date.now();
  const sans = altNames.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii'))));
  const extensions = tlv(
    0xa3,
    seq(seq(oid('2.5.29.17'), tlv(0x04, seq(...sans))), seq(oid('2.5.29.19'), tlv(0x04, seq()))),
  );
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    alg.id,
    name(commonName),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + (options.days ?? 30) * 86400_000))),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const der = seq(tbs, alg.id, tlv(0x03, Buffer.from([0]), alg.sign(tbs, privateKey)));
  const key = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { cert: pem('CERTIFICATE', der), key: key.export({ type: 'pkcs8', format: 'pem' }) as string, der };
}
