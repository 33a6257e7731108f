import type { StoreBase } from '../../../../platform/src';

export type AlertType = 'WANTED_PERSON' | 'MISSING_PERSON' | 'OFFICER_SAFETY' | 'PROTECTIVE_ORDER_VIOLATION';
export type CautionCode =
  | 'ARMED_AND_DANGEROUS'
  | 'VIOLENT_TENDENCIES'
  | 'MARTIAL_ARTS'
  | 'EXPLOSIVES'
  | 'DRUG_ABUSER'
  | 'ESCAPE_RISK'
  | 'SEXUALLY_VIOLENT_PREDATOR'
  | 'SEX_OFFENDER'
  | 'INTERNATIONAL_FLIGHT_RISK'
  | 'SUICIDAL'
  | 'MEDICAL_CONDITION';
export type Extradition = 'FULL' | 'LIMITED' | 'SURROUNDING_STATES' | 'NONE' | 'PENDING';
export type MissingCategory = 'ENDANGERED' | 'JUVENILE' | 'DISABILITY' | 'INVOLUNTARY' | 'CATASTROPHE' | 'OTHER';

/** An entry of the hot file. */
export interface AlertRecord {
  id: string;
  type: AlertType;
  subjectId: string | null;
  agency: string;
  enteredAt: string;
  expiresAt: string | null;
  /** Cleared or cancelled by the entering agency. */
  cancelled: boolean;
  caution: { codes: CautionCode[]; note: string | null } | null;
  warrant: { number: string; offense: string; extradition: Extradition; bailAmount: number | null } | null;
  missing: { category: MissingCategory; categories: MissingCategory[]; lastSeenAt: string | null; lastSeenPlace: string | null } | null;
}

/** Which entries a read wants. */
export interface AlertFilter {
  /** Only entries active at `now` (not cancelled, not expired). */
  activeAt: string | null;
  type?: AlertType | null;
}

/** The alerts store port. Reads take batches of ids. */
export interface AlertsStore extends StoreBase {
  alertsByIds(ids: readonly string[]): Promise<AlertRecord[]>;
  /** Entries on these subjects, newest first. */
  alertsBySubjectIds(ids: readonly string[], filter: AlertFilter): Promise<AlertRecord[]>;
  listAlerts(filter: AlertFilter, limit: number): Promise<AlertRecord[]>;
  countAlerts(): Promise<number>;
  insertSeed(alerts: readonly AlertRecord[]): Promise<void>;
  /** Refreshes the planner's statistics of every table (after a bulk load). */
  analyze(): Promise<void>;
}
