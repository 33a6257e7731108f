import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_ENV, subgraphUrlVariable } from '../../gateway/src/config';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/gateway-node-flags';
import { DEFAULT_SUBGRAPH_PORTS, projectRoot, SUBGRAPH_ENV, SUBGRAPH_NAMES } from '../../platform/src';
import { SUPERGRAPH_URLS } from '../../schema/subgraphs';

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
  it('has PostgreSQL with a volume and a health check, the migration job, three subgraphs, two gateways and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['alerts', 'criminal-history', 'gateway-1', 'gateway-2', 'load-balancer', 'migrate', 'orders', 'postgres', 'seed']);
    expect(services.postgres.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('pgdata');
    expect(services.postgres.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(services.migrate.command).toEqual(['node', 'dist/seed/src/migrate-cli.js']);
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.seed.profiles).toEqual(['demo']);
  });

  it('starts every service from an entry point that exists in the build', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.command) continue;
      const source = join(root, s.command[s.command.length - 1].replace(/^dist\//, '').replace(/\.js$/, '.ts'));
      expect({ name, exists: existsSync(source) }).toEqual({ name, exists: true });
    }
  });

  it.each(SUBGRAPH_NAMES)('runs %s in production on PostgreSQL, with its public key from a secret, after the migration', (name) => {
    const s = services[name];
    const env = s.environment!;
    expect(s.command).toEqual(['node', `dist/subgraphs/${name}/src/main.js`]);
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: String(DEFAULT_SUBGRAPH_PORTS[name]) });
    expect(SUPERGRAPH_URLS[name]).toBe(`http://${name}:${env.PORT}/graphql`);
    expect(s.secrets).toEqual(expect.arrayContaining([secretPath(env, 'DATABASE_URL_FILE'), secretPath(env, 'INTERNAL_TOKEN_PUBLIC_KEY_FILE')]));
    expect(s.secrets).not.toContain('internal_token_private');
    expect(s.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    expect(s.healthcheck!.test.join(' ')).toContain(`:${env.PORT}/health/ready`);
    for (const variable of Object.keys(env)) expect({ service: name, variable, known: subgraphVars.includes(variable) }).toEqual({ service: name, variable, known: true });
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
    for (const variable of Object.keys(env)) expect({ service: name, variable, known: gatewayVars.includes(variable) }).toEqual({ service: name, variable, known: true });
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

  it('publishes only the load balancer, which balances both gateways on their port', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports).map(([n]) => n);
    expect(published).toEqual(['load-balancer']);
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
