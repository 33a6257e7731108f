import type { AlertRecord } from '../../subgraphs/alerts/src/store/alerts-store';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import type { AddressProtection, CriminalHistorySeed, Sex } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
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
 * The address protections of a seed's orders (docs/design.md §4 rule 11), as the orders subgraph would
 * have told criminal-history: each order's events folded to its state, then `protectionsOf`.
 * Every event of an order sits in the batch that issues it.
 */
export function addressProtectionsOf(events: OrdersSeed['events']): AddressProtection[] {
  const states = new Map<string, OrderState | null>();
  for (const e of events) states.set(e.orderId, applyOrderEvent(states.get(e.orderId) ?? null, e.orderId, e.payload).state);
  return [...states.entries()].flatMap(([orderId, state]) => (state ? protectionsOf(state).map((p) => ({ ...p, orderId })) : []));
}

const DAY = 86_400_000;

/** Two-digit strings 00–99, for `isoDay`. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** `YYYY-MM-DD` of an instant (UTC): the civil date of its day number (H. Hinnant's algorithm). */
export function isoDay(ms: number): string {
  const z = Math.floor(ms / DAY) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

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

  /**
   * `YYYY-MM-DD` (UTC), as `toISOString().slice(0, 10)` gives it for years 0–9999, by arithmetic:
   * a million persons format several million dates, and `toISOString` was a fifth of seeding's time.
   */
  static day(this: void, d: Date): string {
    return isoDay(d.getTime());
  }

  /** Full ISO instant. */
  static instant(this: void, d: Date): string {
    return d.toISOString();
  }
}

/** A person with plausible, deterministic descriptive fields. */
export function makePerson(
  rnd: SeededRandom,
  fields: { id: string; last: string; first: string; middle?: string | null; dateOfBirth: string; sex: Sex; withAddress?: boolean },
): CriminalHistorySeed['persons'][number] {
  const [city, zip] = rnd.pick(CITIES);
  // Built whole, not spread into a copy with its codes: seeding makes a million.
  const person: CriminalHistorySeed['persons'][number] = {
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
    lastNameCodes: phoneticCodes(fields.last),
  };
  return person;
}
