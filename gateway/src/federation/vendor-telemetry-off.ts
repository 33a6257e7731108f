/** The variable @apollo/gateway reads to leave its vendor telemetry off. */
export const APOLLO_TELEMETRY_VARIABLE = 'APOLLO_TELEMETRY_DISABLED';

/**
 * Turns off @apollo/gateway's vendor telemetry, before any ApolloGateway is constructed.
 *
 * @apollo/gateway 2.14 reads APOLLO_TELEMETRY_DISABLED in ApolloGateway's constructor (not when
 * the module loads) and, unless it is `1` or `true`, builds an OpenTelemetry meter provider
 * there: its resource detectors connect to cloud metadata addresses (169.254.169.254,
 * 100.100.100.200) and resolve outside names at once, and it exports usage metrics to Apollo every
 * hour. The library has no constructor option for it, only the variable, so the gateway sets the
 * variable itself: an operator who forgets it must not open a path out of a closed network
 * (docs/design.md §7, egress; test/e2e/egress.test.ts fails on any destination but the configured ones).
 */
export function turnOffVendorTelemetry(): void {
  process.env[APOLLO_TELEMETRY_VARIABLE] = '1';
}
