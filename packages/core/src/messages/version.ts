// The VERSION structure (MS-NLMP 2.2.2.10): debugging information, but gss-ntlmssp
// rejects a NEGOTIATE without it and the MIC's position depends on it.
import { checkBytes, checkInteger, checkOptions, checkString } from '../arguments.js';
import { readU16LE, writeU16LE } from '../bytes.js';
import { VERSION_LENGTH } from './layout.js';

/** The VERSION structure: the product version a message claims (debugging information only). */
export interface NtlmVersion {
  /** ProductMajorVersion, 0-255. */
  major: number;
  /** ProductMinorVersion, 0-255. */
  minor: number;
  /** ProductBuild, 0-65535. */
  build: number;
  /** NTLMSSP revision; 15 (NTLMSSP_REVISION_W2K3) on every current Windows. */
  revision: number;
}

/** Windows Server 2022 (10.0.20348). */
export const DEFAULT_VERSION: NtlmVersion = Object.freeze({ major: 10, minor: 0, build: 20348, revision: 15 });

const DEFAULT_ENCODED = encodeVersion(DEFAULT_VERSION);

/** For the encoders, which copy it: the default version's bytes are encoded once. */
export function versionField(version: NtlmVersion): Uint8Array {
  return version === DEFAULT_VERSION ? DEFAULT_ENCODED : encodeVersion(version);
}

/** ProductMajorVersion, ProductMinorVersion, ProductBuild (16 bits), Reserved (3), NTLMRevisionCurrent. */
export function encodeVersion(version: NtlmVersion): Uint8Array {
  checkOptions(version, 'version');
  const out = new Uint8Array(VERSION_LENGTH);
  out[0] = checkInteger(version.major, 'version.major', 0, 255);
  out[1] = checkInteger(version.minor, 'version.minor', 0, 255);
  writeU16LE(out, 2, checkInteger(version.build, 'version.build', 0, 0xffff));
  out[7] = checkInteger(version.revision, 'version.revision', 0, 255);
  return out;
}

/** Reads an 8-byte Version field. */
export function decodeVersion(bytes: Uint8Array): NtlmVersion {
  checkBytes(bytes, 'a Version field', VERSION_LENGTH);
  return { major: bytes[0]!, minor: bytes[1]!, build: readU16LE(bytes, 2), revision: bytes[7]! };
}

/** "10.0.20348 (NTLMSSP revision 15)". */
export function formatVersion(v: NtlmVersion): string {
  checkOptions(v, 'version');
  const [major, minor, build, revision] = [v.major, v.minor, v.build, v.revision].map((n) =>
    typeof n === 'number' ? n : NaN,
  );
  return `${major}.${minor}.${build} (NTLMSSP revision ${revision})`;
}

/** Parses "10.0.20348" (the BuildInfo setting); revision stays 15. */
export function parseVersion(text: string): NtlmVersion | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,5})$/.exec(checkString(text, 'a version').trim());
  if (!m) return undefined;
  const [major, minor, build] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major > 255 || minor > 255 || build > 65535) return undefined;
  return { major, minor, build, revision: 15 };
}
