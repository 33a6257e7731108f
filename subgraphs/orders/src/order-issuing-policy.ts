import type { OrderType } from './order-events';

/**
 * Which agency may enter which order type. By NCIC convention a court's ORI ends in "J".
 * - Emergency protective orders are granted by an on-call judicial officer at a law-enforcement
 *   officer's request and entered by that agency (Family Code 6240–6241): law-enforcement ORIs, EPO only.
 * - Every other type is issued by a court; juvenile restraining orders by a juvenile court
 *   (Welfare and Institutions Code 213.5), named as such.
 */
export function issuingRefusal(type: OrderType, callerOri: string, court: string): string | null {
  const isCourt = callerOri.endsWith('J');
  if (type === 'EPO' && isCourt) return 'an emergency protective order (EPO) is entered by the requesting law-enforcement agency, not a court';
  if (type !== 'EPO' && !isCourt) return `a ${type} order is issued by a court; a law-enforcement agency may enter EPOs only`;
  if (type === 'JUVENILE' && !/JUVENILE/i.test(court)) return 'a JUVENILE restraining order is issued by a juvenile court';
  return null;
}
