import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logger';
import { DISCLOSURE_EXTENSION } from './disclosure-log';
import type { SubgraphContext, SubgraphModule } from './subgraph-module';

/**
 * Reports what each request disclosed (collected by `instrumentDisclosure`) to the gateway in
 * `extensions.custodian`, and logs the call, so that a call which did not come through the
 * gateway would still leave a trace here.
 */
export function disclosurePlugin(module: Pick<SubgraphModule, 'name'>, logger: Logger): ApolloServerPlugin<SubgraphContext> {
  return {
    // Fires once per request, after the context (and so the caller) exists.
    async requestDidStart() {
      return {
        // Fires just before the response is serialised.
        async willSendResponse({ response, contextValue, operationName, errors }) {
          const report = contextValue.disclosure?.toJSON();
          if (response.body.kind === 'single' && report) {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              [DISCLOSURE_EXTENSION]: report,
            };
          }
          const caller = contextValue.caller;
          logger.info(
            {
              requestId: caller?.requestId,
              user: caller?.sub,
              ori: caller?.ori,
              purpose: caller?.purpose,
              operationName,
              subjects: report?.subjects,
              fields: report?.fields.length,
              errorCodes: errors?.map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
            },
            `${module.name} served`,
          );
        },
      };
    },
  };
}
