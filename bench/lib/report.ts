import { cpus, totalmem, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../platform/src';

/** One measured run, as the report keeps it. */
export interface RunRow {
  workload: number;
  config: string;
  mode: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  graphqlErrors: number;
  /** CPU ms per request: the front process (gateway / monolith / bare) and all of the configuration's processes. */
  cpuFrontMsPerReq: number;
  cpuTotalMsPerReq: number;
  /** CPU ms per request of each process measured, and of the load generator ('load'). */
  cpuMsPerReqByProcess: Record<string, number>;
  /** Share of a core each side used: the front on core 0; subgraphs and the load generator on core 1. */
  core0Share: number;
  core1Share: number;
  bound: string;
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Versions and machine, for the report's header. */
export function environment(): Record<string, string> {
  const root = projectRoot();
  const version = (pkg: string, base = root) => {
    try {
      return (JSON.parse(readFileSync(join(base, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  };
  const hive = join(root, 'bench', 'hive');
  return {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`,
    node: process.version,
    '@apollo/server': version('@apollo/server'),
    '@apollo/gateway': version('@apollo/gateway'),
    'graphql-shield': version('graphql-shield'),
    'better-sqlite3': version('better-sqlite3'),
    '@graphql-hive/gateway-runtime': version('@graphql-hive/gateway-runtime', hive),
    '@graphql-hive/router-runtime': version('@graphql-hive/router-runtime', hive),
    autocannon: version('autocannon'),
  };
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');

/** The results table in Markdown: medians over rounds, per workload, mode and configuration. */
export function table(rows: RunRow[], configs: Array<{ id: string; label: string }>): string {
  const out: string[] = [
    '| workload | load | config | req/s | p50 ms | p99 ms | CPU ms/req (front / all) | core 0 / core 1 | bound | errors |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  const keys = [...new Set(rows.map((r) => `${r.workload}|${r.mode}`))];
  for (const key of keys) {
    const [w, mode] = key.split('|');
    for (const c of configs) {
      const rs = rows.filter((r) => `${r.workload}|${r.mode}` === key && r.config === c.id);
      if (!rs.length) continue;
      out.push(
        `| ${w} | ${mode} | ${c.label} | ${f(median(rs.map((r) => r.rps)))} | ${f(median(rs.map((r) => r.p50)), 1)} | ${f(median(rs.map((r) => r.p99)), 1)} | ` +
          `${f(median(rs.map((r) => r.cpuFrontMsPerReq)), 2)} / ${f(median(rs.map((r) => r.cpuTotalMsPerReq)), 2)} | ` +
          `${f(100 * median(rs.map((r) => r.core0Share)))}% / ${f(100 * median(rs.map((r) => r.core1Share)))}% | ${rs[0].bound} | ${rs.reduce((n, r) => n + r.errors + r.graphqlErrors, 0)} |`,
      );
    }
  }
  return out.join('\n');
}
