// The VERSION structure (MS-NLMP 2.2.2.10): debugging information, but gss-ntlmssp
// rejects a NEGOTIATE without it and the MIC's position depends on it.

export interface NtlmVersion {
  major: number;
  minor: number;
  build: number;
  /** NTLMSSP revision; 15 (NTLMSSP_REVISION_W2K3) on every current Windows. */
  revision: number;
}

/** Windows Server 2022 (10.0.20348). */
export const DEFAULT_VERSION: NtlmVersion = { major: 10, minor: 0, build: 20348, revision: 15 };

export function encodeVersion(version: NtlmVersion): Uint8Array {
  return new Uint8Array([version.major & 0xff, version.minor & 0xff, version.build & 0xff, (version.build >>> 8) & 0xff, 0, 0, 0, version.revision & 0xff]);
}

export function decodeVersion(bytes: Uint8Array): NtlmVersion {
  return { major: bytes[0]!, minor: bytes[1]!, build: bytes[2]! | (bytes[3]! << 8), revision: bytes[7]! };
}

export function formatVersion(v: NtlmVersion): string {
  return `${v.major}.${v.minor}.${v.build} (NTLMSSP revision ${v.revision})`;
}

/** Parses "10.0.20348" (the BuildInfo setting); revision stays 15. */
export function parseVersion(text: string): NtlmVersion | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const [major, minor, build] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major > 255 || minor > 255 || build > 65535) return undefined;
  return { major, minor, build, revision: 15 };
}
