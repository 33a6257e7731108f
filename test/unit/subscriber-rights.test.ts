import { readFileSync } from 'node:fs';
import { parse, getOperationAST, GraphQLError } from 'graphql';
import { findPersona } from '../../access-policy/src';
import type { VerifiedIdentity } from '../../gateway/src/identity/authenticate';
import { FieldPolicy } from '../../gateway/src/policy/field-policy';
import { coordinatesRead, judgeSubscriber, lostRight, type Subscriber } from '../../gateway/src/subscriptions/subscriber-rights';
import { supergraphPath } from '../../schema/subgraphs';

const policy = FieldPolicy.fromSupergraph(readFileSync(supergraphPath(), 'utf8'));
const operation = getOperationAST(parse('subscription { protectiveOrderEvents(orderId: "PO-000001") { orderId type version at __typename } }'))!;
const coordinates = coordinatesRead(operation);

function subscriberAs(persona: string, declared: Subscriber['declared'], expiresAtMs = Date.now() + 60_000): Subscriber {
  const p = findPersona(persona)!;
  const identity: VerifiedIdentity = { sub: p.sub, name: p.name, ori: p.ori, client: p.client, scopes: new Set(p.scopes), purposes: new Set(p.purposes) };
  return { identity, declared, expiresAtMs };
}

describe("a subscriber's rights (docs/design.md §4 rules 1 and 6; §8 decision 27)", () => {
  it('reads the root field and each selected field of the event, __typename aside', () => {
    expect(coordinates).toEqual([
      'Subscription.protectiveOrderEvents',
      'ProtectiveOrderEvent.orderId',
      'ProtectiveOrderEvent.type',
      'ProtectiveOrderEvent.version',
      'ProtectiveOrderEvent.at',
    ]);
  });

  it('lets the dispatcher subscribe with purpose C and a reason, as the caller the subscription runs as', () => {
    const caller = judgeSubscriber(policy, subscriberAs('dispatcher', { purpose: 'C', reason: 'CAD-1' }), coordinates, 'r-1');
    expect(caller).toMatchObject({ sub: 'u-dispatch-2001', purpose: 'C', reason: 'CAD-1', requestId: 'r-1' });
  });

  it('refuses a caller without orders:read with FORBIDDEN naming the scope', () => {
    const refused = judgeSubscriber(policy, subscriberAs('employment-screener', { purpose: 'I', reason: undefined }), coordinates, 'r-2');
    expect(refused).toBeInstanceOf(GraphQLError);
    expect((refused as GraphQLError).extensions.code).toBe('FORBIDDEN');
    expect((refused as GraphQLError).message).toMatch(/orders:read/);
  });

  it('refuses purpose R, a purpose the token lacks, and C without a reason', () => {
    for (const declared of [
      { purpose: 'R', reason: 'x' },
      { purpose: 'D', reason: 'x' },
      { purpose: 'C', reason: undefined },
    ]) {
      expect(judgeSubscriber(policy, subscriberAs('dispatcher', declared), coordinates, 'r-3')).toBeInstanceOf(GraphQLError);
    }
  });

  it('stops delivery at the moment the token expires, with no clock tolerance (4401), and while the rights hold lets it go on', () => {
    const expiresAt = Date.now() + 1000;
    const subscriber = subscriberAs('dispatcher', { purpose: 'C', reason: 'CAD-1' }, expiresAt);
    expect(lostRight(policy, subscriber, coordinates, expiresAt - 1)).toBeNull();
    expect(lostRight(policy, subscriber, coordinates, expiresAt)).toEqual({ closeCode: 4401, reason: 'Token expired' });
  });

  it('stops delivery (4403) to a subscriber whose rights no longer hold', () => {
    const subscriber = subscriberAs('auditor', { purpose: undefined, reason: undefined });
    expect(lostRight(policy, subscriber, coordinates, Date.now())).toEqual({ closeCode: 4403, reason: 'Forbidden' });
  });
});
