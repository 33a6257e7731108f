import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPersona } from '../../access-policy/src';
import { EXAMPLE_OPERATIONS } from '../../gateway/src/explorer/example-operations';
import type { VerifiedIdentity } from '../../gateway/src/identity/authenticate';
import { parseManifest } from '../../gateway/src/trusted-documents/manifest';
import { TrustedDocumentStore } from '../../gateway/src/trusted-documents/trusted-document-store';
import { judgeDocument, TRUSTED_DOCUMENTS_MODES } from '../../gateway/src/trusted-documents/trusted-documents-policy';
import { createLogger, projectRoot } from '../../platform/src';

const silent = createLogger('test', 'silent');

function identity(persona: string): VerifiedIdentity {
  const p = findPersona(persona)!;
  return { sub: p.sub, name: p.name, ori: p.ori, client: p.client, scopes: new Set(p.scopes), purposes: new Set(p.purposes) };
}

function storeWith(files: Record<string, unknown>): TrustedDocumentStore {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-td-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  const store = new TrustedDocumentStore(dir, silent);
  store.reload();
  return store;
}

const op = (id: string, body: string) => ({ id, name: 'Op', type: 'query', body });
const manifestOf = (...operations: object[]) => ({ format: 'apollo-persisted-query-manifest', version: 1, operations });

describe('trusted documents: manifests and the verdict on each request', () => {
  it("the repository's manifest for the screener's client registers the explorer's screening example under its id", () => {
    const screening = EXAMPLE_OPERATIONS.find((e) => e.persona === 'employment-screener')!;
    const client = findPersona('employment-screener')!.client;
    const manifest = parseManifest(readFileSync(join(projectRoot(), `trusted-documents/${client}.json`), 'utf8'), `${client}.json`);
    expect(screening.documentId).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.byId.get(screening.documentId!)?.body).toBe(screening.query);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['another format', { format: 'x', version: 1, operations: [] }, /format/],
    ['another version', { format: 'apollo-persisted-query-manifest', version: 2, operations: [] }, /version/],
    ['an operation without a body', manifestOf({ id: 'a', name: 'A', type: 'query' }), /operations\[0\]: "body"/],
    ['an operation of an unknown type', manifestOf({ id: 'a', name: 'A', type: 'fragment', body: '{ a }' }), /"type"/],
    ['one id with two bodies', manifestOf(op('a', '{ a }'), op('a', '{ b }')), /registered twice/],
    ["a SHA-256 id that is not its body's", manifestOf(op('0'.repeat(64), '{ a }')), /not the SHA-256 of its body/],
    ['a body that does not parse', manifestOf(op('a', '{ a ')), /does not parse/],
    ["a type other than the body's", manifestOf({ id: 'a', name: 'Op', type: 'mutation', body: 'query Op { a }' }), /"type" is mutation/],
    ["a name other than the body's", manifestOf({ id: 'a', name: 'Other', type: 'query', body: 'query Op { a }' }), /"name" is Other/],
    ['two operations in one body', manifestOf({ id: 'a', name: 'Op', type: 'query', body: 'query Op { a } query B { b }' }), /exactly one operation/],
  ])('refuses a manifest with %s, naming the problem', (_what, content, message) => {
    expect(() => parseManifest(typeof content === 'string' ? content : JSON.stringify(content), 'x.json')).toThrow(message);
  });

  it("refuses a bad manifest and keeps the client's previous one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-td-'));
    writeFileSync(join(dir, 'patrol-mdt.json'), JSON.stringify(manifestOf(op('one', '{ a }'))));
    const store = new TrustedDocumentStore(dir, silent);
    store.reload();
    writeFileSync(join(dir, 'patrol-mdt.json'), '{ "format": 1 }');
    store.reload();
    expect(store.byId('patrol-mdt', 'one')?.body).toBe('{ a }');
  });

  it('reads only <client>.json names: nothing that leaves the folder or hides as another file', () => {
    const store = storeWith({ '..json': manifestOf(op('x', '{ a }')), 'notes.txt': 'x', 'patrol-mdt.json': manifestOf(op('y', '{ b }')) });
    expect(store.hasManifest('patrol-mdt')).toBe(true);
    expect(store.hasManifest('.')).toBe(false);
  });

  describe('the verdict, mode by mode', () => {
    const store = storeWith({ 'acme-background-checks.json': manifestOf(op('screen', '{ screen }')), 'patrol-mdt.json': manifestOf(op('look', '{ look }')) });
    const screener = identity('employment-screener');
    const officer = identity('officer');
    const verdict = (mode: (typeof TRUSTED_DOCUMENTS_MODES)[number], who: VerifiedIdentity, sent: { query?: string; id?: string }) =>
      judgeDocument(mode, store, who, { query: sent.query, id: sent.id });

    it.each(TRUSTED_DOCUMENTS_MODES.filter((m) => m !== 'off'))('%s: a registered id runs its registered text, marked with its id', (mode) => {
      expect(verdict(mode, screener, { id: 'screen' })).toEqual({ kind: 'run', query: '{ screen }', documentId: 'screen', trust: 'REGISTERED' });
      expect(verdict(mode, screener, { query: '{ screen }' })).toEqual({ kind: 'run', query: '{ screen }', documentId: 'screen', trust: 'REGISTERED' });
      expect(verdict(mode, screener, { id: 'look' })).toMatchObject({ kind: 'refuse', code: 'PERSISTED_QUERY_NOT_FOUND' });
    });

    it('free-form text: refused for whom the mode enforces, flagged for the rest', () => {
      const free = { query: '{ other }' };
      expect(verdict('enforce-match-only', screener, free)).toMatchObject({ kind: 'refuse', code: 'OPERATION_NOT_TRUSTED' });
      expect(verdict('enforce-match-only', officer, free)).toEqual({ kind: 'run', query: '{ other }', documentId: undefined, trust: 'UNREGISTERED' });
      expect(verdict('enforce', officer, free)).toMatchObject({ kind: 'refuse', code: 'OPERATION_NOT_TRUSTED' });
      expect(verdict('log', screener, free)).toEqual({ kind: 'run', query: '{ other }', documentId: undefined, trust: 'UNREGISTERED' });
      expect(verdict('off', screener, free)).toEqual({ kind: 'run', query: '{ other }', documentId: undefined, trust: undefined });
    });
  });
});
