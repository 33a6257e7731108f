import { createServer, type Server } from 'node:http';
import { freePort } from '../support/free-port';
import { postGraphQL, startStack } from '../support/stack';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

/**
 * Issue 24: OpenTelemetry traces exported over OTLP when configured. The gateway runs as its own
 * process (from dist/): the OTLP exporter loads node:http by dynamic import, which jest's VM refuses.
 * The request, the plan, each fetch and the audit commit; inside each subgraph its call and its
 * statements, continuing the gateway's trace; the trace id in the audit record.
 */
describe('tracing', () => {
  let receiver: Server;
  const bodies: Array<{ path: string; body: any }> = [];
  let endpoint: string;

  beforeAll(async () => {
    const port = await freePort();
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body: JSON.parse(text) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${port}/v1/traces`;
  });
  afterAll(() => new Promise((r) => receiver.close(r)));

  const spans = (): Array<ExportedSpan & { service: string }> =>
    bodies.flatMap(({ body }) =>
      body.resourceSpans.flatMap((rs: any) => {
        const service = rs.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
        return rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: ExportedSpan) => ({ ...s, service })));
      }),
    );

  it("exports one trace per operation: the request span over Apollo's plan and fetches, each subgraph's call and statements, and the audit commit; its log lines and audit record name it; no variables", async () => {
    let logLine: string;
    let recorded: Array<{ traceId: string | null }>;
    const stack = await startStack({ persons: 20, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint } });
    try {
      const answer = await stack.query('officer', 'query TracedProfile($id: ID!) { person(id: $id) { name { last } alerts { id } } }', { id: 'A10000001' });
      expect(answer.body.errors).toBeUndefined();
      const audit = await stack.query('auditor', '{ auditEvents(user: "u-officer-1001", limit: 5) { operationName traceId } }');
      expect(audit.body.errors).toBeUndefined();
      recorded = (audit.body.data!.auditEvents as Array<{ operationName: string | null; traceId: string | null }>).filter(
        (e) => e.operationName === 'TracedProfile',
      );
      const refused = await postGraphQL(stack.gatewayUrl, { query: '{ __typename }' }, { authorization: 'Bearer not-a-token' });
      expect(refused.status).toBe(401);
      logLine = (await stack.waitForLog('gateway', 'authentication failed')) ?? '';
    } finally {
      // Stopping (SIGTERM) drains and exports what is buffered.
      await stack.stop();
    }
    const all = spans();
    expect(bodies.every((b) => b.path === '/v1/traces')).toBe(true);
    // The gateway's request span: the trace's root (the subgraphs' call spans share its name).
    const root = all.find((s) => s.name === 'POST /graphql' && !s.parentSpanId && s.attributes.some((a) => a.key === 'custodian.request_id'))!;
    expect(root).toBeDefined();
    // Without OTEL_SERVICE_NAME each service names itself.
    expect(root.service).toBe('custodian-gateway');
    const trace = all.filter((s) => s.traceId === root.traceId);
    const names = trace.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['gateway.request', 'gateway.plan', 'gateway.fetch', 'custodian.audit.commit']));
    expect(names.filter((n) => n === 'gateway.fetch').length).toBeGreaterThanOrEqual(2);
    // Every span of the operation descends from the request's.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const span of trace) {
      let at: ExportedSpan | undefined = span;
      while (at?.parentSpanId) at = byId.get(at.parentSpanId);
      expect({ span: span.name, root: at?.name }).toEqual({ span: span.name, root: 'POST /graphql' });
    }
    // Inside the subgraphs: each call continues the trace under the gateway's fetch, with its
    // statements under it, named by verb and table only.
    const calls = trace.filter((s) => s.service !== 'custodian-gateway' && s.name === 'POST /graphql');
    expect(new Set(calls.map((s) => s.service))).toEqual(new Set(['custodian-criminal-history', 'custodian-alerts']));
    for (const call of calls) expect(byId.get(call.parentSpanId!)?.name).toBe('gateway.fetch');
    const statements = trace.filter((s) => s.attributes.some((a) => a.key === 'db.system.name'));
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const statement of statements) {
      expect(calls.map((c) => c.service)).toContain(statement.service);
      expect(statement.name).toMatch(/^[A-Z]+( [a-z_.]+)?$/);
    }
    expect(new Set(statements.map((s) => s.service))).toEqual(new Set(['custodian-criminal-history', 'custodian-alerts']));
    // The audit record names the trace, so an auditor's record leads an operator to its spans.
    expect(recorded).toEqual([{ operationName: 'TracedProfile', traceId: root.traceId }]);
    const status = root.attributes.find((a) => a.key === 'http.response.status_code')?.value;
    expect(status).toEqual({ intValue: 200 });
    // The refusal's log line names its trace.
    const refusedTrace = /"traceId":"([0-9a-f]{32})"/.exec(logLine)?.[1];
    const refusedRoot = all.find((s) => s.traceId === refusedTrace && s.name === 'POST /graphql' && !s.parentSpanId);
    expect(refusedRoot?.attributes.find((a) => a.key === 'http.response.status_code')?.value).toEqual({ intValue: 401 });
    // Search criteria are the audit's evidence, not the tracing backend's.
    expect(JSON.stringify(bodies)).not.toContain('A10000001');
  });

  it('exports nothing when no endpoint is configured', async () => {
    const before = bodies.length;
    const stack = await startStack({ persons: 20 });
    try {
      await stack.query('officer', '{ person(id: "A10000001") { id } }');
    } finally {
      await stack.stop();
    }
    expect(bodies.length).toBe(before);
  });
});
