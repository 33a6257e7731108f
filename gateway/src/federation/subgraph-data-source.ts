import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { OperationTypeNode } from 'graphql';
import type { KeyLike } from 'jose';
import { ErrorCode, INTERNAL_TOKEN_HEADER, internalTokenFor, type SubgraphName } from '../../../access-policy/src';
import { delegationHeader, DISCLOSURE_EXTENSION, errorBody, readDisclosureReport, type Logger } from '../../../platform/src';
import type { GatewayContext } from '../context';
import type { GatewayMetrics } from '../observability/metrics';
import { activeTraceId, injectTraceContext } from '../observability/tracing';
import { subgraphFetcher, type SubgraphPost } from './subgraph-fetcher';

const failure = (message: string, code: ErrorCode): GatewayGraphQLResponse => errorBody(message, code);

/**
 * How the gateway calls one subgraph: every fetch carries an internal token for that subgraph
 * alone (identity, scopes, purpose, reason, requestId), has a deadline, and hands back what the
 * subgraph reports it disclosed — which is removed from the response so callers never see it.
 *
 * A data source of its own rather than @apollo/gateway's RemoteGraphQLDataSource: that one builds
 * a node-fetch Request and WHATWG Headers for every call and reads cache-control hints this
 * gateway never uses (nothing here is cacheable); this does the one POST the plan needs.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly post: SubgraphPost;

  constructor(
    private readonly subgraphName: string,
    private readonly url: string,
    private readonly signingKey: KeyLike | Uint8Array,
    timeoutMs: number,
    private readonly logger: Logger,
    /** Peers this subgraph may call on the caller's behalf during a mutation. */
    private readonly peers: readonly SubgraphName[] = [],
    private readonly metrics?: GatewayMetrics,
  ) {
    this.post = subgraphFetcher(timeoutMs);
  }

  /**
   * A subgraph that cannot be reached, times out, or answers with a non-GraphQL failure becomes a
   * GraphQL error of this subgraph (SOURCE_UNAVAILABLE, no address, no stack): the gateway then
   * attaches its path and serviceName, and the rest of the answer still comes back.
   */
  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const ctx = options.context as Partial<GatewayContext>;
    // Fail closed: nothing reaches a record source without a checked identity and purpose.
    if (!ctx.caller) return failure('No verified caller for this operation', ErrorCode.FORBIDDEN);
    const { query, variables, operationName } = options.request;
    const began = performance.now();
    try {
      const reply = await this.post(this.url, await this.headersFor(ctx as GatewayContext, options), JSON.stringify({ query, variables, operationName }));
      if (reply.status < 200 || reply.status > 299) throw new Error(`${this.subgraphName} answered HTTP ${reply.status}`);
      if (!/^application\/(graphql-response\+)?json/.test(reply.contentType))
        throw new Error(`${this.subgraphName} answered ${reply.contentType || 'no content type'}`);
      const response = JSON.parse(reply.text) as GatewayGraphQLResponse;
      if (typeof response !== 'object' || response === null) throw new Error(`${this.subgraphName} answered a body that is not a GraphQL response`);
      this.takeDisclosure(response, ctx as GatewayContext);
      this.metrics?.subgraphFetched(this.subgraphName, (performance.now() - began) / 1000, false);
      return response;
    } catch (error) {
      this.metrics?.subgraphFetched(this.subgraphName, (performance.now() - began) / 1000, true);
      this.logger.error(
        { requestId: ctx.caller.requestId, traceId: activeTraceId(), subgraph: this.subgraphName, reason: (error as Error).message },
        'subgraph call failed',
      );
      return failure(`The ${this.subgraphName} source did not answer; its part of the result is missing`, ErrorCode.SOURCE_UNAVAILABLE);
    }
  }

  private async headersFor(ctx: GatewayContext, options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [INTERNAL_TOKEN_HEADER]: await this.tokenFor(ctx, this.subgraphName),
      'x-request-id': ctx.caller!.requestId,
    };
    // W3C trace context, when tracing is on: the subgraph's work joins the operation's trace.
    injectTraceContext(headers);
    // Mutations may need to consult a peer (orders checks the persons it is given); reads never do.
    const isMutation = 'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation === OperationTypeNode.MUTATION;
    if (isMutation) {
      for (const peer of this.peers) headers[delegationHeader(peer)] = await this.tokenFor(ctx, peer);
    }
    return headers;
  }

  /** The internal token for an audience (reused across operations of one caller and purpose). */
  private tokenFor(ctx: GatewayContext, audience: string): Promise<string> {
    return internalTokenFor(ctx.caller!, audience, this.signingKey);
  }

  /** Moves the subgraph's disclosure report into the request's log, out of the response. */
  private takeDisclosure(response: GatewayGraphQLResponse, ctx: GatewayContext): void {
    const report = readDisclosureReport(response.extensions);
    if (report) {
      for (const s of report.subjects) ctx.disclosure.subjects.add(s);
      for (const f of report.fields) ctx.disclosure.fields.add(f);
    }
    if (response.extensions) delete response.extensions[DISCLOSURE_EXTENSION];
  }
}
