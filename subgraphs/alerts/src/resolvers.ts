import { badUserInput } from '../../../access-policy/src';
import type { SubgraphContext } from '../../../platform/src';
import { dateTimeScalar } from '../../../platform/src/scalars';
import type { AlertsLoaders } from './loaders';
import type { AlertRecord, AlertsStore, AlertType } from './store/alerts-store';

type Ctx = SubgraphContext<AlertsStore, AlertsLoaders>;

/** Most entries one `alerts` query returns. */
export const MAX_ALERTS_PER_QUERY = 500;

/** True when the entry is in force at `now`: not cancelled and not past its expiry. */
export function isActive(alert: AlertRecord, now: Date): boolean {
  return !alert.cancelled && (!alert.expiresAt || new Date(alert.expiresAt).getTime() > now.getTime());
}

/** Resolvers of alerts. */
export const alertsResolvers = {
  DateTime: dateTimeScalar,

  Query: {
    async alerts(_: unknown, args: { type?: AlertType | null; activeOnly?: boolean | null; limit?: number | null }, ctx: Ctx) {
      const limit = args.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ALERTS_PER_QUERY) {
        throw badUserInput(`limit must be between 1 and ${MAX_ALERTS_PER_QUERY}`);
      }
      const activeAt = args.activeOnly === false ? null : ctx.clock.now().toISOString();
      const alerts = await ctx.store.listAlerts({ activeAt, type: args.type ?? null }, limit);
      for (const a of alerts) ctx.loaders.alert.prime(a.id, a);
      return alerts;
    },
    alert: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.alert.load(args.id),
  },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    alerts: (p: { id: string }, args: { activeOnly?: boolean | null }, ctx: Ctx) =>
      (args.activeOnly === false ? ctx.loaders.allBySubject : ctx.loaders.activeBySubject).load(p.id),
  },

  Alert: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.alert.load(ref.id),
    subject: (a: AlertRecord) => (a.subjectId ? { id: a.subjectId } : null),
    active: (a: AlertRecord, _: unknown, ctx: Ctx) => isActive(a, ctx.clock.now()),
  },
};

/** The subject a resolved field of this type discloses (for the audit). */
export function alertsSubjectOf(typeName: string, parent: unknown): string | null {
  const p = parent as Partial<{ id: string }> | null;
  if (!p?.id) return null;
  if (typeName === 'Alert') return `Alert:${p.id}`;
  if (typeName === 'Person') return `Person:${p.id}`;
  return null;
}
