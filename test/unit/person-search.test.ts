import {
  CRIMINAL_JUSTICE_POLICY,
  dateOfBirthScore,
  firstNameScore,
  identityNameKey,
  isExactIdentityMatch,
  lastNameScore,
  rankCandidates,
  scoreCandidate,
} from '../../subgraphs/criminal-history/src/person-search';
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

  it('costs a contradicting sex 0.1', () => {
    const doe = candidates.find((c) => c.id === 'A10000001')!;
    expect(scoreCandidate({ lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-14', sex: 'F' }, doe)).toBeCloseTo(0.9);
  });
});

describe('screening by exact identity (docs/design.md §4 rule 9)', () => {
  const found = (search: { lastName: string; firstName: string; dateOfBirth: string; sex?: string | null }) =>
    candidates.filter((c) => isExactIdentityMatch(search, c)).map((c) => c.id);

  it('compares names after removing case, spaces, hyphens, apostrophes and diacritics', () => {
    expect(identityNameKey("o'brien")).toBe('OBRIEN');
    expect(identityNameKey('O BRIEN')).toBe(identityNameKey('O’Brien'));
    expect(identityNameKey('Garcia-López')).toBe('GARCIALOPEZ');
    expect(identityNameKey(' Zoë ')).toBe('ZOE');
    // Anything else stays: a different letter is a different name.
    expect(identityNameKey('JON')).not.toBe(identityNameKey('JOHN'));
    expect(identityNameKey('ST. JOHN')).not.toBe(identityNameKey('ST JOHN'));
  });

  it('matches A10000001 by his name or his alias, with his exact date of birth, and nobody else', () => {
    expect(found({ lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-14' })).toEqual(['A10000001']);
    expect(found({ lastName: 'doe', firstName: ' john ', dateOfBirth: '1985-03-14' })).toEqual(['A10000001']);
    expect(found({ lastName: 'Doe', firstName: 'Johnny', dateOfBirth: '1985-03-14' })).toEqual(['A10000001']);
  });

  it('is not answered by the look-alike: A10000007 (DOE, JON) only for JON', () => {
    expect(found({ lastName: 'DOE', firstName: 'JON', dateOfBirth: '1985-03-14' })).toEqual(['A10000007']);
  });

  it.each([
    ['a date one day off', { lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-15' }],
    ['a date one year off', { lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1986-03-14' }],
    ['a date one month off', { lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-04-14' }],
    ['a date with one digit off', { lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-04' }],
    ['a first-name prefix', { lastName: 'DOE', firstName: 'JO', dateOfBirth: '1985-03-14' }],
    ['an initial', { lastName: 'DOE', firstName: 'J', dateOfBirth: '1985-03-14' }],
    ['a sound-alike last name', { lastName: 'DOUGH', firstName: 'JOHN', dateOfBirth: '1985-03-14' }],
    ["the alias's first name with the name's middle", { lastName: 'DOE', firstName: 'MICHAEL', dateOfBirth: '1985-03-14' }],
    ['a contradicting sex', { lastName: 'DOE', firstName: 'JOHN', dateOfBirth: '1985-03-14', sex: 'F' }],
  ])('never matches on %s', (_case, search) => {
    expect(found(search)).toEqual([]);
  });
});
