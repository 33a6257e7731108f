import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_ENV, readGatewayConfig } from '../../gateway/src/config';
import { GatewayMetrics } from '../../gateway/src/observability/metrics';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/gateway-node-flags';
import { SUBGRAPH_NAMES } from '../../access-policy/src';
import { defaultSubgraphPort, projectRoot, SUBGRAPH_ENV, subgraphUrlVariable } from '../../platform/src';
import { SUPERGRAPH_URLS } from '../../schema/subgraphs';
import { eventFeedConfigFrom, EVENT_FEED_ENV } from '../../platform/src/events/event-feed-config';
import { readEnv } from '../../platform/src';
import { natsServerConfig } from '../../scripts/nats-server-config';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  secrets?: string[];
  volumes?: string[];
  profiles?: string[];
}

const root = projectRoot();
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const GATEWAYS = ['gateway-1', 'gateway-2'];
/** Every variable a service may be given: what its config reads, and each one's _FILE form. */
const withFiles = (names: string[]) => [...names, ...names.map((n) => `${n}_FILE`)];
const gatewayVars = withFiles([...Object.keys(GATEWAY_ENV), ...SUBGRAPH_NAMES.map(subgraphUrlVariable)]);
const subgraphVars = withFiles(Object.keys(SUBGRAPH_ENV));
const secretPath = (env: Record<string, string>, name: string) => env[name]?.replace('/run/secrets/', '');

