import { GraphQLError, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema, type ParseOptions, type ValidationRule } from 'graphql';
import { handleProtocols, type Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, type Caller } from '../../../access-policy/src';
import { headerOf, type Logger } from '../../../platform/src';
import type { RequestFacts } from '../audit/audit-entry';
import type { AuditWriter } from '../audit/audit-writer';
import { formatError } from '../http/format-error';
import type { ClientAddress } from '../http/client-address';
import type { RateLimits } from '../http/rate-limits';
import { verifiedSubjectOf, type Authenticator } from '../identity/authenticate';
import { Lockout } from '../identity/lockout';
import type { GatewayMetrics } from '../observability/metrics';
import type { FieldPolicy } from '../policy/field-policy';
import type { TrustedDocumentStore } from '../trusted-documents/trusted-document-store';
import { judgeDocument, sentDocument, type TrustedDocumentsMode } from '../trusted-documents/trusted-documents-policy';
import { buildAuditEntry } from '../audit/audit-entry';
import { CloseCodes, type CloseCode } from './close-codes';
import { DeliveryStream } from './delivery-stream';
import type { OrderEventHub } from './order-event-hub';
import { coordinatesRead, judgeSubscriber, lostRight, type Subscriber } from './subscriber-rights';
import { deliveryEntry, subscribeEntry, type SentSubscription } from './subscription-audit';
import { readSubscription, type SubscriptionTarget } from './subscription-request';
import type { ProtectiveOrderFeedEvent } from '../../../schema/events/protective-order-events';

/** The limits of docs/design.md §8, decision 28; each from one environment variable (config.ts). */
export interface SubscriptionLimits {
  /** SUBSCRIPTIONS_PER_CONNECTION */
  perConnection: number;
  /** SUBSCRIPTIONS_PER_CALLER: per user, across their connections to this replica. */
  perCaller: number;
  /** SUBSCRIPTION_INIT_TIMEOUT_MS: from the upgrade to connection_init. */
  initTimeoutMs: number;
  /** SUBSCRIPTION_IDLE_TIMEOUT_MS: an authenticated connection with no subscription. */
  idleTimeoutMs: number;
  /** SUBSCRIPTION_MAX_QUEUED: events waiting for one subscriber. */
  maxQueued: number;
  /** SUBSCRIPTION_MAX_BUFFERED_BYTES: bytes written to a socket and not yet sent. */
  maxBufferedBytes: number;
  /** SUBSCRIPTION_MAX_MESSAGE_BYTES: largest message a client may send (ws `maxPayload`). */
  maxMessageBytes: number;
}

/** What the subscription endpoint needs: the same parts the HTTP front uses, so both judge callers alike. */
export interface SubscriptionServerDeps {
  httpServer: Server;
  /** The gateway's API schema (the supergraph's, without federation's internals). */
  schema: GraphQLSchema;
  policy: FieldPolicy;
  hub: OrderEventHub;
  authenticator: Authenticator;
  lockout: Lockout;
  rateLimits: RateLimits;
  auditWriter: AuditWriter;
  clientAddress: ClientAddress;
  trustedDocuments: { mode: TrustedDocumentsMode; store: TrustedDocumentStore } | null;
  documentLimits: { parseOptions: ParseOptions; validationRules: readonly ValidationRule[] };
  limits: SubscriptionLimits;
  logger: Logger;
  metrics?: GatewayMetrics;
}

/** A running subscription endpoint. */
export interface SubscriptionServer {
  /** Subscriptions attached now, across connections. */
  readonly active: number;
  /** Closes every connection (1001) and stops accepting upgrades. */
  close(): Promise<void>;
}

/** One subscription, for bookkeeping. */
interface ActiveSubscription {
  stream: DeliveryStream;
  detach: () => void;
}

