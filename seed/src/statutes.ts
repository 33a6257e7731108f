import type { ChargeLevel } from '../../subgraphs/criminal-history/src/store/criminal-history-store';

/** A California offence as it appears on a rap sheet. */
export interface Statute {
  statute: string;
  description: string;
  level: ChargeLevel;
  /** Relative frequency in the synthetic population. */
  weight: number;
}

/**
 * Real California code sections with their usual charging level (wobblers at the level most
 * often charged). PC Penal Code, HS Health and Safety Code, VC Vehicle Code.
 */
export const STATUTES: readonly Statute[] = [
  { statute: 'PC 459', description: 'BURGLARY', level: 'FELONY', weight: 6 },
  { statute: 'PC 211', description: 'ROBBERY', level: 'FELONY', weight: 3 },
  { statute: 'PC 245(a)(1)', description: 'ASSAULT WITH A DEADLY WEAPON', level: 'FELONY', weight: 4 },
  { statute: 'PC 487(a)', description: 'GRAND THEFT', level: 'FELONY', weight: 4 },
  { statute: 'VC 10851(a)', description: 'UNLAWFUL TAKING OF A VEHICLE', level: 'FELONY', weight: 4 },
  { statute: 'PC 273.5(a)', description: 'CORPORAL INJURY ON SPOUSE OR COHABITANT', level: 'FELONY', weight: 4 },
  { statute: 'PC 422', description: 'CRIMINAL THREATS', level: 'FELONY', weight: 3 },
  { statute: 'HS 11351', description: 'POSSESSION FOR SALE OF A CONTROLLED SUBSTANCE', level: 'FELONY', weight: 3 },
  { statute: 'HS 11378', description: 'POSSESSION FOR SALE OF METHAMPHETAMINE', level: 'FELONY', weight: 3 },
  { statute: 'PC 29800(a)(1)', description: 'FELON IN POSSESSION OF A FIREARM', level: 'FELONY', weight: 2 },
  { statute: 'PC 530.5(a)', description: 'IDENTITY THEFT', level: 'FELONY', weight: 2 },
  { statute: 'PC 470(a)', description: 'FORGERY', level: 'FELONY', weight: 1 },
  { statute: 'PC 484', description: 'PETTY THEFT', level: 'MISDEMEANOR', weight: 8 },
  { statute: 'PC 242', description: 'BATTERY', level: 'MISDEMEANOR', weight: 6 },
  { statute: 'PC 243(e)(1)', description: 'BATTERY ON SPOUSE OR COHABITANT', level: 'MISDEMEANOR', weight: 5 },
  { statute: 'PC 647(f)', description: 'DISORDERLY CONDUCT: INTOXICATION', level: 'MISDEMEANOR', weight: 6 },
  { statute: 'VC 23152(a)', description: 'DRIVING UNDER THE INFLUENCE', level: 'MISDEMEANOR', weight: 9 },
  { statute: 'VC 14601.1(a)', description: 'DRIVING ON A SUSPENDED LICENSE', level: 'MISDEMEANOR', weight: 5 },
  { statute: 'PC 148(a)(1)', description: 'RESISTING A PEACE OFFICER', level: 'MISDEMEANOR', weight: 4 },
  { statute: 'PC 594(a)', description: 'VANDALISM', level: 'MISDEMEANOR', weight: 4 },
  { statute: 'HS 11350(a)', description: 'POSSESSION OF A CONTROLLED SUBSTANCE', level: 'MISDEMEANOR', weight: 6 },
  { statute: 'HS 11377(a)', description: 'POSSESSION OF METHAMPHETAMINE', level: 'MISDEMEANOR', weight: 4 },
  { statute: 'PC 273.6(a)', description: 'VIOLATION OF A PROTECTIVE ORDER', level: 'MISDEMEANOR', weight: 2 },
  { statute: 'PC 166(a)(4)', description: 'CONTEMPT OF COURT: DISOBEYING A COURT ORDER', level: 'MISDEMEANOR', weight: 2 },
  { statute: 'PC 602', description: 'TRESPASS', level: 'MISDEMEANOR', weight: 3 },
  { statute: 'PC 415(1)', description: 'DISTURBING THE PEACE: FIGHTING IN PUBLIC', level: 'MISDEMEANOR', weight: 3 },
  { statute: 'VC 20002(a)', description: 'HIT AND RUN: PROPERTY DAMAGE', level: 'MISDEMEANOR', weight: 2 },
  { statute: 'VC 22350', description: 'UNSAFE SPEED', level: 'INFRACTION', weight: 2 },
  { statute: 'PC 640(b)', description: 'FARE EVASION', level: 'INFRACTION', weight: 1 },
];

/** Sentences a court might impose, by level. */
export const SENTENCES: Record<ChargeLevel, readonly string[]> = {
  FELONY: ['16 MONTHS STATE PRISON', '2 YEARS STATE PRISON', '3 YEARS FORMAL PROBATION, 180 DAYS JAIL', '365 DAYS COUNTY JAIL', '5 YEARS FORMAL PROBATION'],
  MISDEMEANOR: ['3 YEARS SUMMARY PROBATION', '30 DAYS COUNTY JAIL', '10 DAYS JAIL, FINE $390', '2 YEARS PROBATION, DUI PROGRAM', '90 DAYS COUNTY JAIL'],
  INFRACTION: ['FINE $238', 'FINE $100', 'TRAFFIC SCHOOL'],
};

/** Superior courts that appear on dispositions. */
export const COURTS: readonly string[] = [
  'LOS ANGELES SUPERIOR COURT',
  'SAN DIEGO SUPERIOR COURT',
  'ORANGE COUNTY SUPERIOR COURT',
  'SACRAMENTO SUPERIOR COURT',
  'ALAMEDA SUPERIOR COURT',
  'FRESNO SUPERIOR COURT',
  'SAN FRANCISCO SUPERIOR COURT',
  'RIVERSIDE SUPERIOR COURT',
];

/** Arresting agencies' ORIs (synthetic, in the California ORI shape). */
export const AGENCY_ORIS: readonly string[] = ['CA0194200', 'CA0370000', 'CA0300000', 'CA0340000', 'CA0010900', 'CA0100500', 'CA0380100', 'CA0330000'];
