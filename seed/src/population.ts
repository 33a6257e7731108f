import type { AlertRecord, CautionCode, MissingCategory } from '../../subgraphs/alerts/src/store/alerts-store';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import type { DispositionType, Relief, Sex } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import type { Actor, OrderType, Relationship, ServiceMethod } from '../../subgraphs/orders/src/order-events';
import { FIXTURE_COUNTS } from './fixtures';
import { CITIES, FEMALE_FIRST, MALE_FIRST, STREETS, SURNAMES } from './names';
import { SeededRandom } from './random';
import type { RecordIds } from './record-ids';
import { addressProtectionsOf, emptySeed, makePerson, SeedCalendar, type SeedData } from './seed-data';
import { AGENCY_ORIS, COURTS, SENTENCES, STATUTES } from './statutes';

const { day, instant } = SeedCalendar;
const DAY = 86_400_000;
const SEED_ACTOR: Actor = { sub: 'seed', name: 'Synthetic data generator', ori: 'CA0349400' };

const ORDER_TYPES: ReadonlyArray<readonly [OrderType, number]> = [
  ['DVRO', 40],
  ['DVRO_TRO', 15],
  ['CHRO', 18],
  ['EPO', 5],
  ['CPO', 10],
  ['GVRO', 3],
  ['WVRO', 3],
  ['EAPRO', 3],
  ['PSVRO', 1],
  ['JUVENILE', 2],
];
/** Usual lifetime of each order type, in days. */
const ORDER_DAYS: Record<OrderType, number> = {
  EPO: 7,
  DVRO_TRO: 21,
  DVRO: 3 * 365,
  CHRO: 3 * 365,
  WVRO: 3 * 365,
  PSVRO: 3 * 365,
  EAPRO: 3 * 365,
  JUVENILE: 3 * 365,
  GVRO: 365,
  CPO: 3 * 365,
};
const RELATIONSHIPS: ReadonlyArray<readonly [Relationship, number]> = [
  ['SPOUSE', 25],
  ['FORMER_SPOUSE', 20],
  ['COHABITANT', 15],
  ['DATING', 15],
  ['CHILD', 8],
  ['PARENT', 5],
  ['RELATIVE', 5],
  ['OTHER', 7],
];
const CAUTIONS: readonly CautionCode[] = [
  'ARMED_AND_DANGEROUS',
  'VIOLENT_TENDENCIES',
  'MARTIAL_ARTS',
  'DRUG_ABUSER',
  'ESCAPE_RISK',
  'SUICIDAL',
  'MEDICAL_CONDITION',
];

/** The state identification number of the n-th person (1-based). */
export function sid(n: number): string {
  return `A${String(10_000_000 + n)}`;
}

/**
 * Generates the bulk synthetic population after the fixtures, chunk by chunk, repeatably: the
 * same seed date, counts and id key give the same records. Persons and orders continue the
 * fixtures' numbering (SIDs and order numbers are public by nature); arrests and alerts take
 * opaque ids from `ids` (docs/design.md §4 rule 12).
 */
export class PopulationBuilder {
  private readonly cal: SeedCalendar;
  private orderNo = FIXTURE_COUNTS.orders;

  /** @param total persons in all, fixtures included */
  constructor(
    readonly t: Date,
    readonly total: number,
    private readonly ids: RecordIds,
  ) {
    this.cal = new SeedCalendar(t);
  }

  /** Persons numbered `from`..`to` inclusive (fixtures are 1–7), with their records. */
  buildChunk(from: number, to: number): SeedData {
    const data = emptySeed();
    for (let n = Math.max(from, FIXTURE_COUNTS.persons + 1); n <= to; n++) this.buildPerson(n, data);
    data.criminalHistory.addressProtections = addressProtectionsOf(data.orders.events);
    return data;
  }

