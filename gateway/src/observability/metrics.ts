import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEntry } from '../../../access-policy/src';
import { BoundedLabel } from './bounded-label';

/** Seconds: from a fast local answer to the subgraph deadline (SUBGRAPH_TIMEOUT_MS, 5 s by default). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Records per group commit, up to AUDIT_MAX_BATCH's default of 500. */
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** Why a request was refused before it ran, for `custodian_refusals_total`: a lockout, or which rate limit. */
export type RefusalReason = 'lockout' | 'user' | 'client' | 'screening-daily-quota';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways in one test
 * process each count their own). Names follow the OpenTelemetry semantic conventions where one
 * exists (`http.server.request.duration` → `http_server_request_duration_seconds`, attributes
 * `http.request.method` → `http_request_method`, `graphql.operation.name`, …); the rest are
 * `custodian_*`. Every label is bounded: operation and client names are caller text, clipped and
 * capped (bounded-label.ts); a denial is counted by its schema coordinate, never by a response
 * path (which holds aliases); no user id is ever a label.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new BoundedLabel(200, 64);
  private readonly clients = new BoundedLabel(100, 64);

  private readonly requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests to /graphql, from arrival to the last byte sent.',
    labelNames: ['http_request_method', 'http_response_status_code', 'http_route'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly operations = new Counter({
    name: 'custodian_graphql_operations_total',
    help: 'GraphQL operations by name, type, audited outcome and client application (each one audited).',
    labelNames: ['graphql_operation_name', 'graphql_operation_type', 'outcome', 'client'],
    registers: [this.registry],
  });

  private readonly denials = new Counter({
    name: 'custodian_field_denials_total',
    help: 'Fields denied to a caller, by schema coordinate (Type.field).',
    labelNames: ['field'],
    registers: [this.registry],
  });

  private readonly refusals = new Counter({
    name: 'custodian_refusals_total',
    help: 'Requests refused before running: a lockout after failed authentication, or a rate limit or quota.',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  private readonly subgraphDuration = new Histogram({
    name: 'custodian_subgraph_fetch_duration_seconds',
    help: 'Duration of each fetch from a subgraph, by subgraph and whether it answered.',
    labelNames: ['subgraph', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly subgraphErrors = new Counter({
    name: 'custodian_subgraph_fetch_errors_total',
    help: 'Subgraph fetches that failed (unreachable, deadline passed, or an answer that is not GraphQL).',
    labelNames: ['subgraph'],
    registers: [this.registry],
  });

  private readonly auditCommitDuration = new Histogram({
    name: 'custodian_audit_commit_duration_seconds',
    help: 'Duration of each audit group commit (one transaction).',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly auditBatchSize = new Histogram({
    name: 'custodian_audit_commit_batch_size',
    help: 'Audit records per group commit.',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  private readonly auditFailures = new Counter({
    name: 'custodian_audit_write_failures_total',
    help: 'Audit records that could not be committed (their callers got no data: fail closed).',
    registers: [this.registry],
  });

  private readonly subscriptionDeliveries = new Counter({
    name: 'custodian_subscription_deliveries_total',
    help: 'Subscription events delivered (each one audited).',
    registers: [this.registry],
  });

  private readonly subscriptionCloses = new Counter({
    name: 'custodian_subscription_connections_closed_total',
    help: 'Subscription connections the gateway closed, by reason (token expired, idle, slow consumer, …).',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(options: { withProcessMetrics?: boolean } = {}) {
    // Node's own (heap, event-loop lag, GC): what an operator reads first when latency climbs.
    if (options.withProcessMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Reads the audit queue's depth when Prometheus scrapes (a gauge nobody has to keep current). */
  watchAuditQueue(depth: () => number): void {
    new Gauge({
      name: 'custodian_audit_queue_depth',
      help: 'Audit records waiting for a group commit.',
      registers: [this.registry],
      collect() {
        this.set(depth());
      },
    });
  }

  /** Reads the number of active subscriptions when Prometheus scrapes. */
  watchSubscriptions(active: () => number): void {
    new Gauge({
      name: 'custodian_subscriptions_active',
      help: 'Subscriptions attached on this gateway replica.',
      registers: [this.registry],
      collect() {
        this.set(active());
      },
    });
  }

  /** One subscription event delivered. */
  subscriptionDelivered(): void {
    this.subscriptionDeliveries.inc();
  }

  /** A subscription connection closed by the gateway; `reason` is one of close-codes.ts's fixed reasons. */
  subscriptionConnectionClosed(reason: string): void {
    this.subscriptionCloses.inc({ reason });
  }

  /** One HTTP request to /graphql answered. */
  requestAnswered(method: string, statusCode: number, seconds: number): void {
    const m = method.toUpperCase();
    // Only the methods the endpoint serves: any other verb a caller invents is one series, not many.
    this.requestDuration.observe(
      { http_request_method: m === 'GET' || m === 'POST' ? m : '_OTHER', http_response_status_code: String(statusCode), http_route: '/graphql' },
      seconds,
    );
  }

  /** One request audited (every request is: the audit writer calls this), by operation name, outcome and client. */
  operationAudited(entry: AuditEntry): void {
    // A name counts only once Apollo matched it to an operation in the document; a refusal before
    // that carries whatever an unauthenticated sender typed, so it is not worth a series.
    const name = entry.operationType ? this.operationNames.valueOf(entry.operationName, 'anonymous') : 'none';
    this.operations.inc({
      graphql_operation_name: name,
      graphql_operation_type: entry.operationType ?? 'none',
      outcome: entry.outcome,
      client: entry.scopes.length > 0 ? this.clients.valueOf(entry.client, 'unnamed') : 'none',
    });
  }

  /** Fields denied in one response, by schema coordinate. */
  fieldsDenied(coordinates: readonly string[]): void {
    for (const field of coordinates) this.denials.inc({ field });
  }

  /** A request refused before it ran. */
  refused(reason: RefusalReason): void {
    this.refusals.inc({ reason });
  }

  /** One subgraph fetch done. */
  subgraphFetched(subgraph: string, seconds: number, failed: boolean): void {
    this.subgraphDuration.observe({ subgraph, outcome: failed ? 'error' : 'ok' }, seconds);
    if (failed) this.subgraphErrors.inc({ subgraph });
  }

  /** One audit group commit done. */
  auditCommitted(seconds: number, records: number): void {
    this.auditCommitDuration.observe(seconds);
    this.auditBatchSize.observe(records);
  }

  /** Audit records refused by the store (their responses withheld). */
  auditFailed(records: number): void {
    this.auditFailures.inc(records);
  }

  /** The Prometheus text exposition and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
