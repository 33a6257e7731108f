import type { AlertRecord } from '../../subgraphs/alerts/src/store/alerts-store';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import type { AddressProtection, CriminalHistorySeed, PersonRecord, Sex } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import { protectionsOf } from '../../subgraphs/orders/src/address-protections';
import { applyOrderEvent, type OrderState } from '../../subgraphs/orders/src/order-events';
import type { OrdersSeed } from '../../subgraphs/orders/src/store/orders-store';
import type { SeededRandom } from './random';
import { CITIES, EYE_COLORS, HAIR_COLORS, STREETS } from './names';

/** Everything one seed run writes, per store. */
export interface SeedData {
  criminalHistory: CriminalHistorySeed;
  orders: OrdersSeed;
  alerts: AlertRecord[];
}

/** An empty seed, to append to. */
export function emptySeed(): SeedData {
  return { criminalHistory: { persons: [], aliases: [], arrests: [], charges: [], addressProtections: [] }, orders: { events: [] }, alerts: [] };
}

/**
 * The address protections of a seed's orders (DESIGN §4 rule 11), as the orders subgraph would
 * have told criminal-history: each order's events folded to its state, then `protectionsOf`.
 * Every event of an order sits in the batch that issues it.
 */
export function addressProtectionsOf(events: OrdersSeed['events']): AddressProtection[] {
  const states = new Map<string, OrderState | null>();
  for (const e of events) states.set(e.orderId, applyOrderEvent(states.get(e.orderId) ?? null, e.orderId, e.payload).state);
  return [...states.entries()].flatMap(([orderId, state]) => (state ? protectionsOf(state).map((p) => ({ ...p, orderId })) : []));
}

const DAY = 86_400_000;

/** Date arithmetic relative to the seed date T, in UTC. */
export class SeedCalendar {
  constructor(readonly t: Date) {}

  /** T plus `days` (negative for the past), at the same time of day. */
  daysFromT(days: number): Date {
    return new Date(this.t.getTime() + days * DAY);
  }

  /** T plus `years` and `days`, on the calendar. */
  yearsFromT(years: number, days = 0): Date {
    const d = new Date(this.t);
    d.setUTCFullYear(d.getUTCFullYear() + years);
    return new Date(d.getTime() + days * DAY);
  }

  /** `YYYY-MM-DD`. */
  static day(d: Date): string {
    return d.toISOString().slice(0, 10);
  }

  /** Full ISO instant. */
  static instant(d: Date): string {
    return d.toISOString();
  }
}

/** A person with plausible, deterministic descriptive fields. */
export function makePerson(
  rnd: SeededRandom,
  fields: { id: string; last: string; first: string; middle?: string | null; dateOfBirth: string; sex: Sex; withAddress?: boolean },
): CriminalHistorySeed['persons'][number] {
  const [city, zip] = rnd.pick(CITIES);
  const person: PersonRecord = {
    id: fields.id,
    name: { last: fields.last, first: fields.first, middle: fields.middle ?? null },
    dateOfBirth: fields.dateOfBirth,
    sex: fields.sex,
    physical: {
      heightInches: fields.sex === 'F' ? rnd.int(59, 70) : rnd.int(64, 76),
      weightPounds: fields.sex === 'F' ? rnd.int(105, 210) : rnd.int(130, 260),
      eyeColor: rnd.pick(EYE_COLORS),
      hairColor: rnd.pick(HAIR_COLORS),
    },
    identifiers: {
      fbiNumber: rnd.chance(0.4) ? `${rnd.int(100000, 999999)}${String.fromCharCode(65 + rnd.int(0, 25))}${rnd.int(1, 9)}` : null,
      driverLicense: rnd.chance(0.8) ? { number: `${String.fromCharCode(65 + rnd.int(0, 25))}${rnd.int(1000000, 9999999)}`, state: 'CA' } : null,
      ssnLast4: String(rnd.int(0, 9999)).padStart(4, '0'),
    },
    lastKnownAddress:
      fields.withAddress === false
        ? null
        : { street: `${rnd.int(100, 9999)} ${rnd.pick(STREETS)}`, city, state: 'CA', postalCode: `${zip}${String(rnd.int(0, 99)).padStart(2, '0')}` },
  };
  return { ...person, lastNameCodes: phoneticCodes(fields.last) };
}
