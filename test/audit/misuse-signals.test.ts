import type { AuditRecord } from '../../access-policy/src';
import { DEFAULT_SIGNAL_OPTIONS, detectMisuse, type RosterEntry, type SignalInput, type SubjectFacts } from '../../gateway/src/audit/misuse-signals';

const WINDOW_START = Date.UTC(2026, 5, 1, 0, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let seq = 0;

/** A lookup record at a time, with sensible defaults (an officer, purpose C, one person). */
function rec(at: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  seq++;
  return {
    chainId: 'gw-1',
    seq,
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
    requestId: `r${seq}`,
    at: new Date(at).toISOString(),
    userSub: 'u-officer-1001',
    userName: 'Officer Dana Reyes',
    ori: 'CA0194200',
    client: 'patrol-mdt',
    scopes: ['person:read', 'criminal_history:read', 'orders:read'],
    purpose: 'C',
    reason: `INC-${seq}`,
    operationType: 'query',
    operationName: 'Profile',
    documentHash: null,
    document: null,
    variables: null,
    outcome: 'ALLOWED',
    deniedPaths: [],
    errorCodes: [],
    fieldsResolved: ['Person.name'],
    subjects: [`Person:A${10005000 + seq * 7}`],
    sourceAddress: '10.0.0.5',
    userAgent: 'mdt',
    durationMs: 12,
    ...overrides,
  };
}

/** Office hours in Los Angeles (UTC−7 in June): 16:00–23:00 UTC is 09:00–16:00 there. */
const officeHour = (day: number, hour: number) => WINDOW_START + day * DAY + (16 + hour) * HOUR;

/** A week of ordinary work by three officers, a dispatcher and a screener, and their usual pace before it. */
function ordinaryTraffic(): { records: AuditRecord[]; baseline: AuditRecord[] } {
  const users = ['u-officer-1001', 'u-officer-1002', 'u-officer-1003', 'u-dispatch-2001'];
  const records: AuditRecord[] = [];
  const baseline: AuditRecord[] = [];
  for (let day = 0; day < 7; day++)
    for (const [i, user] of users.entries()) for (let h = 0; h < 3; h++) records.push(rec(officeHour(day, h + i), { userSub: user, userName: `User ${user}` }));
  for (let day = 1; day <= 28; day++)
    for (const user of users)
      for (let h = 0; h < 3; h++) baseline.push(rec(WINDOW_START - day * DAY + (17 + h) * HOUR, { userSub: user, userName: `User ${user}` }));
  const screener = {
    userSub: 'u-screener-4001',
    userName: 'Screener Alex Kim',
    scopes: ['person:match', 'criminal_history:employment'],
    purpose: 'I',
    reason: null,
  };
  records.push(rec(officeHour(2, 1), screener), rec(officeHour(3, 1), screener));
  return { records, baseline };
}

function input(records: AuditRecord[], baseline: AuditRecord[] = [], extra: Partial<SignalInput> = {}): SignalInput {
  return {
    records: [...records].sort((a, b) => a.at.localeCompare(b.at)),
    baseline,
    baselineDays: 28,
    windowDays: 7,
    subjects: new Map<string, SubjectFacts>(),
    roster: new Map<string, RosterEntry>(),
    options: { ...DEFAULT_SIGNAL_OPTIONS, defaultShift: '08:00-18:00' },
    ...extra,
  };
}

const signalsOf = (i: SignalInput) => detectMisuse(i).map((s) => s.signal);

describe('misuse signals (docs/design.md §5)', () => {
  it('stay quiet on a week of ordinary traffic', () => {
    const { records, baseline } = ordinaryTraffic();
    expect(detectMisuse(input(records, baseline))).toEqual([]);
  });

  it('flag purpose C without a reason, refused attempts included', () => {
    const { records, baseline } = ordinaryTraffic();
    const attempt = rec(officeHour(1, 1), { outcome: 'DENIED', reason: null, subjects: [] });
    const found = detectMisuse(input([...records, attempt], baseline));
    expect(found).toEqual([expect.objectContaining({ signal: 'PURPOSE_C_WITHOUT_REASON', user: 'u-officer-1001', records: [`gw-1:${attempt.seq}`] })]);
  });

  it('flag one reason used for several unrelated persons, but not for the parties of one order', () => {
    const { records, baseline } = ordinaryTraffic();
    const reused = ['A10000101', 'A10000202', 'A10000303', 'A10000404'].map((p, i) =>
      rec(officeHour(4, i * 0.5), { reason: 'INC-0077', subjects: [`Person:${p}`] }),
    );
    expect(signalsOf(input([...records, ...reused], baseline))).toEqual(['REASON_REUSED_ACROSS_SUBJECTS']);
    // The same four as parties of one protective order are one matter.
    const linked = new Map<string, SubjectFacts>(
      ['A10000101', 'A10000202', 'A10000303', 'A10000404'].map((p, _i, all) => [
        p,
        { lastName: 'X', addressKey: null, orderParties: new Set(all.filter((o) => o !== p)) },
      ]),
    );
    expect(signalsOf(input([...records, ...reused], baseline, { subjects: linked }))).toEqual([]);
  });

  it('flag a user looking up someone who shares their surname, their address, or an order with them', () => {
    const { records, baseline } = ordinaryTraffic();
    const subjects = new Map<string, SubjectFacts>([
      ['A10000001', { lastName: 'DOE', addressKey: null, orderParties: new Set(['A10000002']) }],
      ['A10000009', { lastName: 'PARK', addressKey: '12 ELM ST|90001', orderParties: new Set() }],
    ]);
    const roster = new Map<string, RosterEntry>([
      ['u-officer-1002', { sub: 'u-officer-1002', lastName: 'DOE' }],
      ['u-officer-1003', { sub: 'u-officer-1003', address: { street: '12 Elm St', postalCode: '90001' } }],
      ['u-dispatch-2001', { sub: 'u-dispatch-2001', personId: 'A10000002' }],
    ]);
    const lookups = [
      rec(officeHour(5, 0), { userSub: 'u-officer-1002', subjects: ['Person:A10000001'] }),
      rec(officeHour(5, 1), { userSub: 'u-officer-1003', subjects: ['Person:A10000009'] }),
      rec(officeHour(5, 2), { userSub: 'u-dispatch-2001', subjects: ['Person:A10000001'] }),
    ];
    const found = detectMisuse(input([...records, ...lookups], baseline, { subjects, roster }));
    expect(found.map((s) => [s.signal, s.user, s.summary])).toEqual([
      ['PERSONAL_CONNECTION', 'u-officer-1002', expect.stringContaining('shares their surname')],
      ['PERSONAL_CONNECTION', 'u-officer-1003', expect.stringContaining('shares their address')],
      ['PERSONAL_CONNECTION', 'u-dispatch-2001', expect.stringContaining('party to a protective order with them')],
    ]);
  });

  it("flag volume far above the user's own baseline", () => {
    const { records, baseline } = ordinaryTraffic();
    const burst = Array.from({ length: 150 }, (_, i) => rec(officeHour(6, i / 25), { userSub: 'u-officer-1003', subjects: [`Person:A${10007000 + i * 13}`] }));
    expect(signalsOf(input([...records, ...burst], baseline))).toEqual(['VOLUME_ABOVE_BASELINE']);
  });

  it('flag a sweep through consecutive SIDs', () => {
    const { records, baseline } = ordinaryTraffic();
    const sweep = Array.from({ length: 12 }, (_, i) => rec(officeHour(3, i / 6), { subjects: [`Person:A${10000100 + i}`] }));
    const found = detectMisuse(input([...records, ...sweep], baseline));
    expect(found).toEqual([
      expect.objectContaining({
        signal: 'SEQUENTIAL_BULK_LOOKUPS',
        user: 'u-officer-1001',
        summary: expect.stringContaining('A10000100–A10000111'),
        records: sweep.map((r) => `gw-1:${r.seq}`),
      }),
    ]);
  });

  it('flag lookups outside the configured shift hours', () => {
    const { records, baseline } = ordinaryTraffic();
    const night = rec(WINDOW_START + 2 * DAY + 10 * HOUR, { userSub: 'u-officer-1002' }); // 03:00 in Los Angeles
    const found = detectMisuse(input([...records, night], baseline));
    expect(found).toEqual([expect.objectContaining({ signal: 'OUTSIDE_SHIFT_HOURS', user: 'u-officer-1002', records: [`gw-1:${night.seq}`] })]);
  });

  it('flag one subject looked up by many users in a short time', () => {
    const { records, baseline } = ordinaryTraffic();
    const crowd = ['a', 'b', 'c', 'd', 'e'].map((u, i) =>
      rec(officeHour(4, 2) + i * 5 * 60_000, { userSub: `u-officer-9${u}`, subjects: ['Person:A10000050'] }),
    );
    expect(signalsOf(input([...records, ...crowd], baseline))).toEqual(['SUBJECT_LOOKED_UP_BY_MANY']);
  });

  it('flag a protected-party address viewed with no order task, but not during one', () => {
    const { records, baseline } = ordinaryTraffic();
    const view = (user: string, hour: number) =>
      rec(officeHour(2, hour), { userSub: user, fieldsResolved: ['ProtectedParty.address'], subjects: ['ProtectiveOrder:PO-000001', 'Person:A10000002'] });
    const curious = view('u-officer-1002', 1);
    const task = rec(officeHour(2, 3), { userSub: 'u-officer-1003', operationType: 'mutation', subjects: ['ProtectiveOrder:PO-000001'] });
    const working = view('u-officer-1003', 4);
    const found = detectMisuse(input([...records, curious, task, working], baseline));
    expect(found).toEqual([
      expect.objectContaining({ signal: 'PROTECTED_ADDRESS_WITHOUT_ORDER_TASK', user: 'u-officer-1002', records: [`gw-1:${curious.seq}`] }),
    ]);
  });

  it('flag a background-check client probing for non-conviction data', () => {
    const { records, baseline } = ordinaryTraffic();
    const screener = { userSub: 'u-screener-4001', scopes: ['person:match', 'criminal_history:employment'], purpose: 'I', reason: null };
    const probes = [0, 1, 2].map((i) =>
      rec(officeHour(3, i), { ...screener, outcome: 'PARTIAL', deniedPaths: [`searchPersons.0.person.criminalHistory.arrests`] }),
    );
    expect(signalsOf(input([...records, ...probes], baseline))).toEqual(['SCREENER_PROBING']);
  });

  it("flag operations outside a client's registered documents: a background-check client's, or a registering client's", () => {
    const { records, baseline } = ordinaryTraffic();
    const screener = {
      userSub: 'u-screener-4001',
      client: 'acme-background-checks',
      scopes: ['person:match', 'criminal_history:employment'],
      purpose: 'I',
      reason: null,
    };
    const registered = rec(officeHour(4, 1), { ...screener, documentId: 'a'.repeat(64), documentTrust: 'REGISTERED' });
    const outside = rec(officeHour(4, 2), { ...screener, operationName: 'Probe', documentTrust: 'UNREGISTERED' });
    // An officer's free-form query, from a client that registers nothing: not a signal.
    const free = rec(officeHour(4, 3), { documentTrust: 'UNREGISTERED' });
    const found = detectMisuse(input([...records, registered, outside, free], baseline));
    expect(found).toEqual([expect.objectContaining({ signal: 'UNREGISTERED_OPERATION', user: 'u-screener-4001', records: [`gw-1:${outside.seq}`] })]);
  });

  it("flag a protected party's address read through the person, not only through the order", () => {
    const { records, baseline } = ordinaryTraffic();
    const subjects = new Map<string, SubjectFacts>([
      ['A10000002', { lastName: 'ROE', addressKey: null, orderParties: new Set(['A10000001']), confidentialAddress: true }],
    ]);
    const viaPerson = rec(officeHour(2, 1), { userSub: 'u-officer-1002', fieldsResolved: ['Person.lastKnownAddress'], subjects: ['Person:A10000002'] });
    const unprotected = rec(officeHour(2, 2), { userSub: 'u-officer-1002', fieldsResolved: ['Person.lastKnownAddress'], subjects: ['Person:A10000006'] });
    const found = detectMisuse(input([...records, viaPerson, unprotected], baseline, { subjects }));
    expect(found).toEqual([
      expect.objectContaining({ signal: 'PROTECTED_ADDRESS_WITHOUT_ORDER_TASK', user: 'u-officer-1002', records: [`gw-1:${viaPerson.seq}`] }),
    ]);
  });
});
