import { Scope, type Caller } from '../../../access-policy/src';
import { isoDate, yearsBefore, type Clock } from '../../../platform/src';
import type { RecordVisibility } from './store/criminal-history-store';

/** How far back the employment view reaches (PC 11105 / Civil Code 1786.18: seven years). */
export const EMPLOYMENT_LOOKBACK_YEARS = 7;

/**
 * True when the caller reads criminal history only through the employment view: they hold
 * criminal_history:employment, use purpose I, and do not hold criminal_history:read.
 */
export function usesEmploymentView(caller: Caller): boolean {
  return !caller.scopes.has(Scope.CRIMINAL_HISTORY_READ) && caller.scopes.has(Scope.CRIMINAL_HISTORY_EMPLOYMENT) && caller.purpose === 'I';
}

/**
 * The row rules of docs/design.md §4 for one caller, applied by the store where rows are loaded:
 * - Sealed and juvenile records exist only for criminal_history:sealed (rule 5).
 * - The employment view shows convictions dated within the last 7 years, without relief, never
 *   sealed or juvenile (rule 4; Labor Code 432.7, Civil Code 1786.18, PC 11105).
 */
export function recordVisibilityFor(caller: Caller, clock: Clock): RecordVisibility {
  const employment = usesEmploymentView(caller);
  return {
    includeSealed: !employment && caller.scopes.has(Scope.CRIMINAL_HISTORY_SEALED),
    employmentConvictionsSince: employment ? isoDate(yearsBefore(clock.now(), EMPLOYMENT_LOOKBACK_YEARS)) : null,
  };
}
