/**
 * The configuration of docker-compose's NATS (`npm run secrets` writes it to ./secrets/nats.conf,
 * mounted as a secret because it holds the token): JetStream with its store on the `nats-data`
 * volume, monitoring (health) on 8222 inside the compose network, and a token every client must
 * present, so nothing else on the network can publish order events.
 */
export function natsServerConfig(token: string): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(token)) throw new TypeError('the NATS token must be at least 16 URL-safe characters');
  return ['jetstream {', '  store_dir: "/data"', '}', 'http_port: 8222', 'authorization {', `  token: "${token}"`, '}', ''].join('\n');
}
