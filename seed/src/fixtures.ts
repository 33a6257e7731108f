import type { AlertRecord } from '../../subgraphs/alerts/src/store/alerts-store';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import type { ArrestRecord, ChargeRecord } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import type { Actor, OrderTerms } from '../../subgraphs/orders/src/order-events';
import { SeededRandom } from './random';
import { RecordIds } from './record-ids';
import { addressProtectionsOf, makePerson, SeedCalendar, type SeedData } from './seed-data';

const { day, instant } = SeedCalendar;

/** The court that issued the fixture orders, and the clerk and officer who acted on them. */
const COURT = 'LOS ANGELES SUPERIOR COURT';
const CLERK: Actor = { sub: 'u-clerk-3001', name: 'Clerk Priya Natarajan', ori: 'CA019015J' };
const SERVING_OFFICER: Actor = { sub: 'u-officer-1001', name: 'Officer Dana Reyes', ori: 'CA0194200' };

/**
 * The seven fixture persons, PO-000001..3 and the fixture alerts, exactly as docs/design.md §6 gives
 * them, with dates relative to the seed date T. Tests and outside checks rely on every detail.
 * Arrest ids come from `ids` (opaque: docs/design.md §4 rule 12); the alerts keep the fixed ids
 * AL-0000001..3 that tests name, like the fixture orders (every alert is visible to alerts:read,
 * so three fixed names hide nothing).
 */
