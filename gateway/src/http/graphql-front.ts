import type { ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type AuditOutcome } from '../../../access-policy/src';
import { answerWithApollo, errorBody, headerOf, jsonBodyReader, sendJson, type Logger } from '../../../platform/src';
import { buildAuditEntry, type RequestFacts } from '../audit/audit-entry';
import type { AuditWriter } from '../audit/audit-writer';
import { createGatewayContext, type GatewayContext } from '../context';
import { verifiedSubjectOf, type Authenticator, type VerifiedIdentity } from '../identity/authenticate';
import { Lockout } from '../identity/lockout';
import type { ClientAddress } from './client-address';
import type { RateLimits } from './rate-limits';

/** What the front knows about one request while it runs. */
interface RequestState {
  requestId: string;
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
}

/** What the front needs. `auditWriter` null: the bench's audit-off build. */
export interface FrontDeps {
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  lockout: Lockout;
  rateLimits: RateLimits;
  auditWriter: AuditWriter | null;
  maxBodyBytes: number;
  clientAddress: ClientAddress;
  logger: Logger;
}

function facts(req: IncomingMessage, state: RequestState): RequestFacts {
  return {
    requestId: state.requestId,
    startedAt: state.startedAt,
    ip: state.ip,
    userAgent: headerOf(req, 'user-agent'),
    declaredPurpose: headerOf(req, 'x-purpose-code'),
    declaredReason: headerOf(req, 'x-reason'),
  };
}

function documentOf(req: IncomingMessage, state: RequestState): string | null {
  const body = state.body as { query?: unknown } | undefined;
  if (typeof body?.query === 'string') return body.query;
  const search = (req.url ?? '').split('?')[1];
  return search ? new URLSearchParams(search).get('query') : null;
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
  const { apollo, authenticator, lockout, rateLimits, auditWriter, logger } = deps;
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
      const entry = buildAuditEntry(facts(req, state), { identity: state.identity, claimedUser, document: documentOf(req, state), outcome: refusal.outcome, errorCodes: [refusal.code] });
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
    if (auditWriter) {
      res.on('finish', () => {
        if (state.audit.written) return;
        state.audit.written = true;
        const body = (state.body ?? {}) as { variables?: unknown; operationName?: unknown };
        const code = res.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : res.statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
        const entry = buildAuditEntry(facts(req, state), {
          identity: state.identity,
          document: documentOf(req, state),
          variables: body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : null,
          operationName: typeof body.operationName === 'string' ? body.operationName : null,
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
      logger.warn({ requestId: state.requestId, ip: state.ip, alert: 'AUTH_LOCKOUT' }, 'request refused: locked out after failed authentication');
      await refuse(req, res, state, {
        status: 429, outcome: 'UNAUTHENTICATED', code: ErrorCode.RATE_LIMITED,
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
      logger.warn({ requestId: state.requestId, ip: state.ip, reason: message }, 'authentication failed');
      await refuse(req, res, state, { status: 401, outcome: 'UNAUTHENTICATED', code: ErrorCode.UNAUTHENTICATED, message, headers: { 'www-authenticate': 'Bearer realm="custodian"' } });
      return false;
    }
    const limited = await rateLimits.take(state.identity);
    if (limited) {
      logger.warn({ requestId: state.requestId, user: state.identity.sub, limit: limited.limit }, 'rate limit reached');
      const what = limited.limit === 'screening-daily-quota' ? 'the daily quota of this background-check client is spent' : `the ${limited.limit} rate limit is reached`;
      await refuse(req, res, state, {
        status: 429, outcome: 'DENIED', code: ErrorCode.RATE_LIMITED,
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
      read.status === 413 ? `Request body is larger than ${deps.maxBodyBytes} bytes` : read.status < 500 ? 'Request body is not valid JSON' : 'Internal server error';
    sendJson(res, read.status, errorBody(message, read.status < 500 ? ErrorCode.BAD_REQUEST : 'INTERNAL_SERVER_ERROR'));
    return false;
  };

  const execute = (req: IncomingMessage, res: ServerResponse, state: RequestState) =>
    answerWithApollo(apollo, req, res, state.body, async () =>
      createGatewayContext(
        state.requestId,
        state.identity!,
        { purpose: headerOf(req, 'x-purpose-code'), reason: headerOf(req, 'x-reason') },
        { ip: state.ip, userAgent: headerOf(req, 'user-agent'), startedAt: state.startedAt },
        state.audit,
      ),
    );

  return (req, res) => {
    const state = begin(req, res);
    const serve = async () => {
      if (!(await admit(req, res, state))) return;
      if (!(await readBody(req, res, state))) return;
      await execute(req, res, state);
    };
    serve().catch((error: Error) => {
      // Last resort: an opaque GraphQL error, never a page with a stack trace.
      logger.error({ requestId: state.requestId, reason: error?.message }, 'unhandled error');
      if (!res.headersSent) sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
      else res.destroy();
    });
  };
}
