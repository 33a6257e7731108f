import { CRIMINAL_JUSTICE_POLICY, dateOfBirthScore, firstNameScore, lastNameScore, MATCH_ONLY_POLICY, rankCandidates, scoreCandidate } from '../../subgraphs/criminal-history/src/person-search';
import { buildFixtures } from '../../seed/src/fixtures';

const fixtures = buildFixtures(new Date('2026-06-15T00:00:00Z'));
const candidates = fixtures.criminalHistory.persons.map((p) => ({
  ...p,
  aliases: fixtures.criminalHistory.aliases.filter((a) => a.personId === p.id).map((a) => a.name),
}));

describe('person search scoring', () => {
  it('scores last names by sound: SMYTH sounds like SMITH, JONES does not', () => {
    expect(lastNameScore('SMITH', 'SMITH')).toBe(1);
    expect(lastNameScore('SMYTH', 'SMITH')).toBeGreaterThanOrEqual(0.85);
    expect(lastNameScore('JONES', 'SMITH')).toBeLessThan(0.5);
  });

  it('tolerates first-name spellings, nicknames by prefix and initials', () => {
    expect(firstNameScore('JON', 'JOHN')).toBeGreaterThanOrEqual(0.85);
    expect(firstNameScore('JOHN', 'JOHNNY')).toBeGreaterThanOrEqual(0.85);
    expect(firstNameScore('J', 'JOHN')).toBeCloseTo(0.6);
    expect(firstNameScore('MARY', 'JOHN')).toBeLessThan(0.5);
  });

  it('tolerates transposed day and month, and one mistyped digit', () => {
    expect(dateOfBirthScore('1985-03-14', '1985-03-14')).toBe(1);
    expect(dateOfBirthScore('1985-12-03', '1985-03-12')).toBe(0.8);
    expect(dateOfBirthScore('1985-03-15', '1985-03-14')).toBe(0.75);
    expect(dateOfBirthScore('1985-07-01', '1985-03-14')).toBe(0.4);
    expect(dateOfBirthScore('1990-07-01', '1985-03-14')).toBe(0);
  });

  it('ranks A10000001 first for DOE / JOHN / 1985-03-14, with A10000007 (DOE, JON) next', () => {
    const ranked = rankCandidates({ lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-14' }, candidates, CRIMINAL_JUSTICE_POLICY, 10);
    expect(ranked.map((m) => m.person.id).slice(0, 2)).toEqual(['A10000001', 'A10000007']);
    expect(ranked[0].score).toBe(1);
    expect(ranked[1].score).toBeGreaterThan(0.9);
  });

  it('keeps only strong matches, at most 5, for match-only callers', () => {
    const weak = rankCandidates({ lastName: 'DOE', firstName: 'MARY', dateOfBirth: '1960-01-01' }, candidates, MATCH_ONLY_POLICY, 5);
    expect(weak).toEqual([]);
    expect(MATCH_ONLY_POLICY.maxResults).toBe(5);
  });

  it('costs a contradicting sex 0.1', () => {
    const doe = candidates.find((c) => c.id === 'A10000001')!;
    expect(scoreCandidate({ lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-14', sex: 'F' }, doe)).toBeCloseTo(0.9);
  });
});
