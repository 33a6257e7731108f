import type { ApolloServer, BaseContext } from '@apollo/server';
import bodyParser from 'body-parser';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { answerWithApollo } from '../apollo-over-node-http';
import { sendJson } from '../http-json';

/** What the HTTP front of a subgraph needs from the rest of it. */
export interface SubgraphHttpRoutes<Context extends BaseContext> {
  apollo: ApolloServer<Context>;
  maxBodyBytes: number;
  /**
   * Runs before the body is read: resolves to the context for the call, or answers the call
   * itself (a refusal) and resolves to null.
   */
  admit(req: IncomingMessage, res: ServerResponse): Promise<Context | null>;
  /** Whether the store answers (for /health/ready). */
  ready(): Promise<boolean>;
  serviceName: string;
}

const refusal = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/**
 * The HTTP front of a subgraph on node:http alone: three routes do not need a router, and the
 * gateway calls `/graphql` at every step of every plan, so each layer here is paid on every
 * fetch (express's router and response helpers were a fifth of a subgraph's CPU on the bench).
 * body-parser still reads the body: its limit, charset and JSON handling are what express used.
 */
export function subgraphHttpHandler<Context extends BaseContext>(routes: SubgraphHttpRoutes<Context>): RequestListener {
  const parseJson = bodyParser.json({ limit: routes.maxBodyBytes });

  const graphql = async (req: IncomingMessage, res: ServerResponse) => {
    const context = await routes.admit(req, res);
    if (!context) return;
    parseJson(req, res, (error?: { status?: number; type?: string }) => {
      if (error) {
        // Never echo the body or the parser's message: a status and a fixed sentence.
        const tooLarge = error.status === 413;
        sendJson(res, tooLarge ? 413 : 400, tooLarge ? refusal('Request body too large', 'PAYLOAD_TOO_LARGE') : refusal('Malformed JSON body', 'BAD_REQUEST'));
        return;
      }
      void execute(req, res, context);
    });
  };

  const execute = async (req: IncomingMessage, res: ServerResponse, context: Context) => {
    try {
      await answerWithApollo(routes.apollo, req, res, (req as IncomingMessage & { body?: unknown }).body, async () => context);
    } catch {
      // executeHTTPGraphQLRequest answers GraphQL errors itself; this is a broken socket or worse.
      if (!res.headersSent) sendJson(res, 500, refusal('Internal server error', 'INTERNAL_SERVER_ERROR'));
      else res.destroy();
    }
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (path === '/graphql') {
      void graphql(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, refusal('Internal server error', 'INTERNAL_SERVER_ERROR'));
      });
      return;
    }
    if (req.method === 'GET' && path === '/health/live') return sendJson(res, 200, { status: 'live', service: routes.serviceName });
    if (req.method === 'GET' && path === '/health/ready') {
      void routes.ready().then(
        (ok) => sendJson(res, ok ? 200 : 503, ok ? { status: 'ready', service: routes.serviceName } : { status: 'unavailable', service: routes.serviceName, store: 'unreachable' }),
        () => sendJson(res, 503, { status: 'unavailable', service: routes.serviceName, store: 'unreachable' }),
      );
      return;
    }
    sendJson(res, 404, refusal('Not found', 'NOT_FOUND'));
  };
}
