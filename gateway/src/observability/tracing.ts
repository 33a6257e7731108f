import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The gateway's tracer. Until `startTracing` registers a provider it is OpenTelemetry's no-op: spans cost nothing. */
const tracer = trace.getTracer('custodian-gateway');

/** Tracing while it runs. */
export interface Tracing {
  /** Exports what is buffered, then stops (the process is draining). */
  shutdown(): Promise<void>;
}

/**
 * Turns tracing on for this process when an OTLP endpoint is configured: spans batched to
 * `endpoint` (OTLP over HTTP, JSON), W3C trace context on every subgraph call, and the async
 * context that lets @apollo/gateway's own spans (gateway.request, gateway.plan, gateway.fetch…)
 * nest under the request's. Off otherwise: no provider, no header, nothing leaves the process.
 *
 * Spans carry operation names, subgraph names and outcomes, never variables or record data:
 * @apollo/gateway leaves the document out unless asked, and this gateway never asks.
 */
export async function startTracing(options: { endpoint: string | null; serviceName: string }, exporter?: SpanExporter): Promise<Tracing> {
  if (!options.endpoint) return { shutdown: async () => undefined };
  // Loaded only when tracing is on: the SDK and exporter took 0.5 s of every gateway start (measured
  // under load), and the API alone, which @apollo/gateway loads anyway, is a no-op without them.
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    // `exporter`: tests only (the OTLP exporter loads node:http by dynamic import, which jest's VM refuses).
    spanProcessors: [new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url: options.endpoint }))],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        // A later gateway in the same process (tests) may register its own.
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

/**
 * The span of one HTTP request to /graphql, and a function that runs work inside it. A new
 * trace every time: a caller's `traceparent` is not followed, so no caller chooses the trace id
 * an operator will search the logs by.
 */
export function requestSpan(attributes: Attributes): { span: Span; run<T>(fn: () => T): T } {
  const span = tracer.startSpan('POST /graphql', { kind: SpanKind.SERVER, attributes, root: true });
  const active = trace.setSpan(context.active(), span);
  return { span, run: (fn) => context.with(active, fn) };
}

/** Runs `fn` in a child span of the active one, ending it (and marking a throw as an error) when `fn` settles. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds the active trace context (`traceparent`) to a subgraph call's headers; nothing when tracing is off. */
export function injectTraceContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** The active trace id, for a log line; undefined when tracing is off. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}
