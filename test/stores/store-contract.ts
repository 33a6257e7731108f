import { BULK_LOAD_META, bulkLoad, migrate, openSqlClient, type StoreLocation } from '../../platform/src';
import { buildFixtures } from '../../seed/src/fixtures';
import { SeededRandom } from '../../seed/src/random';
import { OPAQUE_ID, RecordIds } from '../../seed/src/record-ids';
import { syncAddressProtections } from '../../seed/src/address-protection-sync';
import { seedStores } from '../../seed/src/seed-stores';
import { ALERTS_MIGRATIONS } from '../../subgraphs/alerts/src/store/migrations';
import { CRIMINAL_HISTORY_MIGRATIONS } from '../../subgraphs/criminal-history/src/store/migrations';
import { emptySeed, makePerson } from '../../seed/src/seed-data';
import { SUBGRAPHS } from '../../subgraphs';
import type { AlertsStore } from '../../subgraphs/alerts/src/store/alerts-store';
import type { CriminalHistoryStore, RecordVisibility } from '../../subgraphs/criminal-history/src/store/criminal-history-store';
import { phoneticCodes } from '../../subgraphs/criminal-history/src/name-keys';
import { VersionConflictError, type OrdersStore } from '../../subgraphs/orders/src/store/orders-store';

const T = new Date('2026-06-15T12:00:00.000Z');
const OFFICER = { sub: 'u-officer-1001', name: 'Officer Dana Reyes', ori: 'CA0194200' };
const ALL: RecordVisibility = { includeSealed: true, employmentConvictionsSince: null };
const UNSEALED: RecordVisibility = { includeSealed: false, employmentConvictionsSince: null };
const EMPLOYMENT: RecordVisibility = { includeSealed: false, employmentConvictionsSince: '2019-06-15' };

/**
 * The behaviour every store adapter must have, whatever engine is under it. Called once per
 * adapter with a function giving a fresh, empty location.
 */
