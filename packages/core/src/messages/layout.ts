// Where every field of the three messages sits (MS-NLMP 2.2.1.1-2.2.1.3). The encoders and the parsers
// both read these tables, so an offset is written down once.

/** NEGOTIATE_MESSAGE (Type 1). */
export const NEGOTIATE = {
  type: 1,
  flags: 12,
  domain: 16,
  workstation: 24,
  version: 32,
  /** With the Version field: what we send. curl sends 32 bytes (no Version). */
  length: 40,
} as const;

/** CHALLENGE_MESSAGE (Type 2). */
export const CHALLENGE = {
  type: 2,
  targetName: 12,
  flags: 20,
  serverChallenge: 24,
  /** Reserved (8 bytes), then TargetInfoFields; old servers end the message before them. */
  targetInfo: 40,
  version: 48,
  /** Up to ServerChallenge: the shortest CHALLENGE a server may send. */
  minLength: 32,
  length: 56,
} as const;

/** AUTHENTICATE_MESSAGE (Type 3). */
export const AUTHENTICATE = {
  type: 3,
  lmChallengeResponse: 12,
  ntChallengeResponse: 20,
  domain: 28,
  user: 36,
  workstation: 44,
  encryptedRandomSessionKey: 52,
  flags: 60,
  /** Up to NegotiateFlags: the shortest AUTHENTICATE (no Version, no MIC). */
  minLength: 64,
  version: 64,
  mic: 72,
  /** With Version and MIC: what we send. */
  length: 88,
} as const;

// Typed as a plain Uint8Array so that declarations stay readable by TypeScript before 5.7 (no generic Uint8Array).
export const SIGNATURE: Uint8Array = new Uint8Array([0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]); // "NTLMSSP\0"
/** The signature and the MessageType field. */
export const MESSAGE_HEADER = 12;
export const VERSION_LENGTH = 8;
export const MIC_LENGTH = 16;
