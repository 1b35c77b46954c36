// The readings of MS-NLMP's session-key rule a client must satisfy at once, as server options for
// @ntlmkit/server. MS-NLMP 3.2.5.1.2 lets the EncryptedRandomSessionKey count only when KEY_EXCH and SIGN
// or SEAL are negotiated; gss-ntlmssp and Samba let KEY_EXCH alone make it count. The two differ only
// when a server grants KEY_EXCH without SIGN or SEAL, so each reading is also run with a CHALLENGE that
// withholds them. `micKey` is the key each server checks the MIC with.
import { NegotiateFlags } from '@ntlmkit/core';
import type { MicKey, OriginAcceptorOptions } from '@ntlmkit/server';

export interface ServerReading {
  name: string;
  options: Pick<OriginAcceptorOptions, 'lenientSessionKey' | 'challenge'>;
  micKey: MicKey;
}

const withhold = NegotiateFlags.SIGN | NegotiateFlags.SEAL;

export const SERVER_READINGS: readonly ServerReading[] = [
  { name: 'strict (MS-NLMP)', options: { lenientSessionKey: false }, micKey: 'random-session-key' },
  { name: 'lenient (gss-ntlmssp, Samba)', options: { lenientSessionKey: true }, micKey: 'random-session-key' },
  {
    name: 'strict, KEY_EXCH without SIGN or SEAL',
    options: { lenientSessionKey: false, challenge: { withhold } },
    micKey: 'key-exchange-key',
  },
  {
    name: 'lenient, KEY_EXCH without SIGN or SEAL',
    options: { lenientSessionKey: true, challenge: { withhold } },
    micKey: 'random-session-key',
  },
];
