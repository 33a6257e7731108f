import type { ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type AuditOutcome } from '../../../access-policy/src';
import { answerWithApollo, errorBody, headerOf, jsonBodyReader, searchOf, sendJson, type Logger } from '../../../platform/src';
import { buildAuditEntry, type RequestFacts } from '../audit/audit-entry';
import type { AuditWriter } from '../audit/audit-writer';
import { createGatewayContext, type GatewayContext } from '../context';
import { verifiedSubjectOf, type Authenticator, type VerifiedIdentity } from '../identity/authenticate';
import { Lockout } from '../identity/lockout';
import type { GatewayMetrics } from '../observability/metrics';
import { requestSpan } from '../observability/tracing';
import type { ClientAddress } from './client-address';
import type { RateLimits } from './rate-limits';
import type { TrustedDocumentStore } from '../trusted-documents/trusted-document-store';
import { judgeDocument, sentDocument, type DocumentTrust, type TrustedDocumentsMode } from '../trusted-documents/trusted-documents-policy';

/** The parameters a GraphQL GET names; one of them given twice is refused (which copy runs would depend on the reader). */
const GET_PARAMETERS = ['query', 'documentId', 'extensions', 'variables', 'operationName'] as const;

/** A GET's query-string parameters, as the fields of a POST body would be (extensions parsed). */
function queryParams(req: IncomingMessage): Record<string, unknown> {
  const params = new URLSearchParams(searchOf(req.url));
  let extensions: unknown;
  try {
    extensions = params.has('extensions') ? JSON.parse(params.get('extensions')!) : undefined;
  } catch {
    extensions = undefined;
  }
  return { query: params.get('query') ?? undefined, documentId: params.get('documentId') ?? undefined, extensions };
}

/** A GET's query string with the registered text as `query`, and without the id that named it. */
function searchWithQuery(req: IncomingMessage, query: string): string {
  const params = new URLSearchParams(searchOf(req.url));
  params.delete('documentId');
  params.delete('extensions');
  params.set('query', query);
  return `?${params.toString()}`;
}

/** A POST body with the registered text as `query`, and without the id that named it. */
function bodyWithQuery(body: Record<string, unknown>, query: string): Record<string, unknown> {
  const { documentId: _id, extensions, ...rest } = body;
  const { persistedQuery: _pq, ...otherExtensions } = (extensions && typeof extensions === 'object' ? extensions : {}) as Record<string, unknown>;
  return { ...rest, query, ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}) };
}

/** What the front knows about one request while it runs. */
interface RequestState {
  requestId: string;
  /** The request's trace id, when tracing is on: in its log lines, to find the trace from the log. */
  traceId?: string;
  startedAt: number;
  /** Shared with the GraphQL context: whether the request's audit record is written. */
  audit: { written: boolean };
  ip: string | undefined;
  identity?: VerifiedIdentity;
  /** The user the bearer token claims to be, unverified: a lockout of that user is checked, never counted, on its word. */
  claimedUser?: string | null;
  /** The user a refused token is recorded under (audit-entry.ts `claimedUser`). */
  refusedUser?: string | null;
  body?: unknown;
  /** The query string Apollo reads a GET from, when a registered operation replaced what was sent. */
  search?: string;
  /** The registered operation run, or the id a refused request named (trusted documents). */
  documentId?: string;
  documentTrust?: DocumentTrust;
}

/** What the front needs. `auditWriter` null: refusals are not recorded (the bench's recording, to measure the audit). */
export interface FrontDeps {
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  lockout: Lockout;
  rateLimits: RateLimits;
  auditWriter: AuditWriter | null;
  maxBodyBytes: number;
  clientAddress: ClientAddress;
  /** Registered operations per client, and who must use them; null when trusted documents are off. */
  trustedDocuments: { mode: TrustedDocumentsMode; store: TrustedDocumentStore } | null;
  logger: Logger;
  /** Request latency and refusals; absent, nothing is counted. */
  metrics?: GatewayMetrics;
}

function facts(req: IncomingMessage, state: RequestState): RequestFacts {
  return {
    requestId: state.requestId,
    startedAt: state.startedAt,
    ip: state.ip,
    userAgent: headerOf(req, 'user-agent'),
    declaredPurpose: headerOf(req, 'x-purpose-code'),
    declaredReason: headerOf(req, 'x-reason'),
    traceId: state.traceId,
  };
}

function documentOf(req: IncomingMessage, state: RequestState): string | null {
  const body = state.body as { query?: unknown } | undefined;
  if (typeof body?.query === 'string') return body.query;
  return new URLSearchParams(searchOf(req.url)).get('query');
}

/** The variables and operation name a request sent, from its body or its query string: evidence for a refusal's record. */
function sentOperation(req: IncomingMessage, state: RequestState): { variables: Record<string, unknown> | null; operationName: string | null } {
  let sent = state.body as { variables?: unknown; operationName?: unknown } | undefined;
  if (sent === undefined) {
    const params = new URLSearchParams(searchOf(req.url));
    let variables: unknown;
    try {
      variables = params.has('variables') ? JSON.parse(params.get('variables')!) : null;
    } catch {
      variables = { unparsed: params.get('variables') };
    }
    sent = { variables, operationName: params.get('operationName') ?? undefined };
  }
  const { variables, operationName } = sent && typeof sent === 'object' ? sent : { variables: null, operationName: null };
  return {
    variables: variables && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : null,
    operationName: typeof operationName === 'string' ? operationName : null,
  };
}

