import { startStack, type Stack } from '../support/stack';

/** docs/design.md §4 rule 1: a refused purpose stops the operation before any record source is touched. */
describe('purpose checks run before any subgraph is called', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 50 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const total = () => Object.values(stack.stores).reduce((n, s) => n + s.stats.statements, 0);

  it.each([
    ['a missing purpose', { 'x-purpose-code': undefined }],
    ['purpose C without a reason', { 'x-reason': undefined }],
    ['a purpose the token does not grant', { 'x-purpose-code': 'F' }],
  ])('reads no store at all for %s', async (_case, headers) => {
    const before = total();
    const result = await stack.query('officer', '{ person(id: "A10000001") { name { last } protectiveOrders { id } alerts { id } } }', undefined, headers);
    expect(result.status).toBe(403);
    expect(total()).toBe(before);
  });

  it('reads the stores once the purpose is right', async () => {
    const before = total();
    const result = await stack.query('officer', '{ person(id: "A10000001") { name { last } protectiveOrders { id } alerts { id } } }');
    expect(result.status).toBe(200);
    expect(total()).toBeGreaterThan(before);
  });
});
