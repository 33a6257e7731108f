import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { findPersona } from '../../access-policy/src';
import type { EventFeedConsumer, FeedEvent } from '../../platform/src/events/event-feed';
import type { Stack } from './stack';
import { protectiveOrderEventBody, type ProtectiveOrderFeedEvent } from '../../schema/events/protective-order-events';

/** The query a subscriber sends, by order or by person. */
export const ORDER_EVENTS = `subscription OrderWatch($orderId: ID, $personId: ID) {
  protectiveOrderEvents(orderId: $orderId, personId: $personId) { orderId type version at }
}`;

/**
 * An event feed in memory, for tests: `publish` hands the event to every attached listener at
 * once, synchronously, as a transport would after it stored the event.
 */
export class MemoryEventFeed implements EventFeedConsumer {
  private readonly listeners = new Set<(event: FeedEvent) => void>();

  async subscribe(onEvent: (event: FeedEvent) => void): Promise<() => Promise<void>> {
    this.listeners.add(onEvent);
    return async () => void this.listeners.delete(onEvent);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Publishes a feed event as is (a duplicate, an old version, a malformed body …). */
  publishRaw(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Publishes a protective-order event, keyed and versioned as the orders outbox would. */
  publish(event: Omit<ProtectiveOrderFeedEvent, 'at'> & { at?: string }): void {
    const full = { at: new Date().toISOString(), ...event };
    this.publishRaw({ key: full.orderId, version: full.version, body: protectiveOrderEventBody(full) });
  }
}

/** How a connection ended. */
export interface Closed {
  code: number;
  reason: string;
}

/** A graphql-ws client to a gateway, with how its connection ended once it has. */
export interface TestClient {
  client: Client;
  closed: Promise<Closed>;
  dispose(): Promise<void>;
}

/** The WebSocket URL of a gateway's `/graphql`. */
export function wsUrl(gatewayUrl: string): string {
  return gatewayUrl.replace(/^http/, 'ws');
}

/** Connects (eagerly, never retrying: a test sees each close as it is). */
export function connect(gatewayUrl: string, connectionParams: Record<string, unknown>): TestClient {
  let resolveClosed: (c: Closed) => void = () => undefined;
  const closed = new Promise<Closed>((r) => (resolveClosed = r));
  const client = createClient({
    url: wsUrl(gatewayUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: { closed: (event) => resolveClosed({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }) },
  });
  return { client, closed, dispose: () => client.dispose() as Promise<void> };
}

/** One subscription's results as they come. */
export interface TestSubscription {
  events: Array<Record<string, unknown>>;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
  ended: Promise<void>;
  unsubscribe(): void;
}

/** Subscribes and collects what arrives. */
export function subscribe(client: Client, query: string, variables: Record<string, unknown>): TestSubscription {
  const events: TestSubscription['events'] = [];
  const errors: TestSubscription['errors'] = [];
  let end: () => void = () => undefined;
  const ended = new Promise<void>((r) => (end = r));
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.data) events.push((result.data as Record<string, Record<string, unknown>>).protectiveOrderEvents);
        if (result.errors) errors.push(...(result.errors as TestSubscription['errors']));
      },
      error: (error) => {
        if (Array.isArray(error)) errors.push(...error);
        else errors.push({ message: String((error as Error)?.message ?? error) });
        end();
      },
      complete: () => end(),
    },
  );
  return { events, errors, ended, unsubscribe };
}

/** Waits until `condition` holds, polling; fails with `what` after a generous deadline. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** An order against `restrained`, protecting A10000002, as a court clerk enters it. */
export const issueInput = (restrained: string, caseNumber: string) => ({
  caseNumber,
  court: 'LOS ANGELES SUPERIOR COURT',
  type: 'DVRO',
  restrainedPersonId: restrained,
  protectedParties: [{ name: { last: 'ROE', first: 'JANE' }, dateOfBirth: '1988-07-02', relationship: 'DATING', personId: 'A10000002' }],
  terms: { noContact: true, stayAwayYards: 100, stayAwayFrom: ['PROTECTED PARTY'], firearmsProhibited: true },
  expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
});

/** The dispatcher's connection parameters. */
export async function dispatcherParams(stack: Stack): Promise<Record<string, string>> {
  const p = findPersona('dispatcher')!;
  return { authorization: `Bearer ${await stack.token('dispatcher')}`, 'x-purpose-code': p.defaultPurpose!, 'x-reason': p.defaultReason! };
}

/** Resolves once the gateway at `stack` has recorded the dispatcher's subscription `name` (each is attached before its record is written). */
export async function dispatcherSubscribed(stack: Stack, name: string): Promise<void> {
  await waitUntil(
    `${name} recorded`,
    async () => {
      const res = await stack.query('auditor', '{ auditEvents(user: "u-dispatch-2001", limit: 200) { operationName outcome } }');
      return (
        (res.body.data?.auditEvents as Array<{ operationName: string; outcome: string }> | undefined)?.some(
          (r) => r.operationName === name && r.outcome === 'ALLOWED',
        ) ?? false
      );
    },
    60_000,
  );
}

/**
 * Subscribes as the dispatcher and resolves once the gateway has accepted (and recorded) it. A
 * gateway whose event feed has not attached yet refuses with SOURCE_UNAVAILABLE: tried again.
 */
export async function dispatcherSubscription(
  stack: Stack,
  client: Client,
  query: string,
  name: string,
  variables: Record<string, unknown>,
): Promise<TestSubscription> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const s = subscribe(client, query, variables);
    for (;;) {
      if (s.errors.length > 0) break;
      const res = await stack.query('auditor', '{ auditEvents(user: "u-dispatch-2001", limit: 200) { operationName outcome } }');
      if (
        (res.body.data?.auditEvents as Array<{ operationName: string; outcome: string }> | undefined)?.some(
          (r) => r.operationName === name && r.outcome === 'ALLOWED',
        )
      )
        return s;
      if (Date.now() > deadline) throw new Error(`${name} was not accepted in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (s.errors.some((e) => e.extensions?.code !== 'SOURCE_UNAVAILABLE')) throw new Error(`${name} refused: ${JSON.stringify(s.errors)}`);
    if (Date.now() > deadline) throw new Error(`${name}: the gateway's event feed did not attach in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
