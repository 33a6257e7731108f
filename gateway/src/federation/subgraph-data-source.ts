import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { KeyLike } from 'jose';
import { ErrorCode, errorCodeOf, forbidden, INTERNAL_TOKEN_HEADER, internalTokenFor } from '../../../access-policy/src';
import { delegationHeader, DISCLOSURE_EXTENSION, readDisclosureReport, type Logger, type SubgraphName } from '../../../platform/src';
import type { GatewayContext } from '../context';
import { subgraphFetcher } from './subgraph-fetcher';

/**
 * How the gateway calls one subgraph: every fetch carries an internal token for that subgraph
 * alone (identity, scopes, purpose, reason, requestId), has a deadline, and hands back what the
 * subgraph reports it disclosed — which is removed from the response so callers never see it.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly signingKey: KeyLike | Uint8Array,
    timeoutMs: number,
    private readonly logger: Logger,
    /** Peers this subgraph may call on the caller's behalf during a mutation. */
    private readonly peers: readonly SubgraphName[] = [],
  ) {
    super({ url });
    this.fetcher = subgraphFetcher(timeoutMs) as unknown as RemoteGraphQLDataSource['fetcher'];
  }

  /**
   * A subgraph that cannot be reached, times out, or answers with a non-GraphQL failure becomes a
   * GraphQL error of this subgraph (SOURCE_UNAVAILABLE, no address, no stack): the gateway then
   * attaches its path and serviceName, and the rest of the answer still comes back.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const requestId = (options.context as Partial<GatewayContext>).requestId;
      if (errorCodeOf(error) === ErrorCode.FORBIDDEN) {
        return { errors: [{ message: (error as Error).message, extensions: { code: ErrorCode.FORBIDDEN } }] } as GatewayGraphQLResponse;
      }
      this.logger.error({ requestId, subgraph: this.subgraphName, reason: (error as Error).message }, 'subgraph call failed');
      return {
        errors: [{ message: `The ${this.subgraphName} source did not answer; its part of the result is missing`, extensions: { code: ErrorCode.SOURCE_UNAVAILABLE } }],
      } as GatewayGraphQLResponse;
    }
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const { request, context } = options;
    const ctx = context as Partial<GatewayContext>;
    // Fail closed: nothing reaches a record source without a checked identity and purpose.
    if (!ctx.caller) throw forbidden('No verified caller for this operation');
    request.http?.headers.set(INTERNAL_TOKEN_HEADER, await this.tokenFor(ctx as GatewayContext, this.subgraphName));
    request.http?.headers.set('x-request-id', ctx.caller.requestId);
    // Mutations may need to consult a peer (orders checks the persons it is given); reads never do.
    const isMutation = 'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation === 'mutation';
    if (isMutation) {
      for (const peer of this.peers) request.http?.headers.set(delegationHeader(peer), await this.tokenFor(ctx as GatewayContext, peer));
    }
  }

  /** The internal token for an audience (reused across operations of one caller and purpose). */
  private tokenFor(ctx: GatewayContext, audience: string): Promise<string> {
    return internalTokenFor(ctx.caller!, audience, this.signingKey);
  }

  override didReceiveResponse({
    response,
    context,
  }: Required<Pick<import('@apollo/server-gateway-interface').GatewayGraphQLRequestContext<GatewayContext>, 'request' | 'response' | 'context'>>): GatewayGraphQLResponse {
    const report = readDisclosureReport(response.extensions);
    if (report) {
      const log = (context as GatewayContext).disclosure;
      for (const s of report.subjects) log.subjects.add(s);
      for (const f of report.fields) log.fields.add(f);
    }
    if (response.extensions) delete response.extensions[DISCLOSURE_EXTENSION];
    return response;
  }
}
