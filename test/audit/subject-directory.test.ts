import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SubjectDirectory } from '../../gateway/src/audit/misuse-report';
import { openSubjectDirectory } from '../../scripts/subject-directory';
import { buildFixtures } from '../../seed/src/fixtures';
import { seedStores } from '../../seed/src/seed-stores';

/** What the misuse report knows of the persons looked up: names, addresses and order parties, from the record stores. */
describe('subject directory of the misuse report', () => {
  const T = new Date('2026-06-15T00:00:00Z');
  let directory: SubjectDirectory;
  beforeAll(async () => {
    const location = { kind: 'sqlite' as const, dataDir: mkdtempSync(join(tmpdir(), 'custodian-directory-')) };
    await seedStores(location, { persons: 7, seedDate: T });
    directory = await openSubjectDirectory(location);
  });
  afterAll(() => directory?.close());

  it("gives each person's last name, address key and the persons an order joins them to", async () => {
    const seeded = buildFixtures(T).criminalHistory.persons;
    const facts = await directory.facts(['A10000001', 'A10000002', 'A99999999']);
    expect([...facts.keys()].sort()).toEqual(['A10000001', 'A10000002']);
    for (const id of ['A10000001', 'A10000002']) {
      const p = seeded.find((s) => s.id === id)!;
      const a = p.lastKnownAddress;
      expect(facts.get(id)!.lastName).toBe(p.name.last);
      expect(facts.get(id)!.addressKey).toBe(a?.street && a.postalCode ? `${a.street}|${a.postalCode}`.toUpperCase() : null);
    }
    expect(facts.get('A10000001')!.addressKey).not.toBeNull();
    // PO-000001: A10000001 restrained, A10000002 protected.
    expect([...facts.get('A10000001')!.orderParties]).toContain('A10000002');
    expect([...facts.get('A10000002')!.orderParties]).toContain('A10000001');
  });
});