/**
 * `/graphql`, in order: request id and audit bookkeeping; lockout; authentication; rate limits;
 * body parsing; then Apollo. Every refusal here answers a GraphQL-shaped error with no data, and
 * is audited before it is sent.
 *
 * On node:http rather than as express middleware: every operation passes here, and express's
 * router and request/response helpers were a measurable share of the gateway's work per request.
 * body-parser still reads the body, and the client address follows TRUST_PROXY as express did
 * (proxy-addr).
 */
export function graphqlFront(deps: FrontDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, authenticator, lockout, rateLimits, auditWriter, logger, metrics } = deps;
  const readJson = jsonBodyReader(deps.maxBodyBytes);

  /** Audits a refusal made before Apollo, then sends it. */
  const refuse = async (
    req: IncomingMessage,
    res: ServerResponse,
    state: RequestState,
    refusal: { status: number; outcome: AuditOutcome; code: string; message: string; headers?: Record<string, string> },
  ) => {
    state.audit.written = true;
    if (auditWriter) {
      const claimedUser = state.refusedUser ?? (state.claimedUser ? `unverified:${state.claimedUser}` : null);
      const entry = buildAuditEntry(facts(req, state), {
        identity: state.identity,
        claimedUser,
        document: documentOf(req, state),
        ...sentOperation(req, state),
        namedDocumentHash: state.documentId,
        documentId: state.documentId,
        documentTrust: state.documentTrust,
        outcome: refusal.outcome,
        errorCodes: [refusal.code],
      });
      await auditWriter.append(entry).catch(() => undefined);
    }
    for (const [k, v] of Object.entries(refusal.headers ?? {})) res.setHeader(k, v);
    sendJson(res, refusal.status, errorBody(refusal.message, refusal.code));
  };

  // Every request gets an id and exactly one audit record: Apollo's plugin writes it for the
  // operations Apollo runs, `refuse` for the refusals below, and this last-resort hook for
  // requests Apollo itself turns away before its plugins run (CSRF, batching, malformed bodies).
  // Those carry no data, so their record may follow the response.
  const begin = (req: IncomingMessage, res: ServerResponse): RequestState => {
    const state: RequestState = { requestId: randomUUID(), startedAt: Date.now(), audit: { written: false }, ip: deps.clientAddress(req) };
    res.setHeader('x-request-id', state.requestId);
    // Answers hold criminal-justice records: no browser, proxy or CDN may keep a copy.
    res.setHeader('cache-control', 'no-store');
    if (metrics) res.on('finish', () => metrics.requestAnswered(req.method ?? 'GET', res.statusCode, (Date.now() - state.startedAt) / 1000));
    if (auditWriter) {
      res.on('finish', () => {
        if (state.audit.written) return;
        state.audit.written = true;
        const code = res.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : res.statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
        const entry = buildAuditEntry(facts(req, state), {
          identity: state.identity,
          document: documentOf(req, state),
          ...sentOperation(req, state),
          outcome: res.statusCode < 500 ? 'INVALID' : 'ERROR',
          errorCodes: [code],
        });
        auditWriter.append(entry).catch(() => undefined);
      });
    }
    return state;
  };

  /** Resolves true when the request may go on; otherwise it has been answered. */
  const admit = async (req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<boolean> => {
    const ip = state.ip ?? 'unknown';
    const claimed = (state.claimedUser = Lockout.claimedUser(headerOf(req, 'authorization')));
    const lockedSeconds = await lockout.lockedFor(ip, claimed);
    if (lockedSeconds > 0) {
      logger.warn(
        { requestId: state.requestId, traceId: state.traceId, ip: state.ip, alert: 'AUTH_LOCKOUT' },
        'request refused: locked out after failed authentication',
      );
      metrics?.refused('lockout');
      await refuse(req, res, state, {
        status: 429,
        outcome: 'UNAUTHENTICATED',
        code: ErrorCode.RATE_LIMITED,
        message: `Too many failed authentication attempts; try again in ${Math.ceil(lockedSeconds / 60)} minute(s)`,
        headers: { 'retry-after': String(lockedSeconds) },
      });
      return false;
    }
    try {
      state.identity = await authenticator.authenticate(headerOf(req, 'authorization'));
    } catch (error) {
      const message = (error as Error).message;
      // Only a genuinely signed token counts against the user it names: anyone can write a `sub`.
      const verifiedSubject = verifiedSubjectOf(error);
      if (verifiedSubject) state.refusedUser = verifiedSubject;
      await lockout.recordFailure(ip, verifiedSubject);
      logger.warn({ requestId: state.requestId, traceId: state.traceId, ip: state.ip, reason: message }, 'authentication failed');
      await refuse(req, res, state, {
        status: 401,
        outcome: 'UNAUTHENTICATED',
        code: ErrorCode.UNAUTHENTICATED,
        message,
        headers: { 'www-authenticate': 'Bearer realm="custodian"' },
      });
      return false;
    }
    const limited = await rateLimits.take(state.identity);
    if (limited) {
      logger.warn({ requestId: state.requestId, traceId: state.traceId, user: state.identity.sub, limit: limited.limit }, 'rate limit reached');
      metrics?.refused(limited.limit);
      const what =
        limited.limit === 'screening-daily-quota' ? 'the daily quota of this background-check client is spent' : `the ${limited.limit} rate limit is reached`;
      await refuse(req, res, state, {
        status: 429,
        outcome: 'DENIED',
        code: ErrorCode.RATE_LIMITED,
        message: `Too many requests: ${what}; retry in ${limited.retryAfterSeconds} s`,
        headers: { 'retry-after': String(limited.retryAfterSeconds) },
      });
      return false;
    }
    return true;
  };

  /** Reads the body; answers bad JSON and oversized bodies as GraphQL errors, never an HTML page. */
  const readBody = async (req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<boolean> => {
    const read = await readJson(req, res);
    if (read.ok) {
      state.body = read.body;
      return true;
    }
    const message =
      read.status === 413
        ? `Request body is larger than ${deps.maxBodyBytes} bytes`
        : read.status < 500
          ? 'Request body is not valid JSON'
          : 'Internal server error';
    sendJson(res, read.status, errorBody(message, read.status < 500 ? ErrorCode.BAD_REQUEST : 'INTERNAL_SERVER_ERROR'));
    return false;
  };

  /**
   * Trusted documents: resolves a registered operation sent by id to its text, and refuses what
   * this caller may not run (trusted-documents-policy.ts) before anything is parsed or planned.
   * Resolves true when the request may go on; otherwise it has been answered.
   */
  const trust = async (req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<boolean> => {
    if (!deps.trustedDocuments) return true;
    const isGet = (req.method ?? 'GET').toUpperCase() === 'GET';
    if (isGet) {
      const search = new URLSearchParams(searchOf(req.url));
      const twice = GET_PARAMETERS.find((name) => search.getAll(name).length > 1);
      if (twice) {
        await refuse(req, res, state, {
          status: 400,
          outcome: 'INVALID',
          code: ErrorCode.BAD_REQUEST,
          message: `The parameter ${twice} is given more than once`,
        });
        return false;
      }
    }
    const params = isGet ? queryParams(req) : state.body;
    if (!params || typeof params !== 'object' || Array.isArray(params)) return true;
    const verdict = judgeDocument(deps.trustedDocuments.mode, deps.trustedDocuments.store, state.identity!, sentDocument(params));
    if (verdict.kind === 'refuse') {
      state.documentId = verdict.documentId;
      state.documentTrust = 'UNREGISTERED';
      await refuse(req, res, state, {
        status: verdict.status,
        outcome: verdict.code === ErrorCode.OPERATION_NOT_TRUSTED ? 'DENIED' : 'INVALID',
        code: verdict.code,
        message: verdict.message,
      });
      return false;
    }
    state.documentId = verdict.documentId;
    state.documentTrust = verdict.trust;
    if (verdict.documentId !== undefined) {
      // Run the registered text; what named it (an id Apollo would take for an APQ) is consumed here.
      if (isGet) state.search = searchWithQuery(req, verdict.query!);
      else state.body = bodyWithQuery(state.body as Record<string, unknown>, verdict.query!);
    }
    return true;
  };

  const execute = (req: IncomingMessage, res: ServerResponse, state: RequestState) =>
    answerWithApollo(
      apollo,
      req,
      res,
      state.body,
      async () =>
        createGatewayContext(
          state.requestId,
          state.identity!,
          { purpose: headerOf(req, 'x-purpose-code'), reason: headerOf(req, 'x-reason') },
          { ip: state.ip, userAgent: headerOf(req, 'user-agent'), startedAt: state.startedAt },
          state.audit,
          { documentId: state.documentId, trust: state.documentTrust },
        ),
      state.search,
    );

  return (req, res) => {
    const state = begin(req, res);
    const traced = requestSpan({ 'http.request.method': req.method ?? 'GET', 'url.path': '/graphql', 'custodian.request_id': state.requestId });
    if (traced.span.isRecording()) state.traceId = traced.span.spanContext().traceId;
    res.once('close', () => {
      traced.span.setAttribute('http.response.status_code', res.statusCode);
      traced.span.end();
    });
    const serve = async () => {
      if (!(await admit(req, res, state))) return;
      if (!(await readBody(req, res, state))) return;
      if (!(await trust(req, res, state))) return;
      await execute(req, res, state);
    };
    traced.run(serve).catch((error: Error) => {
      // Last resort: an opaque GraphQL error, never a page with a stack trace.
      logger.error({ requestId: state.requestId, traceId: state.traceId, reason: error?.message }, 'unhandled error');
      if (!res.headersSent) sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
      else res.destroy();
    });
  };
}
