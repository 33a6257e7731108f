import { decodeJwt } from 'jose';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../config';
import type { LimiterStore } from '../http/limiter-store';

/**
 * Account and client lockout after repeated failed authentication (CJIS: 5 failures in 15
 * minutes): further attempts from that client address, or for that user, are refused for a
 * while — valid tokens included — and every refusal is audited.
 */
export class Lockout {
  private readonly byClient: RateLimiterAbstract;
  private readonly byUser: RateLimiterAbstract;

  constructor(
    store: LimiterStore,
    private readonly limits: GatewayConfig['rateLimits'],
  ) {
    const spec = { points: limits.lockoutAttempts, duration: limits.lockoutWindowSeconds, blockDuration: limits.lockoutSeconds };
    this.byClient = store.limiter({ ...spec, keyPrefix: 'custodian:lockout:client' });
    this.byUser = store.limiter({ ...spec, keyPrefix: 'custodian:lockout:user' });
  }

  /** The user a token claims to be, without trusting it: whether that account is locked is checked on its word, never counted. */
  static claimedUser(authorization: string | undefined): string | null {
    const token = /^Bearer (\S+)$/.exec(authorization?.trim() ?? '')?.[1];
    if (!token) return null;
    try {
      const sub = decodeJwt(token).sub;
      return typeof sub === 'string' && sub.length <= 200 ? sub : null;
    } catch {
      return null;
    }
  }

  /** Seconds until the lockout of this client or user ends, or 0 when neither is locked. */
  async lockedFor(clientAddress: string, user: string | null): Promise<number> {
    const [client, account] = await Promise.all([this.byClient.get(clientAddress), user ? this.byUser.get(user) : null]);
    const blocked = [client, account].filter((r) => r && r.consumedPoints >= this.limits.lockoutAttempts);
    return blocked.length ? Math.max(1, ...blocked.map((r) => Math.ceil(r!.msBeforeNext / 1000))) : 0;
  }

  /**
   * Counts a failed authentication against the client address and, when its token's signature
   * verified, against that token's user; the last allowed one starts the lockout. A forged token
   * counts against its address only (anyone can write any `sub`).
   */
  async recordFailure(clientAddress: string, user: string | null): Promise<void> {
    const count = async (limiter: RateLimiterAbstract, key: string) => {
      const res = await limiter.penalty(key);
      if (res.consumedPoints >= this.limits.lockoutAttempts) await limiter.block(key, this.limits.lockoutSeconds);
    };
    await Promise.allSettled([count(this.byClient, clientAddress), ...(user ? [count(this.byUser, user)] : [])]);
  }
}
