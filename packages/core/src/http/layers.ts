// The origin's exchange through a forward proxy: each origin leg runs the proxy's 407 exchange on the
// same connection first (which, once the connection is authenticated to the proxy, is a single pass).
// Shared by the adapters; they only supply `send`, one HTTP exchange with the headers given.
import type { Credentials } from '../credentials.js';
import type { LmCompatibilityLevel } from '../client.js';
import type { ConnectionAuth } from './connection-auth.js';
import { runExchange, type LegRequest, type LegResult } from './exchange.js';
import type { OriginMemory } from './origin-memory.js';

export interface RawHead {
  status: number;
  /** Header values by lower-case name. */
  header(name: string): string[];
  closing: boolean;
}

export type RawResult<R> = RawHead & { delivered: boolean; response?: R };

/** One HTTP exchange on the pinned connection with these auth headers; `deliver` sees the head. */
export type RawSend<R> = (auth: Record<string, string>, withBody: boolean, deliver: (head: RawHead) => boolean) => Promise<RawResult<R>>;

export interface ProxyLayer {
  url: URL;
  credentials: Credentials;
  credentialKey: string;
  /** The proxy's authentication of this connection. */
  auth: ConnectionAuth;
  memory: OriginMemory;
  lmCompatibilityLevel?: LmCompatibilityLevel;
  reconnect(): Promise<void>;
  connectionId(): unknown;
  log(message: string): void;
}

/** Turns a raw send into the origin exchange's legs, through the proxy layer when there is one. */
export function originLegs<R>(send: RawSend<R>, proxy: ProxyLayer | undefined, bodyReplayable: boolean): (leg: LegRequest) => Promise<LegResult<R>> {
  return async (leg) => {
    const auth: Record<string, string> = leg.authorization ? { authorization: leg.authorization } : {};
    if (!proxy) {
      const r = await send(auth, leg.withBody, (h) => leg.deliver(h.status, h.header('www-authenticate'), h.closing));
      return { delivered: r.delivered, status: r.status, challenges: r.header('www-authenticate'), closing: r.closing, response: r.response };
    }
    return runExchange<LegResult<R>>({
      origin: proxy.url.origin,
      url: proxy.url,
      options: { credentials: proxy.credentials, lmCompatibilityLevel: proxy.lmCompatibilityLevel },
      credentialKey: proxy.credentialKey,
      auth: proxy.auth,
      memory: proxy.memory,
      challengeStatus: 407,
      bodyReplayable: bodyReplayable || !leg.withBody,
      peerCertificate: () => undefined,
      reconnect: proxy.reconnect,
      connectionId: proxy.connectionId,
      log: proxy.log,
      send: async (proxyLeg) => {
        let inner: LegResult<R> | undefined;
        const headers = { ...auth, ...(proxyLeg.authorization ? { 'proxy-authorization': proxyLeg.authorization } : {}) };
        const r = await send(headers, leg.withBody && proxyLeg.withBody, (h) => {
          if (!proxyLeg.deliver(h.status, h.header('proxy-authenticate'), h.closing)) return false;
          const delivered = leg.deliver(h.status, h.header('www-authenticate'), h.closing);
          inner = { delivered, status: h.status, challenges: h.header('www-authenticate'), closing: h.closing };
          return delivered;
        });
        if (inner) inner.response = r.response;
        return { delivered: inner !== undefined, status: r.status, challenges: r.header('proxy-authenticate'), closing: r.closing, response: inner };
      },
    });
  };
}
