import autocannon from 'autocannon';
import type { BenchRequest, Workload } from './workloads';

/** What one load run measured. */
export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  graphqlErrors: number;
  /** The first GraphQL error answered in the run, for diagnosis. */
  firstError: string | null;
  durationMs: number;
}

/** A configuration's endpoint and how to authenticate each persona on it. */
export interface Target {
  url: string;
  headersFor(persona: BenchRequest['persona']): Record<string, string>;
}

/** Orders each connection may modify (workload 4), one per connection, with their versions. */
export interface OrderPool {
  ids: string[];
  versions: Map<string, number>;
}

let sequence = 0;

/** The nearest-rank percentile of sorted values (NaN when there are none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Runs one workload against one target with autocannon: fixed concurrency, or a fixed overall
 * rate. Every request carries a unique header (`x-bench-seq`) so no layer can merge duplicates.
 */
export async function runLoad(
  workload: Workload,
  target: Target,
  options: { connections: number; durationSeconds: number; overallRate?: number; orders?: OrderPool },
): Promise<LoadResult> {
  let graphqlErrors = 0;
  let firstError: string | null = null;
  let connectionNo = 0;
  const requests = workload.requests.map((r) => ({
    method: 'POST' as const,
    setupRequest: (req: autocannon.Request, ctx: object) => {
      const context = ctx as Record<string, unknown>;
      if (context.connection === undefined) context.connection = connectionNo++;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-bench-seq': String(++sequence),
        'x-bench-workload': String(workload.id),
        ...target.headersFor(r.persona),
      };
      if (r.purpose) headers['x-purpose-code'] = r.purpose;
      if (r.reason) headers['x-reason'] = r.reason;
      let body = r.body;
      if (r.modifiesOrder && options.orders) {
        const id = options.orders.ids[(context.connection as number) % options.orders.ids.length];
        const v = options.orders.versions.get(id)!;
        context.order = id;
        body = { ...body, variables: { id, v, yards: v % 2 === 0 ? 100 : 101 } };
      }
      return { ...req, headers, body: JSON.stringify(body) };
    },
    onResponse: (_status: number, body: string, ctx: object) => {
      const context = ctx as Record<string, unknown>;
      if (body.includes('"errors"')) {
        graphqlErrors++;
        firstError ??= body.slice(0, 300);
      }
      if (r.modifiesOrder && options.orders && context.order) {
        // The new version, or on CONFLICT the current one the error names (autocannon may rebuild
        // a connection's next request before the previous answer is in).
        const version = /"version":(\d+)/.exec(body)?.[1] ?? /it is at version (\d+)/.exec(body)?.[1];
        if (version) options.orders.versions.set(context.order as string, Number(version));
      }
    },
  }));
  const started = Date.now();
  // Latency from each answer's own timing: autocannon's histogram keeps whole milliseconds, too
  // coarse for a 2 ms request (and in rate mode it adds corrected samples of its own).
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: target.url, connections: options.connections, duration: options.durationSeconds, overallRate: options.overallRate, requests },
      (error: unknown, done) => (error ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error })) : resolve(done)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors,
    firstError,
    durationMs: Date.now() - started,
  };
}
