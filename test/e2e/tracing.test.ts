import { createServer, type Server } from 'node:http';
import { freePort } from '../support/free-port';
import { postGraphQL, startStack, type Stack } from '../support/stack';

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
 * The request, the plan, each fetch and the audit commit.
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

  it("exports one trace per operation: the request span over Apollo's plan and fetches, and the audit commit; its log lines name it; no variables", async () => {
    let logLine = '';
    let stack: Stack | undefined = await startStack({ persons: 20, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'gateway-under-test' } });
    try {
      const answer = await stack.query('officer', 'query TracedProfile($id: ID!) { person(id: $id) { name { last } alerts { id } } }', { id: 'A10000001' });
      expect(answer.body.errors).toBeUndefined();
      const refused = await postGraphQL(stack.gatewayUrl, { query: '{ __typename }' }, { authorization: 'Bearer not-a-token' });
      expect(refused.status).toBe(401);
      logLine = (await stack.waitForLog('gateway', 'authentication failed')) ?? '';
    } finally {
      // Stopping (SIGTERM) drains and exports what is buffered.
      await stack.stop();
      stack = undefined;
    }
    const all = spans();
    expect(bodies.every((b) => b.path === '/v1/traces')).toBe(true);
    const root = all.find((s) => s.name === 'POST /graphql')!;
    expect(root).toBeDefined();
    expect(root.service).toBe('gateway-under-test');
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
    const status = root.attributes.find((a) => a.key === 'http.response.status_code')?.value;
    expect(status).toEqual({ intValue: 200 });
    // The refusal's log line names its trace.
    const refusedTrace = /"traceId":"([0-9a-f]{32})"/.exec(logLine)?.[1];
    const refusedRoot = all.find((s) => s.traceId === refusedTrace && s.name === 'POST /graphql');
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