/** What the endpoint knows of one connection. */
interface Connection {
  socket: WebSocket;
  ip: string | undefined;
  userAgent: string | undefined;
  subscriber?: Subscriber;
  subscriptions: Map<string, ActiveSubscription>;
  idleTimer?: NodeJS.Timeout;
  expiryTimer?: NodeJS.Timeout;
  closed: boolean;
}

/** setTimeout's largest delay; a token valid for longer is re-checked at that point. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A connection parameter as text, when it is one. */
function param(params: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  const value = params?.[name] ?? params?.[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

function coded(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * `Subscription.protectiveOrderEvents` over the graphql-ws protocol, on the gateway's own HTTP
 * server at `/graphql` (docs/design.md §2): @apollo/gateway does not execute subscriptions, so the
 * gateway serves this one field itself, from its one event feed consumer (order-event-hub.ts).
 *
 * Callers are judged as on POST /graphql, by the same parts: the lockout, the authenticator, the
 * rate limits, the trusted-documents policy, the document limits, the purpose check and the
 * `@access` declarations; and each event is checked again, and audited, before it is sent.
 */
export function startSubscriptionServer(deps: SubscriptionServerDeps): SubscriptionServer {
  const { logger, metrics, limits } = deps;
  const connections = new Map<Context<Record<string, unknown>, Extra>, Connection>();
  const perCaller = new Map<string, number>();
  let active = 0;

  // No Origin check: a browser page on another origin can open a socket, but credentials travel
  // only in connection_init's payload (never in cookies), so a hostile page cannot act as the
  // user — the reason the HTTP side needs no Origin check either (Apollo's CSRF prevention covers
  // the cookie-less POST). maxPayload: a subscribe message is a small document and its variables.
  const wss = new WebSocketServer({ server: deps.httpServer, path: '/graphql', maxPayload: limits.maxMessageBytes, handleProtocols });

  const close = (connection: Connection, how: CloseCode) => {
    if (connection.closed) return;
    connection.closed = true;
    metrics?.subscriptionConnectionClosed(how.reason);
    connection.socket.close(how.code, how.reason);
  };

  const clearTimers = (connection: Connection) => {
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.expiryTimer);
  };

  const armIdle = (connection: Connection) => {
    clearTimeout(connection.idleTimer);
    if (connection.subscriptions.size === 0 && !connection.closed) {
      connection.idleTimer = setTimeout(() => close(connection, CloseCodes.IDLE), limits.idleTimeoutMs);
      connection.idleTimer.unref();
    }
  };

  const armExpiry = (connection: Connection) => {
    const left = connection.subscriber!.expiresAtMs - Date.now();
    connection.expiryTimer = setTimeout(
      () => {
        if (Date.now() >= connection.subscriber!.expiresAtMs) close(connection, CloseCodes.TOKEN_EXPIRED);
        else armExpiry(connection);
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    connection.expiryTimer.unref();
  };

  const facts = (connection: Connection, requestId: string, startedAt: number): RequestFacts => ({
    requestId,
    startedAt,
    ip: connection.ip,
    userAgent: connection.userAgent,
    declaredPurpose: connection.subscriber?.declared.purpose,
    declaredReason: connection.subscriber?.declared.reason,
  });

  /** Audits a refused connection_init, then closes the connection. Resolves false for graphql-ws. */
  const refuseConnection = async (
    connection: Connection,
    how: CloseCode,
    record: {
      claimedUser: string | null;
      code: string;
      outcome: 'UNAUTHENTICATED' | 'DENIED';
      declared: Subscriber['declared'];
      identity?: Subscriber['identity'];
    },
  ) => {
    const entry = buildAuditEntry(
      {
        requestId: randomUUID(),
        startedAt: Date.now(),
        ip: connection.ip,
        userAgent: connection.userAgent,
        declaredPurpose: record.declared.purpose,
        declaredReason: record.declared.reason,
      },
      { identity: record.identity, claimedUser: record.claimedUser, operationType: 'subscription', outcome: record.outcome, errorCodes: [record.code] },
    );
    await deps.auditWriter.append(entry).catch(() => undefined);
    close(connection, how);
    return false;
  };

  /** The state of a graphql-ws connection, made when its connection_init arrives. */
  const connectionFor = (ctx: Context<Record<string, unknown>, Extra>): Connection => {
    let connection = connections.get(ctx);
    if (!connection) {
      const { socket, request } = ctx.extra;
      connection = { socket, ip: deps.clientAddress(request), userAgent: headerOf(request, 'user-agent'), subscriptions: new Map(), closed: false };
      connections.set(ctx, connection);
    }
    return connection;
  };

  const onConnect = async (ctx: Context<Record<string, unknown>, Extra>): Promise<boolean> => {
    const connection = connectionFor(ctx);
    const params = ctx.connectionParams;
    const authorization = param(params, 'authorization');
    const declared = { purpose: param(params, 'x-purpose-code'), reason: param(params, 'x-reason') };
    const ip = connection.ip ?? 'unknown';
    const claimed = Lockout.claimedUser(authorization);
    if ((await deps.lockout.lockedFor(ip, claimed)) > 0) {
      metrics?.refused('lockout');
      logger.warn({ ip: connection.ip, alert: 'AUTH_LOCKOUT' }, 'subscription connection refused: locked out after failed authentication');
      return refuseConnection(connection, CloseCodes.TOO_MANY_REQUESTS, {
        claimedUser: claimed ? `unverified:${claimed}` : null,
        code: ErrorCode.RATE_LIMITED,
        outcome: 'UNAUTHENTICATED',
        declared,
      });
    }
    try {
      const identity = await deps.authenticator.authenticate(authorization);
      // The signature was verified just now; exp is required by the authenticator.
      const exp = decodeJwt(authorization!.trim().slice('Bearer '.length)).exp!;
      connection.subscriber = { identity, expiresAtMs: exp * 1000, declared };
    } catch (error) {
      const verified = verifiedSubjectOf(error);
      await deps.lockout.recordFailure(ip, verified);
      logger.warn({ ip: connection.ip, reason: (error as Error).message }, 'subscription authentication failed');
      const expired = (error as Error).message === 'Token expired';
      return refuseConnection(connection, expired ? CloseCodes.TOKEN_EXPIRED : CloseCodes.UNAUTHENTICATED, {
        claimedUser: verified ?? (claimed ? `unverified:${claimed}` : null),
        code: ErrorCode.UNAUTHENTICATED,
        outcome: 'UNAUTHENTICATED',
        declared,
      });
    }
    armExpiry(connection);
    armIdle(connection);
    return true;
  };

  /** Refuses one subscribe message: audited, then answered with its errors (the connection stays). */
  const refuseSubscribe = async (
    connection: Connection,
    requestId: string,
    startedAt: number,
    sent: SentSubscription,
    outcome: 'DENIED' | 'INVALID' | 'ERROR',
    errors: GraphQLError[],
    caller?: Caller,
  ) => {
    const entry = subscribeEntry(
      facts(connection, requestId, startedAt),
      sent,
      { identity: connection.subscriber!.identity, caller },
      { outcome, errorCodes: errors.map((e) => String(e.extensions.code)) },
    );
    await deps.auditWriter.append(entry).catch(() => undefined);
    return errors;
  };

  const onSubscribe = async (
    ctx: Context<Record<string, unknown>, Extra>,
    id: string,
    payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null; extensions?: Record<string, unknown> | null },
  ): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    const connection = connections.get(ctx)!;
    const subscriber = connection.subscriber!;
    const requestId = randomUUID();
    const startedAt = Date.now();
    const sent: SentSubscription = {
      document: typeof payload.query === 'string' ? payload.query : null,
      variables: payload.variables && typeof payload.variables === 'object' ? payload.variables : null,
      operationName: typeof payload.operationName === 'string' ? payload.operationName : null,
    };
    if (Date.now() >= subscriber.expiresAtMs) {
      close(connection, CloseCodes.TOKEN_EXPIRED);
      return [];
    }
    const limited = await deps.rateLimits.take(subscriber.identity);
    if (limited) {
      metrics?.refused(limited.limit);
      return refuseSubscribe(connection, requestId, startedAt, sent, 'DENIED', [
        coded(ErrorCode.RATE_LIMITED, `Too many requests: the ${limited.limit} rate limit is reached; retry in ${limited.retryAfterSeconds} s`),
      ]);
    }
    if (deps.trustedDocuments) {
      const verdict = judgeDocument(
        deps.trustedDocuments.mode,
        deps.trustedDocuments.store,
        subscriber.identity,
        sentDocument({ query: payload.query, extensions: payload.extensions ?? undefined }),
      );
      sent.documentId = verdict.documentId;
      if (verdict.kind === 'refuse') {
        sent.documentTrust = 'UNREGISTERED';
        return refuseSubscribe(connection, requestId, startedAt, sent, verdict.code === ErrorCode.OPERATION_NOT_TRUSTED ? 'DENIED' : 'INVALID', [
          coded(verdict.code, verdict.message),
        ]);
      }
      sent.documentTrust = verdict.trust;
      if (verdict.query !== undefined) sent.document = verdict.query;
    }
    if (sent.document === null)
      return refuseSubscribe(connection, requestId, startedAt, sent, 'INVALID', [coded(ErrorCode.BAD_REQUEST, 'A subscribe message needs a query')]);
    const read = readSubscription(deps.schema, { query: sent.document, variables: sent.variables, operationName: sent.operationName }, deps.documentLimits);
    // The name of the operation, as Apollo's audit records it, even when the client sent none.
    if (read.operationName) sent.operationName = read.operationName;
    if (!read.ok) return refuseSubscribe(connection, requestId, startedAt, sent, read.outcome === 'DENIED' ? 'DENIED' : 'INVALID', read.errors);
    const coordinates = coordinatesRead(read.operation);
    // Rights before limits: a caller who may not subscribe at all is told so, and recorded DENIED.
    const caller = judgeSubscriber(deps.policy, subscriber, coordinates, requestId);
    if (caller instanceof GraphQLError) return refuseSubscribe(connection, requestId, startedAt, sent, 'DENIED', [caller]);
    if (!deps.hub.attached) {
      return refuseSubscribe(
        connection,
        requestId,
        startedAt,
        sent,
        'ERROR',
        [coded(ErrorCode.SOURCE_UNAVAILABLE, 'The order event feed is not connected yet; subscribe again shortly')],
        caller,
      );
    }
    if (connection.subscriptions.size >= limits.perConnection) {
      return refuseSubscribe(
        connection,
        requestId,
        startedAt,
        sent,
        'DENIED',
        [coded(ErrorCode.RATE_LIMITED, `At most ${limits.perConnection} subscriptions per connection`)],
        caller,
      );
    }
    const sub = subscriber.identity.sub;
    if ((perCaller.get(sub) ?? 0) >= limits.perCaller) {
      return refuseSubscribe(
        connection,
        requestId,
        startedAt,
        sent,
        'DENIED',
        [coded(ErrorCode.RATE_LIMITED, `At most ${limits.perCaller} subscriptions per user on this gateway`)],
        caller,
      );
    }

    // Attached before the subscribe record is written: once a caller (or a test) can see that
    // record, no event published afterwards is missed.
    const subscription = attach(connection, id, caller, read.target, sent, coordinates, requestId);
    try {
      await deps.auditWriter.append(
        subscribeEntry(
          facts(connection, requestId, startedAt),
          sent,
          { identity: subscriber.identity, caller },
          { outcome: 'ALLOWED', target: read.target, fieldsResolved: coordinates },
        ),
      );
    } catch {
      void subscription.stream.return();
      return [coded(ErrorCode.AUDIT_UNAVAILABLE, 'The audit is unavailable; nothing was subscribed')];
    }
    return {
      schema: deps.schema,
      document: read.document,
      operationName: read.operationName,
      variableValues: read.variables,
      contextValue: {},
      // The schema's field has no resolver of its own: this stream is its source.
      subscribeFieldResolver: () => subscription.stream,
    };
  };

  const attach = (
    connection: Connection,
    id: string,
    caller: Caller,
    target: SubscriptionTarget,
    sent: SentSubscription,
    coordinates: string[],
    requestId: string,
  ): ActiveSubscription => {
    const subscriber = connection.subscriber!;
    const sub = subscriber.identity.sub;
    let detach = () => {};
    const stream = new DeliveryStream(
      {
        beforeDelivery: async (event: ProtectiveOrderFeedEvent) => {
          const startedAt = Date.now();
          const lost = lostRight(deps.policy, subscriber, coordinates, startedAt);
          if (lost) {
            close(connection, lost.closeCode === 4401 ? CloseCodes.TOKEN_EXPIRED : CloseCodes.FORBIDDEN);
            return false;
          }
          try {
            await deps.auditWriter.append(deliveryEntry(facts(connection, requestId, startedAt), sent, caller, target, event, coordinates));
          } catch {
            // Fail closed: an event that cannot be recorded is not sent, and the subscriber is
            // told (by the close) that it may have missed some.
            close(connection, CloseCodes.AUDIT_UNAVAILABLE);
            return false;
          }
          metrics?.subscriptionDelivered();
          return true;
        },
        onOverflow: () => {
          logger.warn({ user: sub, requestId }, 'subscription closed: slow consumer');
          close(connection, CloseCodes.SLOW_CONSUMER);
        },
        onEnd: () => {
          detach();
          if (connection.subscriptions.get(id)?.stream === stream) connection.subscriptions.delete(id);
          active--;
          const n = (perCaller.get(sub) ?? 1) - 1;
          if (n > 0) perCaller.set(sub, n);
          else perCaller.delete(sub);
          armIdle(connection);
        },
      },
      { maxQueued: limits.maxQueued, maxBufferedBytes: limits.maxBufferedBytes, bufferedBytes: () => connection.socket.bufferedAmount },
    );
    const matches =
      target.orderId !== undefined
        ? (event: ProtectiveOrderFeedEvent) => event.orderId === target.orderId
        : (event: ProtectiveOrderFeedEvent) => event.personIds.includes(target.personId);
    detach = deps.hub.listen((event) => {
      if (matches(event)) stream.push(event);
    });
    const subscription = { stream, detach };
    connection.subscriptions.set(id, subscription);
    active++;
    perCaller.set(sub, (perCaller.get(sub) ?? 0) + 1);
    clearTimeout(connection.idleTimer);
    return subscription;
  };

  /** Errors reach the caller masked, exactly as on POST (format-error.ts). */
  const masked = (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map((e) => formatError(e.toJSON()));

  const disposable = useServer<Record<string, unknown>, Record<PropertyKey, never>>(
    {
      schema: deps.schema,
      // Error text never carries internals (graphql-ws otherwise sends some in development).
      isProd: true,
      connectionInitWaitTimeout: limits.initTimeoutMs,
      onConnect,
      onSubscribe,
      onError: (_ctx, _id, _payload, errors) => masked(errors),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: masked(result.errors) } : undefined),
      onClose: (ctx) => {
        const connection = connections.get(ctx);
        connections.delete(ctx);
        if (!connection) return;
        connection.closed = true;
        clearTimers(connection);
        for (const s of [...connection.subscriptions.values()]) void s.stream.return();
      },
    },
    wss,
  );

  return {
    get active() {
      return active;
    },
    async close() {
      for (const connection of connections.values()) {
        clearTimers(connection);
        close(connection, CloseCodes.GOING_AWAY);
      }
      await disposable.dispose();
    },
  };
}
