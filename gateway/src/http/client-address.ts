import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** The caller's address, as the audit, lockouts and rate limits see it. */
export type ClientAddress = (req: IncomingMessage) => string | undefined;

/**
 * The caller's address under TRUST_PROXY, computed as express's `trust proxy` setting does
 * (proxy-addr): off, the socket's peer; a number, that many hops of X-Forwarded-For; otherwise
 * the addresses or ranges (`loopback`, `10.0.0.0/8`, …) whose X-Forwarded-For is believed.
 */
export function clientAddress(trust: string | number | false): ClientAddress {
  if (trust === false) return (req) => req.socket.remoteAddress;
  const trusted = typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : proxyaddr.compile(trust.split(',').map((v) => v.trim()));
  return (req) => proxyaddr(req, trusted);
}
