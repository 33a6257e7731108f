import express from 'express';
import { randomUUID } from 'node:crypto';
import { ErrorCode, type AuditOutcome } from '../../../access-policy/src';
import type { Logger } from '../../../platform/src';
import { buildAuditEntry, type RequestFacts } from '../audit/audit-entry';
import type { AuditWriter } from '../audit/audit-writer';
import type { Authenticator, VerifiedIdentity } from '../identity/authenticate';
import { Lockout } from '../identity/lockout';
import type { RateLimits } from './rate-limits';

/** Per-request state the front keeps in `res.locals`. */
export interface FrontLocals {
  requestId: string;
  startedAt: number;
  /** Shared with the GraphQL context: whether the request's audit record is written. */
  audit: { written: boolean };
  identity?: VerifiedIdentity;
  /** The user the bearer token claims to be, unverified (lockouts count failures against it). */
  claimedUser?: string | null;
}

/** What the front needs. `auditWriter` null: the bench's audit-off build. */
export interface FrontDeps {
  authenticator: Authenticator;
  lockout: Lockout;
  rateLimits: RateLimits;
  auditWriter: AuditWriter | null;
  maxBodyBytes: number;
  logger: Logger;
}

const locals = (res: express.Response) => res.locals as FrontLocals;

function facts(req: express.Request, res: express.Response): RequestFacts {
  return {
    requestId: locals(res).requestId,
    startedAt: locals(res).startedAt,
    ip: req.ip,
    userAgent: req.get('user-agent'),
    declaredPurpose: req.get('x-purpose-code'),
    declaredReason: req.get('x-reason'),
  };
}

function documentOf(req: express.Request): string | null {
  const body = req.body as { query?: unknown } | undefined;
  if (typeof body?.query === 'string') return body.query;
  return typeof req.query.query === 'string' ? req.query.query : null;
}

/**
 * The HTTP steps in front of Apollo for `/graphql`, in order: request id and audit bookkeeping;
 * lockout; authentication; rate limits; body parsing. Every refusal here answers a GraphQL-shaped
 * error with no data, and is audited before it is sent.
 */
export function graphqlFront(deps: FrontDeps): express.RequestHandler[] {
  const { authenticator, lockout, rateLimits, auditWriter, logger } = deps;

  /** Audits a refusal made before Apollo, then sends it. */
  const refuse = async (
    req: express.Request,
    res: express.Response,
    status: number,
    outcome: AuditOutcome,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    locals(res).audit.written = true;
    if (auditWriter) {
      const entry = buildAuditEntry(facts(req, res), { identity: locals(res).identity, document: documentOf(req), outcome, errorCodes: [code] });
      await auditWriter.append(entry).catch(() => undefined);
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };

  // Every request gets an id and exactly one audit record: Apollo's plugin writes it for the
  // operations Apollo runs, `refuse` for the refusals below, and this last-resort hook for
  // requests Apollo itself turns away before its plugins run (CSRF, batching, malformed bodies).
  // Those carry no data, so their record may follow the response.
  const beginRequest: express.RequestHandler = (req, res, next) => {
    const state: FrontLocals = { requestId: randomUUID(), startedAt: Date.now(), audit: { written: false } };
    Object.assign(res.locals, state);
    res.setHeader('x-request-id', state.requestId);
    // Answers hold criminal-justice records: no browser, proxy or CDN may keep a copy.
    res.setHeader('cache-control', 'no-store');
    if (auditWriter) {
      res.on('finish', () => {
        if (state.audit.written) return;
        state.audit.written = true;
        const body = (req.body ?? {}) as { variables?: unknown; operationName?: unknown };
        const code = res.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : res.statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
        const entry = buildAuditEntry(facts(req, res), {
          identity: locals(res).identity,
          document: documentOf(req),
          variables: body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : null,
          operationName: typeof body.operationName === 'string' ? body.operationName : null,
          outcome: res.statusCode < 500 ? 'INVALID' : 'ERROR',
          errorCodes: [code],
        });
        auditWriter.append(entry).catch(() => undefined);
      });
    }
    next();
  };

  const checkLockout: express.RequestHandler = async (req, res, next) => {
    const claimed = (locals(res).claimedUser = Lockout.claimedUser(req.get('authorization')));
    const seconds = await lockout.lockedFor(req.ip ?? 'unknown', claimed);
    if (seconds === 0) return next();
    logger.warn({ requestId: locals(res).requestId, ip: req.ip, alert: 'AUTH_LOCKOUT' }, 'request refused: locked out after failed authentication');
    await refuse(req, res, 429, 'UNAUTHENTICATED', ErrorCode.RATE_LIMITED, `Too many failed authentication attempts; try again in ${Math.ceil(seconds / 60)} minute(s)`, {
      'retry-after': String(seconds),
    });
  };

  const authenticate: express.RequestHandler = async (req, res, next) => {
    try {
      locals(res).identity = await authenticator.authenticate(req.get('authorization'));
      return next();
    } catch (error) {
      const message = (error as Error).message;
      await lockout.recordFailure(req.ip ?? 'unknown', locals(res).claimedUser ?? null);
      logger.warn({ requestId: locals(res).requestId, ip: req.ip, reason: message }, 'authentication failed');
      await refuse(req, res, 401, 'UNAUTHENTICATED', ErrorCode.UNAUTHENTICATED, message, { 'www-authenticate': 'Bearer realm="custodian"' });
    }
  };

  const rateLimit: express.RequestHandler = async (req, res, next) => {
    const refusal = await rateLimits.take(locals(res).identity!);
    if (!refusal) return next();
    logger.warn({ requestId: locals(res).requestId, user: locals(res).identity?.sub, limit: refusal.limit }, 'rate limit reached');
    const what = refusal.limit === 'screening-daily-quota' ? 'the daily quota of this background-check client is spent' : `the ${refusal.limit} rate limit is reached`;
    await refuse(req, res, 429, 'DENIED', ErrorCode.RATE_LIMITED, `Too many requests: ${what}; retry in ${refusal.retryAfterSeconds} s`, { 'retry-after': String(refusal.retryAfterSeconds) });
  };

  // Body errors (bad JSON, too large) answered as GraphQL errors, not Express's HTML page.
  const bodyErrors: express.ErrorRequestHandler = (error, _req, res, next) => {
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (status >= 500) return next(error);
    const message = status === 413 ? `Request body is larger than ${deps.maxBodyBytes} bytes` : 'Request body is not valid JSON';
    res.status(status).json({ errors: [{ message, extensions: { code: ErrorCode.BAD_REQUEST } }] });
  };

  return [beginRequest, checkLockout, authenticate, rateLimit, express.json({ limit: deps.maxBodyBytes }), bodyErrors as unknown as express.RequestHandler];
}
