import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * The process's tracer. Until `startTracing` registers a provider it is OpenTelemetry's no-op:
 * spans cost nothing. One name for every service: the resource's `service.name` tells them apart.
 */
const tracer = trace.getTracer('custodian');

/** Whether this process exports spans (decorators that would only add cost otherwise check it). */
let tracingOn = false;

/** Tracing while it runs. */
export interface Tracing {
  /** Exports what is buffered, then stops (the process is draining). */
  shutdown(): Promise<void>;
}

/** Where spans go: an OTLP/HTTP endpoint, or none (tracing off). */
export interface TracingOptions {
  endpoint: string | null;
  serviceName: string;
}

/**
 * Turns tracing on for this process when an OTLP endpoint is configured: spans batched to
 * `endpoint` (OTLP over HTTP, JSON), W3C trace context propagation, and the async context that
 * lets spans nest across awaits (@apollo/gateway's own spans under the gateway's request span, a
 * subgraph's statements under its request). Off otherwise: no provider, nothing leaves the process.
 *
 * Spans carry operation names, subgraph names, tables and outcomes, never variables or record
 * data (docs/design.md §7).
 */
export async function startTracing(options: TracingOptions, exporter?: SpanExporter): Promise<Tracing> {
  if (!options.endpoint) return { shutdown: async () => undefined };
  // Loaded only when tracing is on: the SDK and exporter took 0.5 s of every start (measured
  // under load), and the API alone, which @apollo/gateway loads anyway, is a no-op without them.
  const [
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { BasicTracerProvider, BatchSpanProcessor },
  ] = await Promise.all([
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
  tracingOn = true;
  return {
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        tracingOn = false;
        // A later service in the same process (tests) may register its own.
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

/** True while this process exports spans. */
export function tracingEnabled(): boolean {
  return tracingOn;
}

/** A span and a function that runs work inside it (the span stays open: the caller ends it). */
export interface ScopedSpan {
  span: Span;
  run<T>(fn: () => T): T;
}

/**
 * A new trace, ignoring any `traceparent` the request carried: for a public entry point, where no
 * caller may choose the trace id an operator will search the logs by.
 */
export function rootServerSpan(name: string, attributes: Attributes): ScopedSpan {
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, root: true });
  const active = trace.setSpan(context.active(), span);
  return { span, run: (fn) => context.with(active, fn) };
}

/**
 * A server span continuing the trace named by the carrier's W3C headers (`traceparent`): for an
 * internal service, once the call is known to come from the gateway (its internal token verified).
 */
export function continuedServerSpan(name: string, carrier: Record<string, string | string[] | undefined>, attributes: Attributes): ScopedSpan {
  const parent = propagation.extract(context.active(), carrier);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  const active = trace.setSpan(parent, span);
  return { span, run: (fn) => context.with(active, fn) };
}

/** Runs `fn` in a child span of the active one, ending it (and marking a throw as an error) when `fn` settles. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
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

/** Adds the active trace context (`traceparent`) to an outgoing call's headers; nothing when tracing is off. */
export function injectTraceContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** The active trace id, for a log line or an audit record; undefined when tracing is off. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}
