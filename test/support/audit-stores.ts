import type { AuditRecord } from '../../access-policy/src';
import type { AuditStore } from '../../gateway/src/audit/audit-store';

/** An audit store that can be told to refuse writes, as a full disk or a dropped database would. */
export class SwitchableAuditStore implements AuditStore {
  refuseWrites = false;
  constructor(private readonly inner: AuditStore) {}

  appendBatch(records: readonly AuditRecord[]) {
    if (this.refuseWrites) return Promise.reject(new Error('disk I/O error (simulated)'));
    return this.inner.appendBatch(records);
  }
  ping() {
    return this.refuseWrites ? Promise.reject(new Error('down (simulated)')) : this.inner.ping();
  }
  startChain = (...a: Parameters<AuditStore['startChain']>) => this.inner.startChain(...a);
  chainIds = () => this.inner.chainIds();
  readChain = (...a: Parameters<AuditStore['readChain']>) => this.inner.readChain(...a);
  lastRecord = (...a: Parameters<AuditStore['lastRecord']>) => (this.refuseWrites ? Promise.reject(new Error('down')) : this.inner.lastRecord(...a));
  checkpoint = (...a: Parameters<AuditStore['checkpoint']>) => this.inner.checkpoint(...a);
  query = (...a: Parameters<AuditStore['query']>) => this.inner.query(...a);
  between = (...a: Parameters<AuditStore['between']>) => this.inner.between(...a);
  purgeBefore = (...a: Parameters<AuditStore['purgeBefore']>) => this.inner.purgeBefore(...a);
  close = () => this.inner.close();
}
