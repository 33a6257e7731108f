import type { ApolloServer, BaseContext } from '@apollo/server';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { answerWithApollo } from '../apollo-over-node-http';
import { errorBody, jsonBodyReader, sendJson } from '../http-json';

/** What the HTTP front of a subgraph needs from the rest of it. */
export interface SubgraphHttpRoutes<Context extends BaseContext> {
  apollo: ApolloServer<Context>;
  maxBodyBytes: number;
  /**
   * Runs before the body is read: resolves to the context for the call, or answers the call
   * itself (a refusal) and resolves to null.
   */
  admit(req: IncomingMessage, res: ServerResponse): Promise<Context | null>;
  /** Resolves when the store answers, rejects when it does not (for /health/ready). */
  ping(): Promise<void>;
  serviceName: string;
  /** Runs an admitted call's work (reading, executing, answering) inside the call's span; tracing off: just runs it. */
  traced?(req: IncomingMessage, res: ServerResponse, work: () => Promise<void>): Promise<void>;
  /** Further routes by path (a subgraph's internal routes), each admitting its own callers. */
  routes?: ReadonlyMap<string, RequestListener>;
}

/**
 * The HTTP front of a subgraph on node:http alone: three routes do not need a router, and the
 * gateway calls `/graphql` at every step of every plan, so each layer here is paid on every
 * fetch (express's router and response helpers were a fifth of a subgraph's CPU on the bench).
 */
export function subgraphHttpHandler<Context extends BaseContext>(routes: SubgraphHttpRoutes<Context>): RequestListener {
  const readJson = jsonBodyReader(routes.maxBodyBytes);

  const graphql = async (req: IncomingMessage, res: ServerResponse) => {
    const context = await routes.admit(req, res);
    if (!context) return;
    // Only an admitted call's trace is followed: nobody else names the trace its spans join.
    if (routes.traced) await routes.traced(req, res, () => answer(req, res, context));
    else await answer(req, res, context);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, context: Context) => {
    const read = await readJson(req, res);
    if (!read.ok) {
      // Never echo the body or the parser's message: a status and a fixed sentence.
      if (read.status === 413) sendJson(res, 413, errorBody('Request body too large', 'PAYLOAD_TOO_LARGE'));
      else sendJson(res, 400, errorBody('Malformed JSON body', 'BAD_REQUEST'));
      return;
    }
    await answerWithApollo(routes.apollo, req, res, read.body, async () => context);
  };

  const ready = async (res: ServerResponse) => {
    const body = { service: routes.serviceName };
    try {
      await routes.ping();
      sendJson(res, 200, { status: 'ready', ...body });
    } catch {
      sendJson(res, 503, { status: 'unavailable', ...body, store: 'unreachable' });
    }
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/graphql') {
      graphql(req, res).catch(() => {
        // Apollo answers GraphQL errors itself; this is a broken socket or worse.
        if (!res.headersSent) sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
        else res.destroy();
      });
    } else if (req.method === 'GET' && path === '/health/live') {
      sendJson(res, 200, { status: 'live', service: routes.serviceName });
    } else if (req.method === 'GET' && path === '/health/ready') {
      void ready(res);
    } else if (routes.routes?.has(path)) {
      routes.routes.get(path)!(req, res);
    } else {
      sendJson(res, 404, errorBody('Not found', 'NOT_FOUND'));
    }
  };
}
