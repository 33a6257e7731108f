import { createHash } from 'node:crypto';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
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

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * An entry must say truly what it registers, or the audit would record one operation's id for
 * another's text: its body parses to exactly one operation, of its `type` and `name`; and an id
 * in the form of a SHA-256 (what Apollo's tooling writes) is the hash of its body.
 */
function checkBody(where: string, id: string, name: string, type: string, body: string): void {
  let document;
  try {
    document = parse(body);
  } catch (error) {
    throw new ManifestError(`${where}: "body" does not parse (${(error as Error).message})`);
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw new ManifestError(`${where}: "body" must hold exactly one operation`);
  if ((operations[0].operation as string) !== type) throw new ManifestError(`${where}: "type" is ${type} but the body is a ${operations[0].operation}`);
  if (operations[0].name && operations[0].name.value !== name)
    throw new ManifestError(`${where}: "name" is ${name} but the body's operation is ${operations[0].name.value}`);
  if (SHA256_HEX.test(id) && createHash('sha256').update(body).digest('hex') !== id.toLowerCase()) {
    throw new ManifestError(`${where}: "id" is not the SHA-256 of its body`);
  }
}

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
    if (typeof op?.id !== 'string' || op.id.length === 0 || op.id.length > MAX_ID_LENGTH)
      throw new ManifestError(`${where}: "id" must be a string of 1–${MAX_ID_LENGTH} characters`);
    if (typeof op.name !== 'string') throw new ManifestError(`${where}: "name" must be a string`);
    if (typeof op.type !== 'string' || !OPERATION_TYPES.has(op.type)) throw new ManifestError(`${where}: "type" must be query, mutation or subscription`);
    if (typeof op.body !== 'string' || op.body.length === 0) throw new ManifestError(`${where}: "body" must be the operation's text`);
    checkBody(where, op.id, op.name, op.type, op.body);
    const existing = byId.get(op.id);
    if (existing && existing.body !== op.body) throw new ManifestError(`${where}: id ${op.id} is registered twice with different bodies`);
    const trusted: TrustedOperation = { id: op.id, name: op.name, type: op.type as TrustedOperation['type'], body: op.body };
    byId.set(trusted.id, trusted);
    byBody.set(trusted.body, trusted);
  });
  return { byId, byBody };
}
