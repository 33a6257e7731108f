/**
 * What one request disclosed: the typed ids of the entities whose fields were resolved and the
 * field coordinates served. Subgraphs return it in `extensions.custodian`; the gateway merges
 * it into the audit record and strips it before the caller sees the response.
 */
export class DisclosureLog {
  readonly subjects = new Set<string>();
  readonly fields = new Set<string>();
  /** The object whose subject was recorded last (its other fields need not record it again). */
  lastSource: unknown = undefined;

  toJSON(): DisclosureReport {
    return { subjects: [...this.subjects].sort(), fields: [...this.fields].sort() };
  }
}

/** The form of `extensions.custodian` on a subgraph response. */
export interface DisclosureReport {
  subjects: string[];
  fields: string[];
}

/** Name of the response extension the gateway reads and strips. */
export const DISCLOSURE_EXTENSION = 'custodian';

/** Reads a disclosure report from a subgraph response's extensions, ignoring anything malformed. */
export function readDisclosureReport(extensions: Record<string, unknown> | undefined): DisclosureReport | null {
  const raw = extensions?.[DISCLOSURE_EXTENSION] as Partial<DisclosureReport> | undefined;
  if (!raw || !Array.isArray(raw.subjects) || !Array.isArray(raw.fields)) return null;
  return {
    subjects: raw.subjects.filter((s): s is string => typeof s === 'string'),
    fields: raw.fields.filter((s): s is string => typeof s === 'string'),
  };
}