/** Docker cannot run here: the production shape is checked against what the code reads. */
describe('docker-compose.yml: the production shape', () => {
  it('has PostgreSQL with a volume and a health check, the migration job, three subgraphs, two gateways, a load balancer, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'alerts',
      'criminal-history',
      'gateway-1',
      'gateway-2',
      'grafana',
      'load-balancer',
      'migrate',
      'nats',
      'orders',
      'postgres',
      'prometheus',
      'seed',
    ]);
    expect(services.postgres.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('pgdata');
    expect(services.postgres.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(services.migrate.command).toEqual(['node', 'dist/seed/src/migrate-cli.js']);
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.seed.profiles).toEqual(['demo']);
  });

  it('starts every service from an entry point that exists in the build', () => {
    for (const [name, s] of Object.entries(services)) {
      // Our services run node; NATS's command is its server's arguments.
      if (!s.command || s.command[0] !== 'node') continue;
      const source = join(root, s.command[s.command.length - 1].replace(/^dist\//, '').replace(/\.js$/, '.ts'));
      expect({ name, exists: existsSync(source) }).toEqual({ name, exists: true });
    }
  });

  it.each(SUBGRAPH_NAMES)('runs %s in production on PostgreSQL, with its public key from a secret, after the migration', (name) => {
    const s = services[name];
    const env = s.environment!;
    expect(s.command).toEqual(['node', `dist/subgraphs/${name}/src/main.js`]);
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(defaultSubgraphPort(name)) });
    expect(SUPERGRAPH_URLS[name]).toBe(`http://${name}:${env.PORT}/graphql`);
    expect(s.secrets).toEqual(expect.arrayContaining([secretPath(env, 'DATABASE_URL_FILE'), secretPath(env, 'INTERNAL_TOKEN_PUBLIC_KEY_FILE')]));
    expect(s.secrets).not.toContain('internal_token_private');
    expect(s.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      ...(name === 'orders' ? { nats: { condition: 'service_healthy' } } : {}),
    });
    expect(s.healthcheck!.test.join(' ')).toContain(`:${env.PORT}/health/ready`);
    for (const variable of Object.keys(env))
      expect({ service: name, variable, known: subgraphVars.includes(variable) }).toEqual({ service: name, variable, known: true });
  });

  it('runs NATS with JetStream, its store on a volume, healthy before orders and the gateways, and published nowhere', () => {
    const nats = services.nats;
    expect(nats.image).toMatch(/^nats:2\.\d+/);
    expect(nats.command).toEqual(['-c', '/run/secrets/nats_config']);
    expect(nats.secrets).toEqual(['nats_config']);
    expect(compose.secrets.nats_config.file).toBe('./secrets/nats.conf');
    // What `npm run secrets` writes there: JetStream on the volume, health on 8222, a token.
    const config = natsServerConfig('a-token-of-the-right-length');
    expect(config).toMatch(/jetstream \{\s*store_dir: "\/data"\s*\}/);
    expect(config).toMatch(/http_port: 8222/);
    expect(config).toMatch(/authorization \{\s*token: "a-token-of-the-right-length"\s*\}/);
    expect(nats.volumes).toContain('nats-data:/data');
    expect(compose.volumes).toHaveProperty('nats-data');
    expect(nats.healthcheck!.test.join(' ')).toContain('/healthz');
    expect(nats.ports).toBeUndefined();
  });

  it.each(['orders', ...GATEWAYS])('gives %s the NATS feed, as its configuration reads it', (name) => {
    const env = services[name].environment!;
    // Secrets are files the test does not have: read without them.
    const e = readEnv(EVENT_FEED_ENV, Object.fromEntries(Object.entries(env).filter(([k]) => !k.endsWith('_FILE'))));
    expect(eventFeedConfigFrom(e).nats).toMatchObject({ servers: ['nats://nats:4222'] });
    expect(services[name].secrets).toContain(secretPath(env, 'NATS_TOKEN_FILE'));
    expect(compose.secrets.nats_token.file).toBe('./secrets/nats_token');
    expect(services[name].depends_on!.nats).toEqual({ condition: 'service_healthy' });
  });

  it('lets orders reach criminal-history to check persons', () => {
    expect(services.orders.environment!.SUBGRAPH_URL_CRIMINAL_HISTORY).toBe(SUPERGRAPH_URLS['criminal-history']);
  });

  it.each(GATEWAYS)('runs %s in production with the identity provider, the signing key from a secret, and every subgraph by service name', (name) => {
    const s = services[name];
    const env = s.environment!;
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '4000', TRUST_PROXY: '1' });
    expect(env.AUTH_JWKS_URL ?? env.AUTH_JWKS_FILE).toBeTruthy();
    expect(env.AUTH_ISSUER).toBeTruthy();
    expect(env.AUTH_AUDIENCE).toBeTruthy();
    expect(s.secrets).toEqual(expect.arrayContaining([secretPath(env, 'INTERNAL_TOKEN_PRIVATE_KEY_FILE'), secretPath(env, 'DATABASE_URL_FILE')]));
    for (const sub of SUBGRAPH_NAMES) {
      expect(env[subgraphUrlVariable(sub)]).toBe(SUPERGRAPH_URLS[sub]);
      expect(s.depends_on![sub]).toEqual({ condition: 'service_healthy' });
    }
    expect(s.command).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/gateway/src/main.js']);
    expect(s.healthcheck!.test.join(' ')).toContain(':4000/health/ready');
    expect(s.ports).toBeUndefined();
    for (const variable of Object.keys(env))
      expect({ service: name, variable, known: gatewayVars.includes(variable) }).toEqual({ service: name, variable, known: true });
  });

  it('has no dev issuer anywhere: no sandbox mode, no dev keys', () => {
    for (const [name, s] of Object.entries(services)) {
      const env = s.environment ?? {};
      if (s.command?.some((c) => c.includes('main.js'))) expect({ name, mode: env.NODE_ENV }).toEqual({ name, mode: 'production' });
      expect(JSON.stringify(env)).not.toMatch(/dev-issuer|DATA_DIR/);
    }
  });

  it('declares every secret a service uses, from a file', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const secret of s.secrets ?? []) expect({ name, secret, declared: !!compose.secrets[secret]?.file }).toEqual({ name, secret, declared: true });
    }
  });

  it('publishes only the load balancer, which balances both gateways on their port, and Grafana on loopback', () => {
    const published = Object.entries(services)
      .filter(([, s]) => s.ports)
      .map(([n]) => n);
    expect(published.sort()).toEqual(['grafana', 'load-balancer']);
    expect(services.grafana.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(services['load-balancer'].depends_on).toEqual({ 'gateway-1': { condition: 'service_healthy' }, 'gateway-2': { condition: 'service_healthy' } });
    const nginx = readFileSync(join(root, 'deploy/nginx.conf'), 'utf8');
    for (const g of GATEWAYS) expect(nginx).toContain(`server ${g}:4000`);
    expect(services['load-balancer'].ports).toEqual([`4000:${/listen (\d+)/.exec(nginx)![1]}`]);
  });

  it('builds the services from a Dockerfile that keeps the bench out of the image', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm run build');
    expect(dockerfile).toContain('rm -rf dist/bench');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('USER node');
    // The image's default command is the gateway, with the flags it runs with everywhere.
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(JSON.parse(cmd![1])).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/gateway/src/main.js']);
  });
});

