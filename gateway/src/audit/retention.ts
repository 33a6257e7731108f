import type { Logger } from '../../../platform/src';
import type { AuditStore } from './audit-store';

const DAY = 86_400_000;

/**
 * Purges audit records older than the retention period, now and then daily. Each purge leaves a
 * checkpoint per chain it cuts, so `audit verify` still checks what remains. Returns a stop function.
 */
export function scheduleRetention(store: AuditStore, retentionDays: number, logger: Logger): () => void {
  const purge = async () => {
    const before = new Date(Date.now() - retentionDays * DAY).toISOString();
    try {
      const removed = await store.purgeBefore(before);
      if (removed > 0) logger.info({ audit: 'retention', removed, before }, 'audit records past retention purged');
    } catch (error) {
      logger.error({ audit: 'retention', reason: (error as Error).message }, 'audit retention purge failed');
    }
  };
  void purge();
  const timer = setInterval(() => void purge(), DAY);
  timer.unref();
  return () => clearInterval(timer);
}
