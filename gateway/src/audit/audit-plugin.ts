import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '../../../access-policy/src';
import { errorBody, type Logger } from '../../../platform/src';
import type { GatewayContext } from '../context';
import { coordinateOfPath } from '../observability/denied-coordinates';
import type { GatewayMetrics } from '../observability/metrics';
import { activeTraceId, inSpan } from '../observability/tracing';
import { buildAuditEntry } from './audit-entry';
import { classifyOutcome, codeOf, deniedPaths } from './audit-outcome';
import type { AuditWriter } from './audit-writer';
import { subjectsInResponse } from './response-subjects';

/**
 * Writes one audit record per operation and holds the response until it is committed. If the
 * record cannot be committed the response is replaced by an AUDIT_UNAVAILABLE error with no data
 * (fail closed, CJIS AU-5). Request-level hooks only: a gateway runs a query plan, so
 * `willResolveField` never fires here; what the subgraphs resolved arrives in their reports.
 */
export function auditPlugin(writer: AuditWriter, logger: Logger, metrics?: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        // Fires last, with the response about to be serialised: every outcome passes here.
        async willSendResponse({ response, contextValue, request, operation, document, schema }) {
          const ctx = contextValue;
          if (response.body.kind !== 'single') {
            // Incremental delivery is not offered; refuse rather than stream unaudited parts.
            response.body = { kind: 'single', singleResult: errorBody('Incremental delivery is not supported', ErrorCode.BAD_REQUEST) };
          }
          const result = response.body.kind === 'single' ? response.body.singleResult : { data: null, errors: [] };
          const data = result.data;
          const errors = result.errors;
          if (metrics && operation && document) {
            const denied = (errors ?? [])
              .filter((e) => codeOf(e) === 'FORBIDDEN' && e.path)
              .map((e) => coordinateOfPath(schema, document, operation, e.path!) ?? 'unknown');
            if (denied.length) metrics.fieldsDenied(denied);
          }
          const subjects = new Set<string>();
          if (data) {
            for (const s of ctx.disclosure.subjects) subjects.add(s);
            if (operation && document) for (const s of subjectsInResponse(schema, document, operation, data)) subjects.add(s);
          }
          const entry = buildAuditEntry(
            {
              requestId: ctx.requestId,
              startedAt: ctx.http.startedAt,
              ip: ctx.http.ip,
              userAgent: ctx.http.userAgent,
              declaredPurpose: ctx.declared.purpose,
              declaredReason: ctx.declared.reason,
              traceId: activeTraceId(),
            },
            {
              identity: ctx.identity,
              caller: ctx.caller,
              document: request.query ?? null,
              variables: request.variables ?? null,
              documentId: ctx.trustedDocument.documentId,
              documentTrust: ctx.trustedDocument.trust,
              namedDocumentHash: (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash,
              operationType: operation?.operation ?? null,
              operationName: operation?.name?.value ?? request.operationName ?? null,
              outcome: classifyOutcome(data, errors),
              deniedPaths: deniedPaths(errors),
              errorCodes: (errors ?? []).map(codeOf),
              fieldsResolved: data ? ctx.disclosure.fields : [],
              subjects,
            },
          );
          try {
            await inSpan('custodian.audit.commit', { 'custodian.request_id': ctx.requestId, 'custodian.audit.outcome': entry.outcome }, () =>
              writer.append(entry),
            );
            ctx.audit.written = true;
          } catch {
            ctx.audit.written = true;
            logger.error({ requestId: ctx.requestId, traceId: activeTraceId() }, 'response withheld: audit record not committed');
            response.body = {
              kind: 'single',
              singleResult: errorBody('The audit record could not be written, so no data was released', ErrorCode.AUDIT_UNAVAILABLE),
            };
            response.http.status = 503;
          }
        },
      };
    },
  };
}
