/** Where "now" comes from. Injected wherever time decides disclosure (the 7-year window, order status). */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant, for tests. */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new TypeError(`fixedClock needs a valid date, got ${String(at)}`);
  return { now: () => new Date(instant) };
}

/** `YYYY-MM-DD` of an instant, in UTC. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The same calendar day `years` earlier (or later, when negative), in UTC. */
export function yearsBefore(at: Date, years: number): Date {
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d;
}
