import type { AuditRecord } from '../../../access-policy/src';

/** The misuse patterns of docs/design.md §5, after California's reported cases. */
export type SignalName =
  | 'PURPOSE_C_WITHOUT_REASON'
  | 'REASON_REUSED_ACROSS_SUBJECTS'
  | 'PERSONAL_CONNECTION'
  | 'VOLUME_ABOVE_BASELINE'
  | 'SEQUENTIAL_BULK_LOOKUPS'
  | 'OUTSIDE_SHIFT_HOURS'
  | 'SUBJECT_LOOKED_UP_BY_MANY'
  | 'PROTECTED_ADDRESS_WITHOUT_ORDER_TASK'
  | 'SCREENER_PROBING'
  | 'UNREGISTERED_OPERATION';

/** One finding, with the records behind it (ids `chainId:seq`). */
export interface MisuseSignal {
  signal: SignalName;
  user: string | null;
  summary: string;
  records: string[];
}

/** What the report knows about a person looked up (from the record stores). */
export interface SubjectFacts {
  lastName: string;
  /** Street and postal code, normalised, or null. */
  addressKey: string | null;
  /** Persons who are parties to an order together with this one (either side). */
  orderParties: Set<string>;
  /** Whether an order in force protects this person, so every address of theirs is confidential (rule 11). */
  confidentialAddress?: boolean;
}

/** What the report knows about a user (the agency's roster). */
export interface RosterEntry {
  sub: string;
  lastName?: string;
  address?: { street: string; postalCode: string };
  /** The user's own SID, when they are in the state repository. */
  personId?: string;
  /** Working hours, local time, "HH:MM-HH:MM" (may wrap midnight). */
  shift?: string;
}

/** Thresholds, each with its default. */
export interface SignalOptions {
  /** Distinct unrelated subjects under one reason before it counts as reuse. @default 3 */
  reasonReuseSubjects: number;
  /** Lookups in the window before volume is judged at all. @default 20 */
  volumeMinimum: number;
  /** Times the user's own daily baseline that counts as far above it. @default 5 */
  volumeFactor: number;
  /** Lookups in the window that count as bulk for a user with no baseline. @default 50 */
  volumeWithoutBaseline: number;
  /** Consecutive SIDs that count as a sequential sweep. @default 10 */
  sequentialRun: number;
  /** Distinct users on one subject within `manyUsersWindowMinutes`. @default 5 */
  manyUsers: number;
  manyUsersWindowMinutes: number;
  /** Hours around a protected-address view within which an order task must exist. @default 24 */
  orderTaskHours: number;
  /** Denied or partial records by a screening client before it counts as probing. @default 3 */
  probingDenials: number;
  /** Shift for users the roster gives none; empty for none. */
  defaultShift: string;
  /** Time zone shifts are in. @default America/Los_Angeles */
  timeZone: string;
}

export const DEFAULT_SIGNAL_OPTIONS: SignalOptions = {
  reasonReuseSubjects: 3,
  volumeMinimum: 20,
  volumeFactor: 5,
  volumeWithoutBaseline: 50,
  sequentialRun: 10,
  manyUsers: 5,
  manyUsersWindowMinutes: 60,
  orderTaskHours: 24,
  probingDenials: 3,
  defaultShift: '',
  timeZone: 'America/Los_Angeles',
};

/** Everything a detector reads. */
export interface SignalInput {
  /** Records in the report window, oldest first. */
  records: AuditRecord[];
  /** Records of the baseline period before the window (for volume). */
  baseline: AuditRecord[];
  baselineDays: number;
  windowDays: number;
  subjects: Map<string, SubjectFacts>;
  roster: Map<string, RosterEntry>;
  options: SignalOptions;
}

const id = (r: AuditRecord) => `${r.chainId}:${r.seq}`;
const persons = (r: AuditRecord) => r.subjects.filter((s) => s.startsWith('Person:')).map((s) => s.slice('Person:'.length));
/** A lookup: an operation that disclosed at least one subject. */
export const isLookup = (r: AuditRecord) => (r.outcome === 'ALLOWED' || r.outcome === 'PARTIAL') && r.subjects.length > 0;

