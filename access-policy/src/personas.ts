import type { PurposeCode } from './purposes';

/** A sandbox identity that the dev issuer can sign a token for (docs/design.md §4). */
export interface Persona {
  /** The name given to `npm run -s token -- <persona>`. */
  readonly persona: string;
  readonly description: string;
  readonly sub: string;
  readonly name: string;
  readonly ori: string;
  readonly client: string;
  readonly scopes: readonly string[];
  readonly purposes: readonly PurposeCode[];
  /** A purpose and reason the explorer and examples use by default. */
  readonly defaultPurpose: PurposeCode | null;
  readonly defaultReason: string | null;
}

/** The five sandbox personas. Their names and grants are public contract: keep them. */
export const PERSONAS: readonly Persona[] = [
  {
    persona: 'officer',
    description: 'patrol officer',
    sub: 'u-officer-1001',
    name: 'Officer Dana Reyes',
    ori: 'CA0194200',
    client: 'patrol-mdt',
    scopes: ['person:read', 'criminal_history:read', 'orders:read', 'orders:serve', 'alerts:read', 'alerts:caution'],
    purposes: ['C', 'X'],
    defaultPurpose: 'C',
    defaultReason: 'INC-2026-000123',
  },
  {
    persona: 'dispatcher',
    description: 'dispatcher',
    sub: 'u-dispatch-2001',
    name: 'Dispatcher Sam Okafor',
    ori: 'CA0194200',
    client: 'cad-console',
    scopes: ['person:read', 'orders:read', 'alerts:read', 'alerts:caution'],
    purposes: ['C'],
    defaultPurpose: 'C',
    defaultReason: 'CAD-2026-004512',
  },
  {
    persona: 'court-clerk',
    description: 'court clerk',
    sub: 'u-clerk-3001',
    name: 'Clerk Priya Natarajan',
    ori: 'CA019015J',
    client: 'court-case-mgmt',
    scopes: ['person:read', 'criminal_history:read', 'criminal_history:sealed', 'orders:read', 'orders:write', 'orders:protected_address'],
    purposes: ['C', 'D'],
    defaultPurpose: 'D',
    defaultReason: 'FL-2026-0042',
  },
  {
    persona: 'employment-screener',
    description: 'background-check service',
    sub: 'u-screener-4001',
    name: 'Screener Alex Kim',
    ori: 'CA0000E01',
    client: 'acme-background-checks',
    scopes: ['person:match', 'criminal_history:employment'],
    purposes: ['I'],
    defaultPurpose: 'I',
    defaultReason: null,
  },
  {
    persona: 'auditor',
    description: 'misuse auditor',
    sub: 'u-auditor-5001',
    name: 'Auditor Morgan Blake',
    ori: 'CA0349400',
    client: 'audit-console',
    scopes: ['audit:read'],
    purposes: [],
    defaultPurpose: null,
    defaultReason: null,
  },
];

/** The persona of that name, or undefined. */
export function findPersona(name: string): Persona | undefined {
  return PERSONAS.find((p) => p.persona === name);
}
