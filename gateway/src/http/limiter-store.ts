import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../../platform/src';

/** A named counter: `points` per `duration` seconds, optionally blocking for `blockDuration` once spent. */
export interface LimiterSpec {
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration?: number;
}

/**
 * Where rate limits and lockouts are counted: Redis when REDIS_URL is set, so that every gateway
 * replica sees the same counts, with an in-process limiter as insurance while Redis is away (each
 * replica keeps limiting on its own rather than not at all); in-process memory otherwise, for the
 * embedded single-process default.
 */
export class LimiterStore {
  private readonly redis: Redis | null;

  constructor(redisUrl: string | null, logger: Logger) {
    this.redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : null;
    this.redis?.on('error', (error) => logger.warn({ reason: error.message }, 'rate-limit store unreachable; limiting per replica until it returns'));
  }

  /** A limiter of this spec on the shared store (or memory). */
  limiter(spec: LimiterSpec): RateLimiterAbstract {
    const memory = new RateLimiterMemory(spec);
    if (!this.redis) return memory;
    return new RateLimiterRedis({ ...spec, storeClient: this.redis, insuranceLimiter: memory, rejectIfRedisNotReady: true });
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => undefined);
  }
}
