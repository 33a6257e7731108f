import { generateKeyPair } from 'jose';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SubgraphDataSource } from '../../gateway/src/federation/subgraph-data-source';
import { inSpan, startTracing } from '../../gateway/src/observability/tracing';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger, DisclosureLog } from '../../platform/src';
import { personaCaller } from '../support/subgraph-harness';

/** Issue 24: W3C trace context on every subgraph call when tracing is on, and none when it is off. */
describe('trace context on subgraph calls', () => {
  let server: Server;
  let seen: IncomingMessage['headers'][];
  let source: SubgraphDataSource;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"_entities":[]}}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    source = new SubgraphDataSource(
      'alerts',
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      privateKey,
      2000,
      createLogger('test', 'silent'),
    );
  });
  beforeEach(() => (seen = []));
  afterAll(() => new Promise((r) => server.close(r)));

  const call = () =>
    source.process({
      kind: 'incoming operation',
      request: { query: '{ _entities(representations: []) { __typename } }', variables: {} },
      context: { caller: personaCaller('officer'), disclosure: new DisclosureLog() },
      incomingRequestContext: { operation: { operation: 'query' } },
    } as never);

  it('sends traceparent naming the active span when tracing is on', async () => {
    // Spans stay in memory here (the e2e test checks what reaches an OTLP endpoint).
    const tracing = await startTracing({ endpoint: 'http://127.0.0.1:9/v1/traces', serviceName: 'test' }, new InMemorySpanExporter());
    try {
      let traceId = '';
      await inSpan('fetch under test', {}, async () => {
        traceId = trace.getActiveSpan()!.spanContext().traceId;
        await call();
      });
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(seen[0].traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    } finally {
      await tracing.shutdown();
    }
  });

  it('sends no trace header when tracing is off', async () => {
    const tracing = await startTracing({ endpoint: null, serviceName: 'test' });
    await inSpan('fetch under test', {}, call);
    expect(seen[0].traceparent).toBeUndefined();
    await tracing.shutdown();
  });
});