/** Issue 24: Prometheus scrapes every gateway's metrics port, Grafana shows a provisioned dashboard over what the gateway exports. */
describe('docker-compose.yml: monitoring', () => {
  const deploy = (path: string) => readFileSync(join(root, 'deploy', path), 'utf8');
  const prometheus = parse(deploy('prometheus.yml')) as { scrape_configs: Array<{ metrics_path?: string; static_configs: Array<{ targets: string[] }> }> };
  const dashboard = JSON.parse(deploy('grafana/dashboards/custodian-gateway.json')) as {
    uid: string;
    panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
  };
  const mountOf = (service: string, target: string) => services[service].volumes!.find((v) => v.split(':')[1] === target)?.split(':')[0];

  it('scrapes /metrics on each gateway at the METRICS_PORT it is given, which is not its public port', () => {
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const g of GATEWAYS) {
      const env = services[g].environment!;
      // The gateway's own reading of its environment (secrets, which are files, left out).
      const { DATABASE_URL_FILE: _secret, NATS_TOKEN_FILE: _token, ...plain } = env;
      const config = readGatewayConfig({ ...plain, AUTH_JWKS_URL: 'https://idp.example/jwks' });
      expect(config.metricsPort).not.toBe(config.port);
      expect(targets).toContain(`${g}:${config.metricsPort}`);
    }
    expect(prometheus.scrape_configs.every((c) => (c.metrics_path ?? '/metrics') === '/metrics')).toBe(true);
    expect(mountOf('prometheus', '/etc/prometheus/prometheus.yml')).toBe('./deploy/prometheus.yml');
    expect(services.prometheus.ports).toBeUndefined();
  });

  it('provisions Grafana with the Prometheus data source and the dashboard folder, from files in deploy/', () => {
    expect(mountOf('grafana', '/etc/grafana/provisioning')).toBe('./deploy/grafana/provisioning');
    const datasources = parse(deploy('grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    const providers = parse(deploy('grafana/provisioning/dashboards/custodian.yml')) as { providers: Array<{ options: { path: string } }> };
    expect(mountOf('grafana', providers.providers[0].options.path)).toBe('./deploy/grafana/dashboards');
    for (const panel of dashboard.panels)
      expect({ panel: panel.title, uid: panel.datasource.uid }).toEqual({ panel: panel.title, uid: datasources.datasources[0].uid });
    expect(services.grafana.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(services.grafana.environment!.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
  });

  it('charts only metrics the gateway exports, and each kind the issue asks for', async () => {
    const metrics = new GatewayMetrics();
    metrics.watchAuditQueue(() => 0);
    const exported = new Set(
      (await metrics.registry.getMetricsAsJSON()).flatMap((m) =>
        String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
      ),
    );
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b(?:http|custodian|nodejs|process)_[a-z0-9_]+/g) ?? []));
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    for (const family of [
      'custodian_graphql_operations_total',
      'http_server_request_duration_seconds_bucket',
      'custodian_subgraph_fetch_duration_seconds_bucket',
      'custodian_subgraph_fetch_errors_total',
      'custodian_audit_commit_duration_seconds_bucket',
      'custodian_audit_commit_batch_size_sum',
      'custodian_audit_queue_depth',
      'custodian_audit_write_failures_total',
      'custodian_field_denials_total',
      'custodian_refusals_total',
    ])
      expect(used).toContain(family);
  });
});