export function buildFixtures(t: Date, ids: RecordIds = new RecordIds()): SeedData {
  const cal = new SeedCalendar(t);
  const rnd = new SeededRandom(20260101);
  const persons = [
    makePerson(rnd, { id: 'A10000001', last: 'DOE', first: 'JOHN', middle: 'MICHAEL', dateOfBirth: '1985-03-14', sex: 'M' }),
    makePerson(rnd, { id: 'A10000002', last: 'ROE', first: 'JANE', dateOfBirth: '1988-07-02', sex: 'F' }),
    makePerson(rnd, { id: 'A10000003', last: 'SMITH', first: 'MARCUS', dateOfBirth: '1979-11-30', sex: 'M' }),
    makePerson(rnd, { id: 'A10000004', last: 'NGUYEN', first: 'LINDA', dateOfBirth: '2009-05-21', sex: 'F' }),
    makePerson(rnd, { id: 'A10000005', last: 'GARCIA', first: 'ROBERT', dateOfBirth: '1970-01-09', sex: 'M' }),
    makePerson(rnd, { id: 'A10000006', last: 'LEE', first: 'SARAH', dateOfBirth: '1992-12-12', sex: 'F' }),
    makePerson(rnd, { id: 'A10000007', last: 'DOE', first: 'JON', dateOfBirth: '1985-03-14', sex: 'M' }),
  ];
  const aliases = [{ personId: 'A10000001', seq: 1, name: { last: 'DOE', first: 'JOHNNY', middle: null }, lastNameCodes: phoneticCodes('DOE') }];

  const arrests: ArrestRecord[] = [];
  const charges: ChargeRecord[] = [];
  const arrestsOf = new Map<string, number>();
  const arrest = (
    personId: string,
    date: Date,
    agency: string,
    charge: Omit<ChargeRecord, 'arrestId' | 'personId' | 'seq'>,
    flags: { sealed?: boolean; juvenile?: boolean } = {},
  ) => {
    const ordinal = (arrestsOf.get(personId) ?? 0) + 1;
    arrestsOf.set(personId, ordinal);
    const id = ids.arrestId(personId, ordinal);
    arrests.push({ id, personId, date: day(date), agency, sealed: !!flags.sealed, juvenile: !!flags.juvenile });
    charges.push({ arrestId: id, personId, seq: 1, ...charge });
  };

  // A10000001 DOE, JOHN MICHAEL: (a)–(f) of docs/design.md §6.
  arrest('A10000001', cal.yearsFromT(-4), 'CA0194200', {
    statute: 'PC 459',
    description: 'BURGLARY',
    level: 'FELONY',
    disposition: { type: 'CONVICTED', date: day(cal.yearsFromT(-3)), court: COURT, sentence: '3 YEARS FORMAL PROBATION, 180 DAYS JAIL', relief: null },
  });
  arrest('A10000001', cal.yearsFromT(-2), 'CA0194200', {
    statute: 'PC 273.5',
    description: 'CORPORAL INJURY ON SPOUSE OR COHABITANT',
    level: 'MISDEMEANOR',
    disposition: { type: 'DISMISSED', date: day(cal.yearsFromT(-2, 60)), court: COURT, sentence: null, relief: null },
  });
  arrest('A10000001', cal.yearsFromT(-10), 'CA0370000', {
    statute: 'VC 23152(a)',
    description: 'DRIVING UNDER THE INFLUENCE',
    level: 'MISDEMEANOR',
    disposition: {
      type: 'CONVICTED',
      date: day(cal.yearsFromT(-10, 91)),
      court: 'SAN DIEGO SUPERIOR COURT',
      sentence: '3 YEARS SUMMARY PROBATION',
      relief: null,
    },
  });
  arrest('A10000001', cal.yearsFromT(-1), 'CA0194200', {
    statute: 'PC 11350',
    description: 'POSSESSION OF A CONTROLLED SUBSTANCE',
    level: 'MISDEMEANOR',
    disposition: { type: 'PENDING', date: null, court: COURT, sentence: null, relief: null },
  });
  arrest(
    'A10000001',
    cal.yearsFromT(-13),
    'CA0194200',
    {
      statute: 'PC 647(f)',
      description: 'DISORDERLY CONDUCT: INTOXICATION',
      level: 'MISDEMEANOR',
      disposition: { type: 'DISMISSED', date: day(cal.yearsFromT(-13, 30)), court: COURT, sentence: null, relief: null },
    },
    { sealed: true },
  );
  arrest(
    'A10000001',
    new Date(Date.UTC(2001, 5, 15)),
    'CA0194200',
    {
      statute: 'PC 594(a)',
      description: 'VANDALISM (JUVENILE PETITION)',
      level: 'MISDEMEANOR',
      disposition: {
        type: 'CONVICTED',
        date: '2001-08-20',
        court: 'LOS ANGELES SUPERIOR COURT, JUVENILE DIVISION',
        sentence: 'WARDSHIP, 6 MONTHS PROBATION',
        relief: null,
      },
    },
    { sealed: true, juvenile: true },
  );

  // A10000003 SMITH, MARCUS: one conviction T−6y.
  arrest('A10000003', cal.yearsFromT(-6, -120), 'CA0370000', {
    statute: 'PC 211',
    description: 'ROBBERY',
    level: 'FELONY',
    disposition: { type: 'CONVICTED', date: day(cal.yearsFromT(-6)), court: 'SAN DIEGO SUPERIOR COURT', sentence: '2 YEARS STATE PRISON', relief: null },
  });
  // A10000005 GARCIA, ROBERT: conviction T−5y, dismissed under PC 1203.4.
  arrest('A10000005', cal.yearsFromT(-5, -90), 'CA0300000', {
    statute: 'PC 496(a)',
    description: 'RECEIVING STOLEN PROPERTY',
    level: 'MISDEMEANOR',
    disposition: {
      type: 'CONVICTED',
      date: day(cal.yearsFromT(-5)),
      court: 'ORANGE COUNTY SUPERIOR COURT',
      sentence: '2 YEARS SUMMARY PROBATION',
      relief: 'DISMISSED_1203_4',
    },
  });
  // A10000007 DOE, JON: one conviction T−2y.
  arrest('A10000007', cal.yearsFromT(-2, -45), 'CA0194200', {
    statute: 'PC 484',
    description: 'PETTY THEFT',
    level: 'MISDEMEANOR',
    disposition: { type: 'CONVICTED', date: day(cal.yearsFromT(-2)), court: COURT, sentence: '10 DAYS JAIL, FINE $390', relief: null },
  });

  const dvroTerms: OrderTerms = {
    noContact: true,
    stayAwayYards: 100,
    stayAwayFrom: ['PROTECTED PARTY', 'HOME', 'WORKPLACE', 'VEHICLE'],
    firearmsProhibited: true,
    moveOut: false,
    other: null,
  };
  const events: SeedData['orders']['events'] = [
    {
      orderId: 'PO-000001',
      at: instant(cal.daysFromT(-60)),
      actor: CLERK,
      payload: {
        type: 'ISSUED',
        caseNumber: 'FL-24-001187',
        court: COURT,
        orderType: 'DVRO',
        restrainedPersonId: 'A10000001',
        protectedParties: [
          {
            name: { last: 'ROE', first: 'JANE' },
            dateOfBirth: '1988-07-02',
            relationship: 'SPOUSE',
            personId: 'A10000002',
            address: { street: '1450 CONFIDENTIAL WAY APT 3', city: 'PASADENA', state: 'CA', postalCode: '91101' },
          },
        ],
        terms: dvroTerms,
        issuedAt: instant(cal.daysFromT(-60)),
        expiresAt: instant(cal.yearsFromT(3, -60)),
      },
    },
    {
      orderId: 'PO-000001',
      at: instant(cal.daysFromT(-55)),
      actor: SERVING_OFFICER,
      payload: { type: 'SERVED', servedAt: instant(cal.daysFromT(-55)), method: 'PERSONAL' },
    },
    {
      orderId: 'PO-000002',
      at: instant(cal.daysFromT(-51)),
      actor: CLERK,
      payload: {
        type: 'ISSUED',
        caseNumber: 'FL-24-000932',
        court: 'ORANGE COUNTY SUPERIOR COURT',
        orderType: 'DVRO_TRO',
        restrainedPersonId: 'A10000005',
        protectedParties: [
          {
            name: { last: 'GARCIA', first: 'ELENA' },
            dateOfBirth: '1974-04-18',
            relationship: 'FORMER_SPOUSE',
            personId: null,
            address: { street: '88 HARBOR VIEW DR', city: 'SANTA ANA', state: 'CA', postalCode: '92701' },
          },
        ],
        terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: ['PROTECTED PARTY', 'HOME'], firearmsProhibited: true, moveOut: false, other: null },
        issuedAt: instant(cal.daysFromT(-51)),
        expiresAt: instant(cal.daysFromT(-30)),
      },
    },
    {
      orderId: 'PO-000002',
      at: instant(cal.daysFromT(-49)),
      actor: SERVING_OFFICER,
      payload: { type: 'SERVED', servedAt: instant(cal.daysFromT(-49)), method: 'SUBSTITUTED' },
    },
    {
      orderId: 'PO-000003',
      at: instant(cal.daysFromT(-400)),
      actor: CLERK,
      payload: {
        type: 'ISSUED',
        caseNumber: 'CH-23-004410',
        court: 'ORANGE COUNTY SUPERIOR COURT',
        orderType: 'CHRO',
        restrainedPersonId: 'A10000005',
        protectedParties: [{ name: { last: 'PARK', first: 'DANIEL' }, dateOfBirth: '1981-09-02', relationship: 'OTHER', personId: null, address: null }],
        terms: { noContact: true, stayAwayYards: 50, stayAwayFrom: ['PROTECTED PARTY', 'WORKPLACE'], firearmsProhibited: true, moveOut: false, other: null },
        issuedAt: instant(cal.daysFromT(-400)),
        expiresAt: instant(cal.daysFromT(695)),
      },
    },
    {
      orderId: 'PO-000003',
      at: instant(cal.daysFromT(-100)),
      actor: CLERK,
      payload: { type: 'TERMINATED', terminatedAt: instant(cal.daysFromT(-100)), reason: 'REQUEST OF PROTECTED PARTY, GRANTED AFTER HEARING' },
    },
  ];

  const alerts: AlertRecord[] = [
    {
      id: 'AL-0000001',
      type: 'WANTED_PERSON',
      subjectId: 'A10000003',
      agency: 'CA0370000',
      enteredAt: instant(cal.daysFromT(-20)),
      expiresAt: null,
      cancelled: false,
      caution: { codes: ['ARMED_AND_DANGEROUS'], note: 'SUBJECT STATED HE WILL NOT BE TAKEN ALIVE; KNOWN TO CARRY A HANDGUN IN WAISTBAND' },
      warrant: { number: 'SD-W-2026-118830', offense: 'PC 245(a)(1) ASSAULT WITH A DEADLY WEAPON', extradition: 'FULL', bailAmount: 250000 },
      missing: null,
    },
    {
      id: 'AL-0000002',
      type: 'OFFICER_SAFETY',
      subjectId: 'A10000003',
      agency: 'CA0370000',
      enteredAt: instant(cal.daysFromT(-18)),
      expiresAt: instant(cal.daysFromT(165)),
      cancelled: false,
      caution: { codes: ['ARMED_AND_DANGEROUS', 'VIOLENT_TENDENCIES'], note: 'ASSAULTED OFFICERS DURING PRIOR ARREST' },
      warrant: null,
      missing: null,
    },
    {
      id: 'AL-0000003',
      type: 'MISSING_PERSON',
      subjectId: 'A10000004',
      agency: 'CA0194200',
      enteredAt: instant(cal.daysFromT(-3)),
      expiresAt: null,
      cancelled: false,
      caution: { codes: ['MEDICAL_CONDITION'], note: 'REQUIRES DAILY INSULIN' },
      warrant: null,
      missing: {
        category: 'JUVENILE',
        categories: ['JUVENILE', 'ENDANGERED'],
        lastSeenAt: instant(cal.daysFromT(-4)),
        lastSeenPlace: 'VICINITY OF UNION STATION, LOS ANGELES',
      },
    },
  ];

  return { criminalHistory: { persons, aliases, arrests, charges, addressProtections: addressProtectionsOf(events) }, orders: { events }, alerts };
}

/** Ids the fixtures take; the bulk population's persons and orders are numbered after them. */
export const FIXTURE_COUNTS = { persons: 7, orders: 3 } as const;
