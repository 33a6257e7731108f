import { generateKeyPair } from 'jose';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_TOKEN_HEADER } from '../../access-policy/src';
import { SubgraphDataSource } from '../../gateway/src/federation/subgraph-data-source';
import { createLogger, DisclosureLog } from '../../platform/src';
import { personaCaller } from '../support/subgraph-harness';

type Answer = (req: IncomingMessage, body: string) => { status: number; type: string; body: string } | 'hang';

/** One subgraph call, the way the gateway's plan makes it, against a stand-in subgraph. */
describe('the gateway calling a subgraph (SubgraphDataSource)', () => {
  let server: Server;
  let answer: Answer;
  let seen: { headers: IncomingMessage['headers']; body: string }[];
  let source: SubgraphDataSource;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        const a = answer(req, body);
        if (a === 'hang') return;
        res.writeHead(a.status, { 'content-type': a.type });
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    source = new SubgraphDataSource('alerts', url, privateKey, 500, createLogger('test', 'silent'));
  });
  beforeEach(() => (seen = []));
  afterAll(() => new Promise((r) => server.close(r)));

  const call = (caller: ReturnType<typeof personaCaller> | null) => {
    const context = { caller, disclosure: new DisclosureLog() };
    const request = {
      query: 'query($r:[_Any!]!){_entities(representations:$r){...on Person{alerts{id}}}}',
      variables: { r: [{ __typename: 'Person', id: 'A10000001' }] },
    };
    return source
      .process({ kind: 'incoming operation', request, context, incomingRequestContext: { operation: { operation: 'query' } } } as never)
      .then((response) => ({ response, context }));
  };

  it('sends the query with an internal token and the request id, and takes the disclosure report out of the answer', async () => {
    answer = () => ({
      status: 200,
      type: 'application/graphql-response+json',
      body: JSON.stringify({ data: { _entities: [{ alerts: [] }] }, extensions: { custodian: { subjects: ['Person:A10000001'], fields: ['Person.alerts'] } } }),
    });
    const { response, context } = await call(personaCaller('officer'));
    expect(response).toEqual({ data: { _entities: [{ alerts: [] }] }, extensions: {} });
    expect([...context.disclosure.subjects]).toEqual(['Person:A10000001']);
    expect(seen[0].headers[INTERNAL_TOKEN_HEADER]).toMatch(/^ey/);
    expect(seen[0].headers['x-request-id']).toBe('test');
    expect(JSON.parse(seen[0].body).variables.r[0].id).toBe('A10000001');
  });

  it.each([
    ['an HTTP error page', () => ({ status: 500, type: 'text/html', body: '<h1>Internal Server Error at /srv/alerts</h1>' })],
    ['a refusal of the internal token', () => ({ status: 401, type: 'application/json', body: '{"errors":[{"message":"only the gateway"}]}' })],
    ['a body that is not JSON', () => ({ status: 200, type: 'text/plain', body: 'ok' })],
    ['malformed JSON', () => ({ status: 200, type: 'application/json', body: '{"data":' })],
    ['no answer before the deadline', () => 'hang' as const],
  ] as Array<[string, Answer]>)('turns %s into SOURCE_UNAVAILABLE naming the source only', async (_what, a) => {
    answer = a;
    const { response } = await call(personaCaller('officer'));
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      { message: 'The alerts source did not answer; its part of the result is missing', extensions: { code: 'SOURCE_UNAVAILABLE' } },
    ]);
  });

  it('calls nothing without a verified caller (FORBIDDEN)', async () => {
    answer = () => ({ status: 200, type: 'application/json', body: '{"data":{}}' });
    const { response } = await call(null);
    expect(response.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(seen).toHaveLength(0);
  });
});