function groupBy<T>(items: T[], key: (t: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/** Lookups under purpose C with no reason (refused attempts included). */
function purposeCWithoutReason(input: SignalInput): MisuseSignal[] {
  const hits = input.records.filter((r) => r.purpose === 'C' && !r.reason);
  return [...groupBy(hits, (r) => r.userSub)].map(([user, rs]) => ({
    signal: 'PURPOSE_C_WITHOUT_REASON' as const,
    user,
    summary: `${rs.length} operation(s) under purpose C without a case or incident number`,
    records: rs.map(id),
  }));
}

/** One reason (case number) used for several subjects with no order linking them. */
function reasonReused(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  const lookups = input.records.filter((r) => isLookup(r) && r.purpose === 'C' && r.reason);
  for (const [key, rs] of groupBy(lookups, (r) => (r.userSub ? `${r.userSub}\u0000${r.reason}` : null))) {
    const subjects = [...new Set(rs.flatMap(persons))];
    // Subjects joined by a shared order belong to one matter; count the groups that remain.
    const group = new Map(subjects.map((s) => [s, s]));
    const find = (s: string): string => (group.get(s) === s ? s : find(group.get(s)!));
    for (const s of subjects) for (const other of input.subjects.get(s)?.orderParties ?? []) if (group.has(other)) group.set(find(s), find(other));
    const unrelated = new Set(subjects.map(find)).size;
    if (unrelated >= input.options.reasonReuseSubjects) {
      const [user, reason] = key.split('\u0000');
      out.push({ signal: 'REASON_REUSED_ACROSS_SUBJECTS', user, summary: `reason "${reason}" used for ${unrelated} unrelated persons`, records: rs.map(id) });
    }
  }
  return out;
}

function surnameOf(record: AuditRecord, roster: RosterEntry | undefined): string | null {
  const name = roster?.lastName ?? record.userName?.trim().split(/\s+/).pop() ?? null;
  return name ? name.toUpperCase() : null;
}

/** A user looking up someone who shares their surname or address, or who is party to an order with them. */
function personalConnection(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  for (const [user, rs] of groupBy(input.records.filter(isLookup), (r) => r.userSub)) {
    const roster = input.roster.get(user);
    const surname = surnameOf(rs[0], roster);
    const address = roster?.address ? `${roster.address.street}|${roster.address.postalCode}`.toUpperCase() : null;
    const hits = new Map<string, { reasons: Set<string>; records: string[] }>();
    for (const r of rs) {
      for (const person of persons(r)) {
        const facts = input.subjects.get(person);
        if (!facts || person === roster?.personId) continue;
        const reasons: string[] = [];
        if (surname && facts.lastName.toUpperCase() === surname) reasons.push('shares their surname');
        if (address && facts.addressKey === address) reasons.push('shares their address');
        if (roster?.personId && facts.orderParties.has(roster.personId)) reasons.push('is a party to a protective order with them');
        if (reasons.length === 0) continue;
        const hit = hits.get(person) ?? { reasons: new Set<string>(), records: [] };
        reasons.forEach((x) => hit.reasons.add(x));
        hit.records.push(id(r));
        hits.set(person, hit);
      }
    }
    for (const [person, hit] of hits) {
      out.push({ signal: 'PERSONAL_CONNECTION', user, summary: `looked up ${person}, who ${[...hit.reasons].join(' and ')}`, records: hit.records });
    }
  }
  return out;
}

/** Volume far above the user's own baseline. */
function volumeAboveBaseline(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  const baseline = groupBy(input.baseline.filter(isLookup), (r) => r.userSub);
  for (const [user, rs] of groupBy(input.records.filter(isLookup), (r) => r.userSub)) {
    const count = rs.length;
    if (count < input.options.volumeMinimum) continue;
    const before = baseline.get(user)?.length ?? 0;
    const expected = (before / Math.max(1, input.baselineDays)) * input.windowDays;
    const far = before === 0 ? count >= input.options.volumeWithoutBaseline : count > input.options.volumeFactor * expected;
    if (far) {
      out.push({
        signal: 'VOLUME_ABOVE_BASELINE',
        user,
        summary: `${count} lookups against a baseline of about ${expected.toFixed(1)} for the period`,
        records: rs.map(id),
      });
    }
  }
  return out;
}

/** Runs of consecutive state identification numbers: a sweep through the index. */
function sequentialBulk(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  for (const [user, rs] of groupBy(input.records.filter(isLookup), (r) => r.userSub)) {
    const numbers = [
      ...new Set(
        rs
          .flatMap(persons)
          .filter((p) => /^A\d{8}$/.test(p))
          .map((p) => Number(p.slice(1))),
      ),
    ].sort((a, b) => a - b);
    let best: number[] = [];
    let run: number[] = [];
    for (const n of numbers) {
      run = run.length && n === run[run.length - 1] + 1 ? [...run, n] : [n];
      if (run.length > best.length) best = run;
    }
    if (best.length >= input.options.sequentialRun) {
      const inRun = new Set(best.map((n) => `A${n}`));
      out.push({
        signal: 'SEQUENTIAL_BULK_LOOKUPS',
        user,
        summary: `${best.length} consecutive SIDs A${best[0]}–A${best[best.length - 1]}`,
        records: rs.filter((r) => persons(r).some((p) => inRun.has(p))).map(id),
      });
    }
  }
  return out;
}

/** Minutes since local midnight of an instant in a time zone. */
function localMinutes(at: string, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** Parses "HH:MM-HH:MM" into minutes; null when empty or malformed. */
export function parseShift(shift: string | undefined): { start: number; end: number } | null {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(shift?.trim() ?? '');
  return m ? { start: +m[1] * 60 + +m[2], end: +m[3] * 60 + +m[4] } : null;
}

/** Lookups outside the user's configured shift. */
function outsideShift(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  for (const [user, rs] of groupBy(input.records.filter(isLookup), (r) => r.userSub)) {
    const shift = parseShift(input.roster.get(user)?.shift ?? input.options.defaultShift);
    if (!shift) continue;
    const outside = rs.filter((r) => {
      const t = localMinutes(r.at, input.options.timeZone);
      return shift.start <= shift.end ? t < shift.start || t >= shift.end : t < shift.start && t >= shift.end;
    });
    if (outside.length > 0) {
      out.push({ signal: 'OUTSIDE_SHIFT_HOURS', user, summary: `${outside.length} lookup(s) outside shift hours`, records: outside.map(id) });
    }
  }
  return out;
}

/** One subject looked up by many users in a short time (a celebrity, a victim in the news). */
function subjectLookedUpByMany(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  const windowMs = input.options.manyUsersWindowMinutes * 60_000;
  const bySubject = new Map<string, AuditRecord[]>();
  for (const r of input.records.filter(isLookup)) for (const s of r.subjects) bySubject.set(s, [...(bySubject.get(s) ?? []), r]);
  for (const [subject, rs] of bySubject) {
    let start = 0;
    for (let end = 0; end < rs.length; end++) {
      while (Date.parse(rs[end].at) - Date.parse(rs[start].at) > windowMs) start++;
      const slice = rs.slice(start, end + 1);
      const users = new Set(slice.map((r) => r.userSub));
      if (users.size >= input.options.manyUsers) {
        out.push({
          signal: 'SUBJECT_LOOKED_UP_BY_MANY',
          user: null,
          summary: `${subject} looked up by ${users.size} users within ${input.options.manyUsersWindowMinutes} minutes`,
          records: slice.map(id),
        });
        break;
      }
    }
  }
  return out;
}

/** A protected party's confidential address seen with no order task (issue, change, service) around it. */
function protectedAddressWithoutTask(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  const slack = input.options.orderTaskHours * 3_600_000;
  const tasks = input.records.filter(
    (r) => r.operationType === 'mutation' && r.outcome !== 'DENIED' && r.subjects.some((s) => s.startsWith('ProtectiveOrder:')),
  );
  // A protected party's address, whichever path served it: the order's party, or the person (rule 11).
  const protectedPersonAddress = (x: AuditRecord) =>
    x.fieldsResolved.includes('Person.lastKnownAddress') &&
    x.subjects.some((s) => s.startsWith('Person:') && input.subjects.get(s.slice(7))?.confidentialAddress);
  for (const r of input.records.filter(
    (x) => isLookup(x) && (x.fieldsResolved.includes('ProtectedParty.address') || protectedPersonAddress(x)) && x.operationType !== 'mutation',
  )) {
    const orders = r.subjects.filter((s) => s.startsWith('ProtectiveOrder:'));
    const t = Date.parse(r.at);
    const covered = tasks.some((m) => m.userSub === r.userSub && Math.abs(Date.parse(m.at) - t) <= slack && m.subjects.some((s) => orders.includes(s)));
    if (!covered)
      out.push({
        signal: 'PROTECTED_ADDRESS_WITHOUT_ORDER_TASK',
        user: r.userSub,
        summary: `protected-party address viewed (${orders.join(', ') || 'no order'}) with no order task`,
        records: [id(r)],
      });
  }
  return out;
}

/** A record of a background-check client: it matches persons (or reads the employment view) but may not read them. */
function fromScreeningClient(r: AuditRecord): boolean {
  return !r.scopes.includes('person:read') && (r.scopes.includes('person:match') || r.scopes.includes('criminal_history:employment'));
}

/** A background-check client asking again and again for what it may not see. */
function screenerProbing(input: SignalInput): MisuseSignal[] {
  const out: MisuseSignal[] = [];
  const denied = input.records.filter((r) => fromScreeningClient(r) && (r.outcome === 'DENIED' || r.deniedPaths.length > 0));
  for (const [user, rs] of groupBy(denied, (r) => r.userSub)) {
    if (rs.length >= input.options.probingDenials) {
      const paths = [...new Set(rs.flatMap((r) => r.deniedPaths))].slice(0, 5);
      out.push({
        signal: 'SCREENER_PROBING',
        user,
        summary: `${rs.length} denied requests from a background-check client (${paths.join(', ') || 'whole operations'})`,
        records: rs.map(id),
      });
    }
  }
  return out;
}

/**
 * Operations outside a client's registered documents (trusted documents, under `log` or for
 * callers the mode does not enforce): from a background-check client, or from a client that runs
 * registered operations too — a client that registered its operations should send nothing else.
 */
function unregisteredOperations(input: SignalInput): MisuseSignal[] {
  const registering = new Set(input.records.filter((r) => r.documentTrust === 'REGISTERED').map((r) => r.client));
  const outside = input.records.filter((r) => r.documentTrust === 'UNREGISTERED' && (fromScreeningClient(r) || registering.has(r.client)));
  return [...groupBy(outside, (r) => r.client ?? r.userSub)].map(([client, rs]) => ({
    signal: 'UNREGISTERED_OPERATION' as const,
    user: rs[0].userSub,
    summary: `${rs.length} operation(s) outside the registered documents of client ${client ?? '(none)'} (${[...new Set(rs.map((r) => r.operationName ?? 'anonymous'))].slice(0, 5).join(', ')})`,
    records: rs.map(id),
  }));
}

/** Every detector, in the order the report prints them. */
export const DETECTORS: ReadonlyArray<(input: SignalInput) => MisuseSignal[]> = [
  purposeCWithoutReason,
  reasonReused,
  personalConnection,
  volumeAboveBaseline,
  sequentialBulk,
  outsideShift,
  subjectLookedUpByMany,
  protectedAddressWithoutTask,
  screenerProbing,
  unregisteredOperations,
];

/** Runs every detector. */
export function detectMisuse(input: SignalInput): MisuseSignal[] {
  return DETECTORS.flatMap((detect) => detect(input));
}
