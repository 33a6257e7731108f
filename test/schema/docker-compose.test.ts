import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_ENV, subgraphUrlVariable } from '../../gateway/src/config';
import { projectRoot, SUBGRAPH_ENV, SUBGRAPH_NAMES, DEFAULT_SUBGRAPH_PORTS } from '../../platform/src';
import { SUPERGRAPH_URLS } from '../../schema/subgraphs';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

/** Docker cannot run here, so the compose file's shape is checked against what the code reads. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const services = compose.services;

  it('runs one service per subgraph, named as the subgraph, plus the gateway', () => {
    for (const name of SUBGRAPH_NAMES) expect(Object.keys(services)).toContain(name);
    expect(Object.keys(services)).toContain('gateway');
  });

  it.each(SUBGRAPH_NAMES)('starts %s from its own entry point, on the port the supergraph names, with a readiness check', (name) => {
    const s = services[name];
    expect(s.command).toEqual(['node', `dist/subgraphs/${name}/src/main.js`]);
    expect(s.environment!.PORT).toBe(String(DEFAULT_SUBGRAPH_PORTS[name]));
    expect(SUPERGRAPH_URLS[name]).toBe(`http://${name}:${DEFAULT_SUBGRAPH_PORTS[name]}/graphql`);
    expect(s.healthcheck!.test.join(' ')).toContain(`:${DEFAULT_SUBGRAPH_PORTS[name]}/health/ready`);
    for (const variable of Object.keys(s.environment!)) expect(Object.keys(SUBGRAPH_ENV)).toContain(variable);
  });

  it('points the gateway at every subgraph by service name and waits for them to be healthy', () => {
    const g = services.gateway;
    for (const name of SUBGRAPH_NAMES) {
      expect(g.environment![subgraphUrlVariable(name)]).toBe(SUPERGRAPH_URLS[name]);
      expect(g.depends_on![name]).toEqual({ condition: 'service_healthy' });
    }
    const known = [...Object.keys(GATEWAY_ENV), ...SUBGRAPH_NAMES.map(subgraphUrlVariable)];
    for (const variable of Object.keys(g.environment!)) expect(known).toContain(variable);
    expect(g.ports).toContain(`${g.environment!.PORT}:${g.environment!.PORT}`);
  });
});
