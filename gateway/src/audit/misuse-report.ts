import { readFileSync } from 'node:fs';
import { PERSONAS } from '../../../access-policy/src';
import type { AuditStore } from './audit-store';
import { DEFAULT_SIGNAL_OPTIONS, detectMisuse, isLookup, type MisuseSignal, type RosterEntry, type SignalOptions, type SubjectFacts } from './misuse-signals';

const DAY = 86_400_000;
/** Days before the window that make a user's baseline. */
export const BASELINE_DAYS = 28;

/**
 * Looks up what the report needs about persons, from the record stores. The report is handed one
 * by its entry point (`scripts/subject-directory.ts`): the gateway never opens a subgraph's store.
 */
export interface SubjectDirectory {
  facts(personIds: readonly string[]): Promise<Map<string, SubjectFacts>>;
  close(): Promise<void>;
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
  const personIds = [
    ...new Set(
      records
        .flatMap((r) => r.subjects)
        .filter((s) => s.startsWith('Person:'))
        .map((s) => s.slice(7)),
    ),
  ];
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
