import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request's query string as Apollo Server reads it: everything after the first `?`, the `?`
 * included. Whatever reads a GET's parameters before Apollo must read this same text, or a second
 * `?` could hide from one reader what the other runs.
 */
export function searchOf(url: string | undefined): string {
  const at = (url ?? '').indexOf('?');
  return at >= 0 ? url!.slice(at) : '';
}

/**
 * Runs one HTTP request through Apollo Server and writes its answer: what an Apollo integration
 * does, on node:http directly. The gateway's `/graphql` and every subgraph's use it; both read and
 * parse the body first (body-parser) and pass it in.
 */
export async function answerWithApollo<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<Context>,
  /** The query string to run instead of the request's own (a GET whose operation was resolved first). */
  search?: string,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: search ?? searchOf(req.url), body },
    context,
  });
  for (const [key, value] of answer.headers) res.setHeader(key, value);
  res.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    res.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
}
