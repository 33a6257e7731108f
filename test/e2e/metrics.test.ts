import { randomUUID } from 'node:crypto';
import { postGraphQL, startStack, type Stack } from '../support/stack';
import { callerClaims, signAsDevIssuer } from '../support/tokens';

/** The value of one sample in Prometheus text (`name{a="x",b="y"} 3`), labels in any order; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** docs/design.md §2: Prometheus text at GET /metrics on METRICS_PORT, never on the public port (issue 24). */
describe('metrics', () => {
  let stack: Stack;
  const scrape = async () => {
    const res = await fetch(stack.metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  beforeAll(async () => {
    stack = await startStack({ mode: 'in-process', persons: 20, env: { RATE_LIMIT_USER_PER_MINUTE: '2' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers /metrics on METRICS_PORT and not on the public port', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toContain('# TYPE custodian_audit_queue_depth gauge');
    const publicPort = await fetch(`${stack.baseUrl}/metrics`);
    expect(publicPort.status).toBe(404);
    expect(await publicPort.text()).not.toContain('custodian_');
    expect((await fetch(stack.metricsUrl.replace('/metrics', '/graphql'))).status).toBe(404);
  });

  it('counts an allowed operation, a denied field by its coordinate (not its alias), a 401 and a rate-limit refusal', async () => {
    const before = await scrape();
    const allowed = await stack.query('officer', 'query ProfileForMetrics { person(id: "A10000001") { name { last } } }');
    expect(allowed.body.errors).toBeUndefined();
    // The dispatcher has no criminal_history:read; the alias must not become a label.
    const denied = await stack.query('dispatcher', 'query HistoryForMetrics { p: person(id: "A10000001") { id hist: criminalHistory { arrests { id } } } }');
    expect(denied.body.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    const unauthenticated = await postGraphQL(stack.gatewayUrl, { query: '{ __typename }' }, { authorization: 'Bearer not-a-token' });
    expect(unauthenticated.status).toBe(401);
    const token = await signAsDevIssuer(stack.dataDir, callerClaims({ sub: `u-${randomUUID()}`, client: `c-${randomUUID()}` }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await postGraphQL(
            stack.gatewayUrl,
            { query: '{ person(id: "A10000001") { id } }' },
            { authorization: `Bearer ${token}`, 'x-purpose-code': 'C', 'x-reason': 'INC-M' },
          )
        ).status,
      );
    expect(statuses).toEqual([200, 200, 429]);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(
      delta('custodian_graphql_operations_total', {
        graphql_operation_name: 'ProfileForMetrics',
        graphql_operation_type: 'query',
        outcome: 'ALLOWED',
        client: 'patrol-mdt',
      }),
    ).toBe(1);
    expect(delta('custodian_graphql_operations_total', { graphql_operation_name: 'HistoryForMetrics', outcome: 'PARTIAL' })).toBe(1);
    expect(delta('custodian_field_denials_total', { field: 'Person.criminalHistory' })).toBe(1);
    expect(after).not.toContain('field="hist"');
    expect(delta('custodian_graphql_operations_total', { graphql_operation_name: 'none', outcome: 'UNAUTHENTICATED', client: 'none' })).toBe(1);
    expect(delta('custodian_refusals_total', { reason: 'user' })).toBe(1);
    expect(delta('http_server_request_duration_seconds_count', { http_request_method: 'POST', http_response_status_code: '401', http_route: '/graphql' })).toBe(
      1,
    );
    expect(delta('http_server_request_duration_seconds_count', { http_request_method: 'POST', http_response_status_code: '429' })).toBe(1);
    expect(delta('custodian_subgraph_fetch_duration_seconds_count', { subgraph: 'criminal-history', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(delta('custodian_audit_commit_batch_size_sum', {})).toBeGreaterThanOrEqual(6);
    expect(sample(after, 'custodian_audit_write_failures_total', {})).toBe(0);
    // No user id is ever a label value.
    expect(after).not.toContain('u-officer-1001');
  });

  it('keeps caller-chosen operation names bounded in length', async () => {
    const long = `Q${'x'.repeat(100)}`;
    await stack.query('officer', `query ${long} { person(id: "A10000001") { id } }`);
    const text = await scrape();
    expect(text).toContain(`graphql_operation_name="${long.slice(0, 64)}"`);
    expect(text).not.toContain(long);
  });
});
