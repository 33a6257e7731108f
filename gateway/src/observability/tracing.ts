import type { Attributes } from '@opentelemetry/api';
import { rootServerSpan, type ScopedSpan } from '../../../platform/src/observability/tracing';

export { activeTraceId, inSpan, injectTraceContext, startTracing, type Tracing } from '../../../platform/src/observability/tracing';

/**
 * The span of one HTTP request to /graphql, and a function that runs work inside it. A new
 * trace every time: a caller's `traceparent` is not followed, so no caller chooses the trace id
 * an operator will search the logs and the audit by.
 */
export function requestSpan(attributes: Attributes): ScopedSpan {
  return rootServerSpan('POST /graphql', attributes);
}
