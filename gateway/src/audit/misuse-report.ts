import { readFileSync } from 'node:fs';
import { PERSONAS } from '../../../access-policy/src';
import type { StoreLocation } from '../../../platform/src';
import { SUBGRAPHS } from '../../../subgraphs';
import type { AuditStore } from './audit-store';
import { DEFAULT_SIGNAL_OPTIONS, detectMisuse, isLookup, type MisuseSignal, type RosterEntry, type SignalOptions, type SubjectFacts } from './misuse-signals';

const DAY = 86_400_000;
/** Days before the window that make a user's baseline. */
export const BASELINE_DAYS = 28;

/** Looks up what the report needs about persons, from the record stores. */
export interface SubjectDirectory {
  facts(personIds: readonly string[]): Promise<Map<string, SubjectFacts>>;
  close(): Promise<void>;
}

/**
 * The directory over the criminal-history and orders stores. The report is an operator's tool:
 * it reads names, addresses and order parties to find connections, and prints only ids.
 */
export async function openSubjectDirectory(location: StoreLocation): Promise<SubjectDirectory> {
  const persons = await SUBGRAPHS['criminal-history'].openStore(location);
  const orders = await SUBGRAPHS.orders.openStore(location);
  return {
    async facts(ids) {
      const out = new Map<string, SubjectFacts>();
      if (ids.length === 0) return out;
      const addresses = new Map((await persons.personDetailsByIds(ids)).map((d) => [d.personId, d.lastKnownAddress]));
      // Protected now: the report reads for a window that ends about now, and the flag only widens what it looks at.
      const confidential = new Set(await persons.personsWithConfidentialAddress(ids, new Date().toISOString()));
      for (const p of await persons.personsByIds(ids)) {
        const a = addresses.get(p.id);
        out.set(p.id, { lastName: p.name.last, addressKey: a?.street && a.postalCode ? `${a.street}|${a.postalCode}`.toUpperCase() : null, orderParties: new Set(), confidentialAddress: confidential.has(p.id) });
      }
      const related = [...(await orders.ordersByRestrainedPersonIds(ids)), ...(await orders.ordersProtectingPersonIds(ids)).map((x) => x.order)];
      const parties = await orders.partiesByOrderIds([...new Set(related.map((o) => o.id))]);
      for (const order of related) {
        const members = [order.restrainedPersonId, ...parties.filter((p) => p.orderId === order.id && p.personId).map((p) => p.personId!)];
        for (const m of members) for (const other of members) if (m !== other) out.get(m)?.orderParties.add(other);
      }
      return out;
    },
    async close() {
      await persons.close();
      await orders.close();
    },
  };
}

/** The roster of users: from a JSON file (AUDIT_ROSTER_FILE), else the sandbox personas' surnames. */
export function loadRoster(file: string | null): Map<string, RosterEntry> {
  const entries: RosterEntry[] = file
    ? (JSON.parse(readFileSync(file, 'utf8')) as RosterEntry[])
    : PERSONAS.map((p) => ({ sub: p.sub, lastName: p.name.split(' ').pop() }));
  return new Map(entries.map((e) => [e.sub, e]));
}

/** A misuse report over a time range. */
export interface MisuseReport {
  from: string;
  to: string;
  records: number;
  lookups: number;
  signals: MisuseSignal[];
}

/** Builds the misuse report of docs/design.md §5 over [from, to). */
export async function buildMisuseReport(
  audit: AuditStore,
  directory: SubjectDirectory,
  range: { from: Date; to: Date },
  roster: Map<string, RosterEntry>,
  options: Partial<SignalOptions> = {},
): Promise<MisuseReport> {
  const from = range.from.toISOString();
  const to = range.to.toISOString();
  // No detector reads a record's document or variables: leave them in the store.
  const records = await audit.between(from, to, { withoutContent: true });
  const baseline = await audit.between(new Date(range.from.getTime() - BASELINE_DAYS * DAY).toISOString(), from, { withoutContent: true });
  const personIds = [...new Set(records.flatMap((r) => r.subjects).filter((s) => s.startsWith('Person:')).map((s) => s.slice(7)))];
  const subjects = await directory.facts(personIds);
  const signals = detectMisuse({
    records,
    baseline,
    baselineDays: BASELINE_DAYS,
    windowDays: Math.max(1 / 24, (range.to.getTime() - range.from.getTime()) / DAY),
    subjects,
    roster,
    options: { ...DEFAULT_SIGNAL_OPTIONS, ...options },
  });
  return { from, to, records: records.length, lookups: records.filter(isLookup).length, signals };
}