  private buildPerson(n: number, data: SeedData): void {
    const rnd = new SeededRandom(n * 7919 + 17);
    const t = this.t.getTime();
    const sex: Sex = rnd.weighted<Sex>([
      ['M', 55],
      ['F', 44],
      ['X', 1],
    ]);
    const ageDays = rnd.int(15 * 365, 80 * 365);
    const dob = new Date(t - ageDays * DAY);
    const last = rnd.pick(SURNAMES);
    const first = rnd.pick(sex === 'F' ? FEMALE_FIRST : sex === 'M' ? MALE_FIRST : [...MALE_FIRST, ...FEMALE_FIRST]);
    const middle = rnd.chance(0.5) ? rnd.pick(sex === 'F' ? FEMALE_FIRST : MALE_FIRST) : null;
    const id = sid(n);
    data.criminalHistory.persons.push(makePerson(rnd, { id, last, first, middle, dateOfBirth: day(dob), sex }));
    if (rnd.chance(0.05)) {
      const aliasLast = rnd.chance(0.5) ? last : rnd.pick(SURNAMES);
      data.criminalHistory.aliases.push({
        personId: id,
        seq: 1,
        name: { last: aliasLast, first: rnd.pick(MALE_FIRST), middle: null },
        lastNameCodes: phoneticCodes(aliasLast),
      });
    }

    const adult = new Date(dob.getTime() + 18 * 365 * DAY);
    const juvenileStart = new Date(dob.getTime() + 12 * 365 * DAY);
    if (rnd.chance(0.35)) {
      const arrests = rnd.weighted([
        [1, 50],
        [2, 25],
        [3, 15],
        [4, 6],
        [5, 3],
        [6, 1],
      ] as const);
      let ordinal = 0;
      for (let a = 0; a < arrests; a++) {
        const juvenile = rnd.chance(0.03) && juvenileStart.getTime() < Math.min(adult.getTime(), t);
        const start = juvenile ? juvenileStart.getTime() : adult.getTime();
        const end = juvenile ? Math.min(adult.getTime(), t) : t;
        if (end <= start) continue;
        const at = new Date(start + rnd.next() * (end - start));
        this.buildArrest(rnd, id, ++ordinal, at, juvenile, data);
      }
    }
    if (rnd.chance(0.03)) this.buildOrder(rnd, id, data);
    this.buildAlerts(rnd, id, ageDays / 365, data);
  }

  private buildArrest(rnd: SeededRandom, personId: string, ordinal: number, at: Date, juvenile: boolean, data: SeedData): void {
    const t = this.t.getTime();
    const arrestId = this.ids.arrestId(personId, ordinal);
    data.criminalHistory.arrests.push({ id: arrestId, personId, date: day(at), agency: rnd.pick(AGENCY_ORIS), sealed: juvenile || rnd.chance(0.02), juvenile });
    const count = rnd.weighted([
      [1, 70],
      [2, 22],
      [3, 8],
    ] as const);
    const recent = t - at.getTime() < 365 * DAY;
    for (let seq = 1; seq <= count; seq++) {
      const s = rnd.weighted(STATUTES.map((x) => [x, x.weight] as const));
      const type: DispositionType | null =
        recent && rnd.chance(0.4)
          ? 'PENDING'
          : rnd.weighted<DispositionType | null>([
              ['CONVICTED', 55],
              ['DISMISSED', 20],
              ['ACQUITTED', 5],
              ['DIVERSION', 8],
              [null, 12],
            ]);
      let disposition = null;
      if (type) {
        const decided = type === 'PENDING' ? null : new Date(Math.min(t - DAY, at.getTime() + rnd.int(30, 300) * DAY));
        const age = decided ? (t - decided.getTime()) / (365 * DAY) : 0;
        let relief: Relief | null = null;
        if (type === 'CONVICTED' && age > 3)
          relief = rnd.weighted<Relief | null>([
            [null, 85],
            ['DISMISSED_1203_4', 12],
            ['DISMISSED_1203_425', 3],
          ]);
        if (type !== 'CONVICTED' && type !== 'PENDING' && age > 1 && rnd.chance(0.05)) relief = 'ARREST_RELIEF_851_93';
        disposition = {
          type,
          date: decided ? day(decided) : null,
          court: rnd.pick(COURTS),
          sentence: type === 'CONVICTED' ? rnd.pick(SENTENCES[s.level]) : null,
          relief,
        };
      }
      data.criminalHistory.charges.push({ arrestId, personId, seq, statute: s.statute, description: s.description, level: s.level, disposition });
    }
  }

