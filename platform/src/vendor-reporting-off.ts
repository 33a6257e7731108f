import { ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';

/**
 * Apollo Server's plugins that keep it from reporting to its vendor. Apollo Server installs usage
 * reporting by itself whenever APOLLO_KEY is in the environment (and schema reporting with
 * APOLLO_SCHEMA_REPORTING=true), sending operations to Apollo's cloud; these services run inside
 * a closed criminal-justice network and talk only to their configured peers (docs/design.md §7, egress).
 * Installing the disabled plugins wins over the environment.
 */
export function vendorReportingOff() {
  return [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()];
}
