import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Scope } from '../../../access-policy/src';
import type { GatewayConfig } from '../config';
import type { VerifiedIdentity } from '../identity/authenticate';
import type { LimiterStore } from './limiter-store';

/** A refusal: which limit, and when to come back. */
export interface RateLimitRefusal {
  limit: 'user' | 'client' | 'screening-daily-quota';
  retryAfterSeconds: number;
}

/** Background-check clients: they match persons but may not read them. */
export function isScreeningClient(identity: VerifiedIdentity): boolean {
  return identity.scopes.has(Scope.PERSON_MATCH) && !identity.scopes.has(Scope.PERSON_READ);
}

/**
 * Per-user and per-client request rates, and a daily quota of searches for background-check
 * clients (docs/design.md §4 rule 9, §7): a compromised account or a runaway script is slowed, not served
 * at will.
 */
export class RateLimits {
  private readonly perUser: RateLimiterAbstract;
  private readonly perClient: RateLimiterAbstract;
  private readonly screeningDaily: RateLimiterAbstract;

  constructor(store: LimiterStore, limits: GatewayConfig['rateLimits']) {
    this.perUser = store.limiter({ keyPrefix: 'custodian:rate:user', points: limits.userPerMinute, duration: 60 });
    this.perClient = store.limiter({ keyPrefix: 'custodian:rate:client', points: limits.clientPerMinute, duration: 60 });
    this.screeningDaily = store.limiter({ keyPrefix: 'custodian:quota:screening', points: limits.screeningPerDay, duration: 86_400 });
  }

  /** Counts one operation for this caller; returns the refusal when a limit is spent. */
  async take(identity: VerifiedIdentity): Promise<RateLimitRefusal | null> {
    const client = clientKey(identity);
    return consumeAll([
      ['user', this.perUser, identity.sub],
      ['client', this.perClient, client],
    ]);
  }

  /**
   * Counts one `searchPersons` of a background-check client against its daily quota. The quota
   * counts searches, not requests: each search may disclose a person (screeningSearchPlugin).
   */
  async takeScreeningSearch(identity: VerifiedIdentity): Promise<RateLimitRefusal | null> {
    return consumeAll([['screening-daily-quota', this.screeningDaily, clientKey(identity)]]);
  }
}

function clientKey(identity: VerifiedIdentity): string {
  return identity.client ?? `ori:${identity.ori}`;
}

async function consumeAll(checks: Array<[RateLimitRefusal['limit'], RateLimiterAbstract, string]>): Promise<RateLimitRefusal | null> {
  for (const [limit, limiter, key] of checks) {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { limit, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      throw rejection;
    }
  }
  return null;
}
