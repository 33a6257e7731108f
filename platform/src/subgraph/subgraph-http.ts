import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import bodyParser from 'body-parser';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
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
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    try {
      const answer = await routes.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: (req.method ?? 'GET').toUpperCase(),
          headers,
          search: query >= 0 ? url.slice(query) : '',
          body: (req as IncomingMessage & { body?: unknown }).body,
        },
        context: async () => context,
      });
      for (const [key, value] of answer.headers) res.setHeader(key, value);
      res.statusCode = answer.status ?? 200;
      if (answer.body.kind === 'complete') {
        res.end(answer.body.string);
        return;
      }
      for await (const chunk of answer.body.asyncIterator) res.write(chunk);
      res.end();
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
