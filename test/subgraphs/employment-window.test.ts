import { fixedClock } from '../../platform/src';
import { FIXTURE_T, openSubgraph, personaCaller } from '../support/subgraph-harness';

const DAY = 86_400_000;
const Q =
  '{ _entities(representations: [{ __typename: "Person", id: "A10000001" }, { __typename: "Person", id: "A10000007" }]) { ... on Person { id criminalHistory { convictions { statute date } } } } }';

/** docs/design.md §4 rule 4: the employment view reaches back 7 years from now — whatever "now" is. */
describe('the 7-year employment window follows the clock', () => {
  const at = async (offsetDays: number) => {
    const sg = await openSubgraph('criminal-history', fixedClock(new Date(FIXTURE_T.getTime() + offsetDays * DAY)));
    try {
      const result = await sg.execute(personaCaller('employment-screener'), Q);
      expect(result.errors).toBeUndefined();
      return Object.fromEntries(result.data!._entities.map((p: any) => [p.id, p.criminalHistory.convictions.map((c: any) => c.statute)]));
    } finally {
      await sg.close();
    }
  };

  it('at the seed date: the burglary conviction of T−3y is in, the DUI of T−10y is out', async () => {
    expect(await at(0)).toEqual({ A10000001: ['PC 459'], A10000007: ['PC 484'] });
  });

  it('four years and a day later the T−3y conviction is older than 7 years and drops out', async () => {
    expect(await at(4 * 365 + 2)).toEqual({ A10000001: [], A10000007: ['PC 484'] });
  });

  it('a criminal-justice reader sees every unsealed conviction whatever the date', async () => {
    const sg = await openSubgraph('criminal-history', fixedClock(new Date(FIXTURE_T.getTime() + 20 * 365 * DAY)));
    const result = await sg.execute(personaCaller('officer'), Q);
    await sg.close();
    expect(result.data!._entities[0].criminalHistory.convictions.map((c: any) => c.statute)).toEqual(['PC 459', 'VC 23152(a)']);
  });
});