  private buildOrder(rnd: SeededRandom, restrainedPersonId: string, data: SeedData): void {
    const orderId = `PO-${String(++this.orderNo).padStart(6, '0')}`;
    const type = rnd.weighted(ORDER_TYPES);
    const issued = this.cal.daysFromT(-rnd.int(1, 1500));
    const expires = new Date(issued.getTime() + ORDER_DAYS[type] * DAY);
    const linked = rnd.chance(0.6);
    const partyN = rnd.int(FIXTURE_COUNTS.persons + 1, this.total);
    const [city, zip] = rnd.pick(CITIES);
    data.orders.events.push({
      orderId,
      at: instant(issued),
      actor: SEED_ACTOR,
      payload: {
        type: 'ISSUED',
        caseNumber: `${type.startsWith('DV') ? 'FL' : type === 'CPO' ? 'CR' : 'CH'}-${String(issued.getUTCFullYear()).slice(2)}-${String(rnd.int(1, 99999)).padStart(6, '0')}`,
        court: rnd.pick(COURTS),
        orderType: type,
        restrainedPersonId,
        protectedParties: [
          {
            name: { last: rnd.pick(SURNAMES), first: rnd.pick(FEMALE_FIRST) },
            dateOfBirth: day(new Date(issued.getTime() - rnd.int(18 * 365, 60 * 365) * DAY)),
            relationship: rnd.weighted(RELATIONSHIPS),
            personId: linked && sid(partyN) !== restrainedPersonId ? sid(partyN) : null,
            address: {
              street: `${rnd.int(100, 9999)} ${rnd.pick(STREETS)}`,
              city,
              state: 'CA',
              postalCode: `${zip}${String(rnd.int(0, 99)).padStart(2, '0')}`,
            },
          },
        ],
        terms: {
          noContact: rnd.chance(0.85),
          stayAwayYards: rnd.pick([50, 100, 100, 100, 200, 300]),
          stayAwayFrom: ['PROTECTED PARTY', 'HOME'],
          firearmsProhibited: type !== 'EPO' || rnd.chance(0.8),
          moveOut: rnd.chance(0.15),
          other: null,
        },
        issuedAt: instant(issued),
        expiresAt: instant(expires),
      },
    });
    if (rnd.chance(0.7)) {
      const served = new Date(Math.min(this.t.getTime() - 1000, issued.getTime() + rnd.int(0, 10) * DAY + 3_600_000));
      const method = rnd.weighted<ServiceMethod>([
        ['PERSONAL', 70],
        ['SUBSTITUTED', 10],
        ['MAIL', 5],
        ['IN_COURT', 15],
      ]);
      data.orders.events.push({ orderId, at: instant(served), actor: SEED_ACTOR, payload: { type: 'SERVED', servedAt: instant(served), method } });
    }
    if (rnd.chance(0.05) && expires.getTime() > this.t.getTime()) {
      const at = this.cal.daysFromT(-rnd.int(0, Math.max(0, Math.floor((this.t.getTime() - issued.getTime()) / DAY))));
      data.orders.events.push({
        orderId,
        at: instant(at),
        actor: SEED_ACTOR,
        payload: { type: 'TERMINATED', terminatedAt: instant(at), reason: 'DISSOLVED ON MOTION' },
      });
    }
  }

  private buildAlerts(rnd: SeededRandom, subjectId: string, age: number, data: SeedData): void {
    let ordinal = 0;
    const add = (a: Omit<AlertRecord, 'id' | 'subjectId' | 'agency' | 'cancelled'>) =>
      data.alerts.push({ id: this.ids.alertId(subjectId, ++ordinal), subjectId, agency: rnd.pick(AGENCY_ORIS), cancelled: rnd.chance(0.1), ...a });
    if (age >= 18 && rnd.chance(0.02)) {
      const s = rnd.weighted(STATUTES.filter((x) => x.level !== 'INFRACTION').map((x) => [x, x.weight] as const));
      add({
        type: 'WANTED_PERSON',
        enteredAt: instant(this.cal.daysFromT(-rnd.int(1, 900))),
        expiresAt: null,
        caution: rnd.chance(0.3) ? { codes: [rnd.pick(CAUTIONS)], note: 'USE CAUTION' } : null,
        warrant: {
          number: `W-${rnd.int(100000, 999999)}`,
          offense: `${s.statute} ${s.description}`,
          extradition: rnd.weighted([
            ['FULL', 40],
            ['LIMITED', 15],
            ['SURROUNDING_STATES', 15],
            ['NONE', 25],
            ['PENDING', 5],
          ] as const),
          bailAmount: s.level === 'FELONY' ? rnd.pick([50000, 100000, 250000, null]) : rnd.pick([5000, 10000, 25000]),
        },
        missing: null,
      });
    }
    if (rnd.chance(age < 18 ? 0.08 : 0.004)) {
      const categories: MissingCategory[] =
        age < 18
          ? rnd.chance(0.3)
            ? ['JUVENILE', 'ENDANGERED']
            : ['JUVENILE']
          : [rnd.pick<MissingCategory>(['ENDANGERED', 'DISABILITY', 'INVOLUNTARY', 'OTHER'])];
      const seen = this.cal.daysFromT(-rnd.int(1, 400));
      add({
        type: 'MISSING_PERSON',
        enteredAt: instant(new Date(seen.getTime() + DAY)),
        expiresAt: null,
        caution: null,
        warrant: null,
        missing: { category: categories[0], categories, lastSeenAt: instant(seen), lastSeenPlace: `${rnd.pick(STREETS)}, ${rnd.pick(CITIES)[0]}` },
      });
    }
    if (age >= 18 && rnd.chance(0.01)) {
      add({
        type: 'OFFICER_SAFETY',
        enteredAt: instant(this.cal.daysFromT(-rnd.int(1, 300))),
        expiresAt: instant(this.cal.daysFromT(rnd.int(-30, 365))),
        caution: { codes: [rnd.pick(CAUTIONS)], note: 'PRIOR ASSAULT ON OFFICER' },
        warrant: null,
        missing: null,
      });
    }
  }
}
