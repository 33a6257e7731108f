/** One operation a client registered (Apollo's persisted-query manifest entry). */
export interface TrustedOperation {
  /** The id the client sends (`extensions.persistedQuery.sha256Hash` or `documentId`). */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The document text, exactly as registered. */
  body: string;
}

/** A client's registered operations, by id and by exact text. */
export interface Manifest {
  byId: ReadonlyMap<string, TrustedOperation>;
  byBody: ReadonlyMap<string, TrustedOperation>;
}

/** A manifest file that cannot be used; the message says what is wrong and where. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** The longest id accepted: Apollo's tooling writes a SHA-256 (64 hex characters). */
const MAX_ID_LENGTH = 128;
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

/**
 * Parses a manifest in Apollo's persisted-query-manifest format, as Apollo's client tooling
 * (`generate-persisted-query-manifest`) writes it:
 * `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "name", "type", "body" }] }`.
 * Throws ManifestError naming the first problem; a manifest is used whole or not at all.
 */
export function parseManifest(text: string, source: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${source}: not JSON (${(error as Error).message})`);
  }
  const manifest = raw as { format?: unknown; version?: unknown; operations?: unknown };
  if (manifest?.format !== 'apollo-persisted-query-manifest') throw new ManifestError(`${source}: "format" must be "apollo-persisted-query-manifest"`);
  if (manifest.version !== 1) throw new ManifestError(`${source}: "version" must be 1`);
  if (!Array.isArray(manifest.operations)) throw new ManifestError(`${source}: "operations" must be a list`);
  const byId = new Map<string, TrustedOperation>();
  const byBody = new Map<string, TrustedOperation>();
  manifest.operations.forEach((entry: unknown, i: number) => {
    const op = entry as Partial<Record<keyof TrustedOperation, unknown>>;
    const where = `${source}: operations[${i}]`;
    if (typeof op?.id !== 'string' || op.id.length === 0 || op.id.length > MAX_ID_LENGTH) throw new ManifestError(`${where}: "id" must be a string of 1–${MAX_ID_LENGTH} characters`);
    if (typeof op.name !== 'string') throw new ManifestError(`${where}: "name" must be a string`);
    if (typeof op.type !== 'string' || !OPERATION_TYPES.has(op.type)) throw new ManifestError(`${where}: "type" must be query, mutation or subscription`);
    if (typeof op.body !== 'string' || op.body.length === 0) throw new ManifestError(`${where}: "body" must be the operation's text`);
    const existing = byId.get(op.id);
    if (existing && existing.body !== op.body) throw new ManifestError(`${where}: id ${op.id} is registered twice with different bodies`);
    const trusted: TrustedOperation = { id: op.id, name: op.name, type: op.type as TrustedOperation['type'], body: op.body };
    byId.set(trusted.id, trusted);
    byBody.set(trusted.body, trusted);
  });
  return { byId, byBody };
}