export function describeStoreContract(adapter: string, freshLocation: () => Promise<StoreLocation>): void {
  describe(`${adapter}: criminal-history store`, () => {
    let store: CriminalHistoryStore;
    beforeAll(async () => {
      store = await SUBGRAPHS['criminal-history'].openStore(await freshLocation());
      await store.insertSeed(buildFixtures(T).criminalHistory);
    });
    afterAll(() => store?.close());

    it('returns the persons asked for and omits unknown ids', async () => {
      const persons = await store.personsByIds(['A10000002', 'A10000001', 'A99999999']);
      expect(persons.map((p) => p.id).sort()).toEqual(['A10000001', 'A10000002']);
      expect(persons.find((p) => p.id === 'A10000001')).toEqual({
        id: 'A10000001',
        name: { last: 'DOE', first: 'JOHN', middle: 'MICHAEL' },
        dateOfBirth: '1985-03-14',
        sex: 'M',
      });
    });

    it('returns the details of the persons asked for, as seeded, and omits unknown ids', async () => {
      const seeded = buildFixtures(T).criminalHistory.persons.filter((p) => p.id === 'A10000001' || p.id === 'A10000002');
      const details = await store.personDetailsByIds(['A10000002', 'A10000001', 'A99999999']);
      expect(details.sort((a, b) => a.personId.localeCompare(b.personId))).toEqual(
        seeded.map((p) => ({ personId: p.id, physical: p.physical, identifiers: p.identifiers, lastKnownAddress: p.lastKnownAddress })),
      );
      expect(details.some((d) => d.lastKnownAddress !== null && d.identifiers.fbiNumber !== null)).toBe(true);
    });

    it('hides sealed and juvenile arrests unless the visibility includes them', async () => {
      expect(await store.arrestsByPersonIds(['A10000001'], UNSEALED)).toHaveLength(4);
      const all = await store.arrestsByPersonIds(['A10000001'], ALL);
      expect(all).toHaveLength(6);
      expect(all.filter((a) => a.sealed)).toHaveLength(2);
      expect(all.filter((a) => a.juvenile)).toHaveLength(1);
    });

    it('returns charges in order with their dispositions', async () => {
      const arrests = await store.arrestsByPersonIds(['A10000001'], ALL);
      const charges = await store.chargesByArrestIds(arrests.map((a) => a.id));
      expect(charges.map((c) => c.statute).sort()).toEqual(['PC 11350', 'PC 273.5', 'PC 459', 'PC 594(a)', 'PC 647(f)', 'VC 23152(a)']);
      expect(charges.find((c) => c.statute === 'PC 11350')!.disposition!.type).toBe('PENDING');
    });

    it('limits convictions to the employment view: 7 years, no relief, nothing sealed', async () => {
      const all = await store.convictionsByPersonIds(['A10000001', 'A10000005', 'A10000007'], ALL);
      expect(all.map((c) => `${c.personId} ${c.statute}`).sort()).toEqual([
        'A10000001 PC 459',
        'A10000001 PC 594(a)',
        'A10000001 VC 23152(a)',
        'A10000005 PC 496(a)',
        'A10000007 PC 484',
      ]);
      const employment = await store.convictionsByPersonIds(['A10000001', 'A10000005', 'A10000007'], EMPLOYMENT);
      expect(employment.map((c) => `${c.personId} ${c.statute}`).sort()).toEqual(['A10000001 PC 459', 'A10000007 PC 484']);
    });

    it('finds search candidates by phonetic code, aliases included', async () => {
      const candidates = await store.searchCandidates({ lastNameCodes: phoneticCodes('DOE') });
      expect(candidates.map((c) => c.id).sort()).toEqual(['A10000001', 'A10000007']);
      expect(candidates.find((c) => c.id === 'A10000001')!.aliases).toEqual([{ last: 'DOE', first: 'JOHNNY', middle: null }]);
    });

    it('finds candidates by exact spelling of a name or alias, with all their aliases', async () => {
      expect((await store.candidatesByExactLastName('DOE')).map((c) => c.id)).toEqual(['A10000001', 'A10000007']);
      expect((await store.candidatesByExactLastName('DOE'))[0].aliases).toEqual([{ last: 'DOE', first: 'JOHNNY', middle: null }]);
      // Spelled otherwise (sounds alike, or no match at all): not found here.
      expect(await store.candidatesByExactLastName('DOW')).toEqual([]);
      expect(await store.candidatesByExactLastName('')).toEqual([]);
    });

    it('finds exact-identity candidates by last-name key and the same date of birth, aliases included', async () => {
      const doe = await store.candidatesByExactIdentity('DOE', '1985-03-14');
      expect(doe.map((c) => c.id)).toEqual(['A10000001', 'A10000007']);
      expect(doe[0].aliases).toEqual([{ last: 'DOE', first: 'JOHNNY', middle: null }]);
      // Another day, or another spelling: nobody.
      expect(await store.candidatesByExactIdentity('DOE', '1985-03-15')).toEqual([]);
      expect(await store.candidatesByExactIdentity('DOUGH', '1985-03-14')).toEqual([]);
      expect(await store.candidatesByExactIdentity('', '1985-03-14')).toEqual([]);
    });

    it('counts persons and keeps metadata', async () => {
      expect(await store.countPersons()).toBe(7);
      expect(await store.getMeta('seed')).toBeNull();
      await store.setMeta('seed', 'done');
      await store.setMeta('seed', 'done again');
      expect(await store.getMeta('seed')).toBe('done again');
    });
  });

  describe(`${adapter}: criminal-history exact-spelling keys`, () => {
    let location: StoreLocation;
    beforeAll(async () => {
      location = await freshLocation();
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      const batch = emptySeed().criminalHistory;
      batch.persons.push(makePerson(new SeededRandom(9), { id: 'A10000090', last: "O'Neil", first: 'ANN', dateOfBirth: '1990-01-02', sex: 'F' }));
      batch.aliases.push({ personId: 'A10000090', seq: 1, name: { last: 'Van Dyke', first: 'ANN', middle: null }, lastNameCodes: phoneticCodes('Van Dyke') });
      // Enough more (with an alias each) that filling the keys takes several statements.
      const rnd = new SeededRandom(10);
      for (let i = 0; i < 1_200; i++) {
        const id = `A${20000000 + i}`;
        batch.persons.push(makePerson(rnd, { id, last: `Mc Name ${i % 7}`, first: 'BO', dateOfBirth: '1980-01-01', sex: 'M' }));
        batch.aliases.push({ personId: id, seq: 1, name: { last: `al-${i}`, first: 'BO', middle: null }, lastNameCodes: phoneticCodes(`al-${i}`) });
      }
      await store.insertSeed(batch);
      await store.close();
    });

    it('keys names as the search compares them: upper-case letters only, aliases included', async () => {
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        expect((await store.candidatesByExactLastName('ONEIL')).map((c) => c.id)).toEqual(['A10000090']);
        const [byAlias] = await store.candidatesByExactLastName('VANDYKE');
        expect(byAlias).toMatchObject({ id: 'A10000090', name: { last: "O'Neil" }, aliases: [{ last: 'Van Dyke', first: 'ANN', middle: null }] });
      } finally {
        await store.close();
      }
    });

    it('fills the keys of rows written before they existed when the store opens', async () => {
      const sql = await openSqlClient(location, 'criminal-history');
      await sql.run('UPDATE persons SET last_norm = NULL');
      await sql.run('UPDATE person_aliases SET last_norm = NULL');
      await sql.close();
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        expect((await store.candidatesByExactLastName('ONEIL')).map((c) => c.id)).toEqual(['A10000090']);
        expect((await store.candidatesByExactLastName('VANDYKE')).map((c) => c.id)).toEqual(['A10000090']);
        // Every row of every statement: "Mc Name 3" keys as MCNAME, alias "al-17" as AL.
        expect(await store.candidatesByExactLastName('MCNAME')).toHaveLength(1_200);
        expect(await store.candidatesByExactLastName('AL')).toHaveLength(1_200);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${adapter}: criminal-history search keys (issue 20)`, () => {
    let location: StoreLocation;
    const ids = (persons: Array<{ id: string }>) => persons.map((p) => p.id);
    beforeAll(async () => {
      location = await freshLocation();
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      const batch = emptySeed().criminalHistory;
      const rnd = new SeededRandom(11);
      // 300 persons: SMITH / SMYTH alternately, JOHN / JON / MARY in turn, born on three days.
      for (let i = 0; i < 300; i++) {
        const id = `A${30000000 + i}`;
        const last = i % 2 ? 'SMYTH' : 'SMITH';
        batch.persons.push(
          makePerson(rnd, { id, last, first: ['JOHN', 'JON', 'MARY'][i % 3], dateOfBirth: ['1980-01-10', '1980-01-11', '1981-06-30'][(i % 5) % 3], sex: 'M' }),
        );
      }
      batch.aliases.push({ personId: 'A30000003', seq: 1, name: { last: 'Garcia', first: 'JUAN', middle: null }, lastNameCodes: phoneticCodes('Garcia') });
      await store.insertSeed(batch);
      await store.close();
    });

    it('reads the persons a key query matches in id order, a page at a time after the last id read', async () => {
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        const smith = { lastCodes: [phoneticCodes('SMITH')[0]], lastNorm: 'SMITH' };
        const first = await store.candidatesByKeys(smith, null, 20);
        expect(ids(first)).toEqual(Array.from({ length: 20 }, (_, i) => `A${30000000 + 2 * i}`));
        const next = await store.candidatesByKeys(smith, first[19].id, 20);
        expect(next[0].id).toBe('A30000040');
        // Sounding alike: SMITH and SMYTH, every one in id order, aliases with them.
        const alike = await store.candidatesByKeys({ lastCodes: phoneticCodes('SMITH') }, null, 1000);
        expect(ids(alike)).toEqual(Array.from({ length: 300 }, (_, i) => `A${30000000 + i}`));
        expect(alike[3].aliases).toEqual([{ last: 'Garcia', first: 'JUAN', middle: null }]);
        // By an alias's names, and by first name spelled so or sounding alike.
        expect(
          ids(
            await store.candidatesByKeys(
              { lastCodes: [phoneticCodes('GARCIA')[0]], lastNorm: 'GARCIA', firstCodes: [phoneticCodes('JUAN')[0]], firstNorm: 'JUAN' },
              null,
              10,
            ),
          ),
        ).toEqual(['A30000003']);
        const johns = await store.candidatesByKeys({ ...smith, firstCodes: [phoneticCodes('JOHN')[0]], firstNorm: 'JOHN' }, null, 1000);
        expect(johns.every((p) => p.name.last === 'SMITH' && p.name.first === 'JOHN')).toBe(true);
        expect(johns).toHaveLength(50);
        const soundsJohn = await store.candidatesByKeys({ lastCodes: phoneticCodes('SMITH'), firstCodes: phoneticCodes('JOHN') }, null, 1000);
        expect(soundsJohn).toHaveLength(200);
        // By dates: some days, or a year ([from, to) as text).
        const days = await store.candidatesByKeys({ lastCodes: phoneticCodes('SMITH'), dates: ['1980-01-10', '1999-01-01'] }, null, 1000);
        expect(days.every((p) => p.dateOfBirth === '1980-01-10')).toBe(true);
        expect(days.length).toBeGreaterThan(50);
        const year = await store.candidatesByKeys(
          { lastCodes: phoneticCodes('SMITH'), firstCodes: phoneticCodes('MARY'), dateRange: ['1981-', '1981.'] },
          'A30000100',
          1000,
        );
        expect(year.every((p) => p.dateOfBirth === '1981-06-30' && p.name.first === 'MARY' && p.id > 'A30000100')).toBe(true);
        expect(year.length).toBeGreaterThan(10);
        expect(await store.candidatesByKeys({ lastCodes: [] }, null, 10)).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('fills the search keys of a store seeded before they existed when it opens', async () => {
      const sql = await openSqlClient(location, 'criminal-history');
      await sql.run('DELETE FROM person_search_keys');
      await sql.run("DELETE FROM store_metadata WHERE meta_key = 'search-keys'");
      await sql.close();
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        expect(await store.candidatesByKeys({ lastCodes: phoneticCodes('SMITH') }, null, 1000)).toHaveLength(300);
        expect(ids(await store.candidatesByKeys({ lastCodes: [phoneticCodes('GARCIA')[0]], lastNorm: 'GARCIA' }, null, 10))).toEqual(['A30000003']);
      } finally {
        await store.close();
      }
    });

    it('bulk-inserts every value as given: escapes, nulls, booleans, numbers, across more than one COPY piece', async () => {
      const sql = await openSqlClient(location, 'criminal-history');
      try {
        await sql.exec('CREATE TABLE bulk_text_probe (n INTEGER PRIMARY KEY, t TEXT, b BOOLEAN)');
        const odd = ['tab\there', 'line\nbreak', 'back\\slash \\N', 'carriage\rreturn', '', '\\', '\t\n'];
        // 3,000 rows of 500 characters: past the megabyte at which PostgreSQL's COPY text is cut into pieces.
        const rows = Array.from({ length: 3000 }, (_, i) => [i, i < odd.length ? odd[i] : i % 7 === 0 ? null : `${i}`.padEnd(500, 'x'), i % 2 === 0]);
        await sql.insertRows('bulk_text_probe', ['n', 't', 'b'], rows);
        const back = await sql.rows<[number, string | null, boolean | number]>('SELECT n, t, b FROM bulk_text_probe ORDER BY n');
        expect(back.map(([n, t, b]) => [Number(n), t, Boolean(b)])).toEqual(rows);
      } finally {
        await sql.exec('DROP TABLE IF EXISTS bulk_text_probe');
        await sql.close();
      }
    });

    it('loads in bulk without the secondary indexes and puts every one back, even when the load fails', async () => {
      const sql = await openSqlClient(location, 'criminal-history');
      const indexes = async () =>
        sql.dialect === 'sqlite'
          ? (await sql.rows<[string]>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")).map((r) => r[0])
          : (await sql.rows<[string]>('SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname')).map((r) => r[0]);
      try {
        const before = await indexes();
        expect(before).toEqual(expect.arrayContaining(['person_search_keys_last', 'person_search_keys_last_dob', 'persons_last_norm_dob']));
        let during: string[] = [];
        await expect(
          bulkLoad(sql, async () => {
            during = await indexes();
            throw new Error('load failed');
          }),
        ).rejects.toThrow('load failed');
        expect(during).not.toContain('person_search_keys_last');
        expect(await indexes()).toEqual(before);
        // A load cut short (its process killed) leaves the definitions behind: the next migrate restores them.
        const dropped = await sql.get<{ value: string }>('SELECT value FROM store_metadata WHERE meta_key = ?', [BULK_LOAD_META]);
        expect(dropped).toBeUndefined();
        await sql.exec('DROP INDEX person_search_keys_last');
        await sql.run('INSERT INTO store_metadata (meta_key, value) VALUES (?, ?)', [
          BULK_LOAD_META,
          JSON.stringify({ indexes: ['CREATE INDEX person_search_keys_last ON person_search_keys (last_code, person_id, last_norm)'], foreignKeys: [] }),
        ]);
        await migrate(sql, CRIMINAL_HISTORY_MIGRATIONS);
        expect(await indexes()).toEqual(before);
      } finally {
        await sql.close();
      }
    });
  });

  describe(`${adapter}: orders store`, () => {
    let store: OrdersStore;
    beforeAll(async () => {
      store = await SUBGRAPHS.orders.openStore(await freshLocation());
      await store.insertSeed(buildFixtures(T).orders);
    });
    afterAll(() => store?.close());

    it('projects the event log: PO-000001 issued and served, version 2', async () => {
      const [order] = await store.ordersByIds(['PO-000001']);
      expect(order).toMatchObject({
        id: 'PO-000001',
        type: 'DVRO',
        restrainedPersonId: 'A10000001',
        version: 2,
        service: { served: true, method: 'PERSONAL' },
      });
      expect(order.terms).toEqual({
        noContact: true,
        stayAwayYards: 100,
        stayAwayFrom: ['PROTECTED PARTY', 'HOME', 'WORKPLACE', 'VEHICLE'],
        firearmsProhibited: true,
        moveOut: false,
        other: null,
      });
      const events = await store.eventsByOrderIds(['PO-000001']);
      expect(events.map((e) => [e.version, e.payload.type])).toEqual([
        [1, 'ISSUED'],
        [2, 'SERVED'],
      ]);
    });

    it('finds orders by restrained person and by protected person', async () => {
      expect((await store.ordersByRestrainedPersonIds(['A10000005'])).map((o) => o.id).sort()).toEqual(['PO-000002', 'PO-000003']);
      expect((await store.ordersProtectingPersonIds(['A10000002'])).map((x) => [x.personId, x.order.id])).toEqual([['A10000002', 'PO-000001']]);
      const parties = await store.partiesByOrderIds(['PO-000001']);
      expect(parties).toEqual([
        expect.objectContaining({ personId: 'A10000002', relationship: 'SPOUSE', address: expect.objectContaining({ city: 'PASADENA' }) }),
      ]);
    });

    it('appends with optimistic concurrency: a stale version changes nothing', async () => {
      const modified = await store.append('PO-000001', 2, T.toISOString(), OFFICER, { type: 'MODIFIED', terms: { stayAwayYards: 150 } });
      expect(modified.version).toBe(3);
      await expect(store.append('PO-000001', 2, T.toISOString(), OFFICER, { type: 'MODIFIED', terms: { stayAwayYards: 200 } })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      const [order] = await store.ordersByIds(['PO-000001']);
      expect(order.terms.stayAwayYards).toBe(150);
      expect(await store.eventsByOrderIds(['PO-000001'])).toHaveLength(3);
    });

    it('lets exactly one of two concurrent writers of one version win', async () => {
      const [live] = await store.ordersByIds(['PO-000001']);
      const race = await Promise.allSettled([
        store.append('PO-000001', live.version, T.toISOString(), OFFICER, { type: 'MODIFIED', terms: { stayAwayYards: 300 } }),
        store.append('PO-000001', live.version, T.toISOString(), OFFICER, { type: 'MODIFIED', terms: { stayAwayYards: 400 } }),
      ]);
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(race.filter((r) => r.status === 'rejected' && r.reason instanceof VersionConflictError)).toHaveLength(1);
      expect(await store.eventsByOrderIds(['PO-000001'])).toHaveLength(live.version + 1);
    });

    it('refuses any change to a terminated order', async () => {
      const [order] = await store.ordersByIds(['PO-000003']);
      await expect(
        store.append('PO-000003', order.version, T.toISOString(), OFFICER, { type: 'SERVED', servedAt: T.toISOString(), method: 'MAIL' }),
      ).rejects.toThrow(/terminated/);
    });

    it('gives a newly issued order the next id', async () => {
      const issued = await store.append(null, 0, T.toISOString(), OFFICER, {
        type: 'ISSUED',
        caseNumber: 'FL-26-000001',
        court: 'LOS ANGELES SUPERIOR COURT',
        orderType: 'EPO',
        restrainedPersonId: 'A10000007',
        protectedParties: [],
        terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: [], firearmsProhibited: true, moveOut: false, other: null },
        issuedAt: T.toISOString(),
        expiresAt: '2026-06-22T12:00:00.000Z',
      });
      expect(issued).toMatchObject({ id: 'PO-000004', version: 1 });
      expect((await store.ordersByCaseNumber('FL-26-000001', 10)).map((o) => o.id)).toEqual(['PO-000004']);
    });
  });

  describe(`${adapter}: alerts store`, () => {
    let store: AlertsStore;
    beforeAll(async () => {
      store = await SUBGRAPHS.alerts.openStore(await freshLocation());
      await store.insertSeed(buildFixtures(T).alerts);
    });
    afterAll(() => store?.close());

    it('returns the alerts on a subject, newest first', async () => {
      const alerts = await store.alertsBySubjectIds(['A10000003'], { activeAt: null });
      expect(alerts.map((a) => a.type)).toEqual(['OFFICER_SAFETY', 'WANTED_PERSON']);
      expect(alerts[1]).toMatchObject({ warrant: { extradition: 'FULL' }, caution: { codes: ['ARMED_AND_DANGEROUS'] } });
    });

    it('filters by activity and type, and honours the limit', async () => {
      const later = new Date(T.getTime() + 400 * 86_400_000).toISOString();
      expect((await store.alertsBySubjectIds(['A10000003'], { activeAt: later })).map((a) => a.type)).toEqual(['WANTED_PERSON']);
      expect((await store.listAlerts({ activeAt: null, type: 'MISSING_PERSON' }, 10)).map((a) => a.id)).toEqual(['AL-0000003']);
      expect(await store.listAlerts({ activeAt: null }, 2)).toHaveLength(2);
      expect(await store.countAlerts()).toBe(3);
    });
  });

  describe(`${adapter}: ids that betray nothing (docs/design.md §4 rule 12)`, () => {
    const arrestIdsOf = async (location: StoreLocation, personIds: string[]) => {
      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        return (await store.arrestsByPersonIds(personIds, ALL)).map((a) => `${a.personId} ${a.id}`).sort();
      } finally {
        await store.close();
      }
    };
    const alertIdsOf = async (location: StoreLocation) => {
      const store = await SUBGRAPHS.alerts.openStore(location);
      try {
        return (await store.listAlerts({ activeAt: null }, 500)).map((a) => `${a.subjectId} ${a.id}`).sort();
      } finally {
        await store.close();
      }
    };
    const SOME = Array.from({ length: 60 }, (_, i) => `A${10000001 + i}`);

    it('seeds arrest and alert ids that are no sequence, and the same ones again with the same key', async () => {
      const key = 'a seed id key for the contract test';
      const [first, again, otherKey] = [await freshLocation(), await freshLocation(), await freshLocation()];
      for (const [location, idKey] of [
        [first, key],
        [again, key],
        [otherKey, `${key}, another`],
      ] as const) {
        await seedStores(location, { persons: 60, seedDate: T, idKey });
      }
      const arrests = await arrestIdsOf(first, SOME);
      expect(arrests.length).toBeGreaterThan(20);
      expect(arrests.every((a) => OPAQUE_ID.test(a.split(' ')[1]))).toBe(true);
      expect(await arrestIdsOf(again, SOME)).toEqual(arrests);
      const alerts = (await alertIdsOf(first)).filter((a) => !/AL-000000[123]$/.test(a));
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.every((a) => OPAQUE_ID.test(a.split(' ')[1]))).toBe(true);
      expect((await alertIdsOf(again)).filter((a) => !/AL-000000[123]$/.test(a))).toEqual(alerts);
      // Another key, other ids: without the key no id can be worked out from a person and a count.
      const others = await arrestIdsOf(otherKey, SOME);
      expect(others.map((a) => a.split(' ')[0])).toEqual(arrests.map((a) => a.split(' ')[0]));
      expect(others.filter((a) => arrests.includes(a))).toEqual([]);
    });

    it("gives A10000001's visible arrests ids that do not depend on his sealed ones", () => {
      const ids = new RecordIds('a seed id key for the contract test');
      const fixtures = buildFixtures(T, ids).criminalHistory.arrests.filter((a) => a.personId === 'A10000001');
      expect(fixtures).toHaveLength(6);
      // Each id is the keyed hash of the person and the arrest's place: nothing counts across persons.
      expect(fixtures.map((a) => a.id)).toEqual([1, 2, 3, 4, 5, 6].map((n) => ids.arrestId('A10000001', n)));
      expect(new Set(fixtures.map((a) => a.id)).size).toBe(6);
    });

    it('re-keys arrests and alerts numbered in one sequence when an older store opens, charges and flags kept', async () => {
      const location = await freshLocation();
      const sql = await openSqlClient(location, 'criminal-history');
      await migrate(
        sql,
        CRIMINAL_HISTORY_MIGRATIONS.filter((m) => m.version <= 3),
      );
      const person = (id: string) =>
        sql.run(
          `INSERT INTO persons (id, last_name, first_name, last_code1, last_code2, date_of_birth, sex, last_norm) VALUES (?, 'DOE', 'JOHN', 'T', 'T', '1985-03-14', 'M', 'DOE')`,
          [id],
        );
      await person('A10000001');
      await person('A10000003');
      const old = [
        ['AR-00000001', 'A10000001', 0],
        ['AR-00000002', 'A10000001', 0],
        ['AR-00000005', 'A10000001', 1],
        ['AR-00000007', 'A10000003', 0],
      ] as const;
      for (const [id, personId, sealed] of old) {
        await sql.run('INSERT INTO arrests (id, person_id, arrest_date, agency, sealed, juvenile) VALUES (?, ?, ?, ?, ?, ?)', [
          id,
          personId,
          '2020-01-01',
          'CA0194200',
          sealed,
          sealed,
        ]);
        for (const seq of [1, 2]) {
          await sql.run(
            `INSERT INTO charges (arrest_id, seq, statute, description, level, disposition_type) VALUES (?, ?, ?, 'X', 'MISDEMEANOR', 'CONVICTED')`,
            [id, seq, `PC ${id}`],
          );
        }
      }
      await sql.close();
      const alertsSql = await openSqlClient(location, 'alerts');
      await migrate(
        alertsSql,
        ALERTS_MIGRATIONS.filter((m) => m.version <= 1),
      );
      for (const id of ['AL-0000001', 'AL-0000004', 'AL-0000009']) {
        await alertsSql.run(
          `INSERT INTO alerts (id, alert_type, subject_id, agency, entered_at) VALUES (?, 'WANTED_PERSON', 'A10000003', 'CA0194200', '2026-01-01T00:00:00.000Z')`,
          [id],
        );
      }
      await alertsSql.close();

      const store = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        const arrests = await store.arrestsByPersonIds(['A10000001', 'A10000003'], ALL);
        expect(arrests).toHaveLength(4);
        expect(arrests.every((a) => OPAQUE_ID.test(a.id))).toBe(true);
        expect(arrests.filter((a) => a.sealed && a.juvenile).map((a) => a.personId)).toEqual(['A10000001']);
        expect(await store.arrestsByPersonIds(['A10000001'], UNSEALED)).toHaveLength(2);
        // Each arrest keeps its own charges under its new id.
        const charges = await store.chargesByArrestIds(arrests.map((a) => a.id));
        expect(charges.map((c) => c.statute).sort()).toEqual(old.flatMap(([id]) => [`PC ${id}`, `PC ${id}`]).sort());
        for (const a of arrests) expect(new Set(charges.filter((c) => c.arrestId === a.id).map((c) => c.personId))).toEqual(new Set([a.personId]));
      } finally {
        await store.close();
      }
      const alerts = await alertIdsOf(location);
      expect(alerts).toHaveLength(3);
      expect(alerts).toContain('A10000003 AL-0000001');
      expect(alerts.filter((a) => !a.endsWith('AL-0000001')).every((a) => OPAQUE_ID.test(a.split(' ')[1]))).toBe(true);
      // Written once: the next start finds the same ids.
      expect(await alertIdsOf(location)).toEqual(alerts);
    });
  });

  describe(`${adapter}: address protections (docs/design.md §4 rule 11)`, () => {
    const AT = T.toISOString();
    const LATER = new Date(T.getTime() + 4 * 365 * 86_400_000).toISOString();

    it('knows from the seed that A10000002 is protected by PO-000001 while it is in force, and nobody else of the fixtures', async () => {
      const store = await SUBGRAPHS['criminal-history'].openStore(await freshLocation());
      try {
        expect(await store.addressProtectionsKnown()).toBe(false);
        await store.insertSeed(buildFixtures(T).criminalHistory);
        expect(await store.addressProtectionsKnown()).toBe(true);
        const fixtures = ['A10000001', 'A10000002', 'A10000003', 'A10000004', 'A10000005', 'A10000006', 'A10000007'];
        expect(await store.personsWithConfidentialAddress(fixtures, AT)).toEqual(['A10000002']);
        expect(await store.personsWithConfidentialAddress(fixtures, LATER)).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('replaces what an order protects, provisional key included, and ends it when told', async () => {
      const store = await SUBGRAPHS['criminal-history'].openStore(await freshLocation());
      try {
        await store.recordAddressProtections('PENDING:req-1', [{ personId: 'A10000006', inForceUntil: null }]);
        expect(await store.personsWithConfidentialAddress(['A10000006'], LATER)).toEqual(['A10000006']);
        await store.recordAddressProtections('PO-000009', [{ personId: 'A10000006', inForceUntil: LATER }], 'PENDING:req-1');
        expect(await store.personsWithConfidentialAddress(['A10000006'], AT)).toEqual(['A10000006']);
        expect(await store.personsWithConfidentialAddress(['A10000006'], LATER)).toEqual([]);
        await store.recordAddressProtections('PO-000009', [{ personId: 'A10000006', inForceUntil: AT }]);
        expect(await store.personsWithConfidentialAddress(['A10000006'], AT)).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('learns the protections of a store seeded before it kept them from the orders store, once', async () => {
      const location = await freshLocation();
      const orders = await SUBGRAPHS.orders.openStore(location);
      const criminalHistory = await SUBGRAPHS['criminal-history'].openStore(location);
      try {
        await orders.insertSeed(buildFixtures(T).orders);
        // PO-000001 protects A10000002; link the party of PO-000002 (expired) to A10000006 as well.
        const sql = await openSqlClient(location, 'orders');
        await sql.run("UPDATE order_parties SET person_id = 'A10000006' WHERE order_id = 'PO-000002'");
        await sql.close();
        expect(await orders.protectedPartyLinks(null, 1)).toEqual([{ orderId: 'PO-000001', seq: 1, personId: 'A10000002', inForceUntil: expect.any(String) }]);
        expect(await orders.protectedPartyLinks({ orderId: 'PO-000001', seq: 1 }, 10)).toEqual([
          { orderId: 'PO-000002', seq: 1, personId: 'A10000006', inForceUntil: expect.any(String) },
        ]);

        expect(await criminalHistory.addressProtectionsKnown()).toBe(false);
        expect(await syncAddressProtections(orders, criminalHistory)).toBe(2);
        expect(await criminalHistory.addressProtectionsKnown()).toBe(true);
        expect(await criminalHistory.personsWithConfidentialAddress(['A10000002', 'A10000006'], AT)).toEqual(['A10000002']);
        expect(await syncAddressProtections(orders, criminalHistory)).toBeNull();
      } finally {
        await Promise.all([orders.close(), criminalHistory.close()]);
      }
    });
  });
}
