import { cleanEnv, str, type ValidatorSpec } from 'envalid';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { projectRoot } from './project-root';
import type { StoreLocation } from './sql/open-sql-client';

/** Thrown at start-up when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates a service's environment once, with envalid. Unlike envalid's default
 * reporter (which exits the process), this throws a ConfigError naming each bad variable, so
 * that `main` decides how to stop and tests can assert the message.
 */
export function readEnv<S extends Record<string, ValidatorSpec<unknown>>>(
  specs: S,
  env: NodeJS.ProcessEnv = process.env,
): { readonly [K in keyof S]: S[K] extends ValidatorSpec<infer T> ? T : never } {
  return cleanEnv(withSecretFiles(Object.keys(specs), env), specs, {
    reporter: ({ errors }) => {
      const names = Object.entries(errors);
      if (names.length === 0) return;
      throw new ConfigError('Invalid configuration: ' + names.map(([name, error]) => `${name}: ${(error as Error).message}`).join('; '));
    },
  }) as never;
}

/**
 * Every variable may also be given as `<NAME>_FILE`, the path of a file holding its value (Docker
 * and Kubernetes secrets): secrets never need to sit in the environment itself. The variable
 * wins when both are set.
 */
export function withSecretFiles(names: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (out[name] !== undefined || !file) continue;
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return out;
}

/** Resolves a path from the environment against the project root (so `data/` means the project's). */
export function projectPath(path: string): string {
  return isAbsolute(path) ? path : resolve(projectRoot(), path);
}

/** Where every store lives: PostgreSQL when DATABASE_URL is set, SQLite files under DATA_DIR otherwise. */
export function storeLocationFrom(databaseUrl: string, dataDir: string): StoreLocation {
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL: must be a postgres:// URL');
    return { kind: 'postgres', url: databaseUrl };
  }
  return { kind: 'sqlite', dataDir: projectPath(dataDir) };
}

/** The run mode: production switches off the dev issuer, introspection and the explorer. */
export type Mode = 'sandbox' | 'production';

/** The variable that asks for the sandbox (`npm start` sets it for its services). */
export const MODE_VARIABLE = 'CUSTODIAN_MODE';

/**
 * The run mode from CUSTODIAN_MODE. The sandbox hands out clerks' tokens to anyone who asks, so
 * it exists only when asked for by name: unset, the mode is production whatever NODE_ENV says
 * (`staging`, `prod` or a forgotten variable once opened the dev issuer against real records).
 * `unsetMode` lets a sandbox-only tool (`npm run token`) ask for the sandbox itself, as
 * `npm start` does. NODE_ENV=production beside CUSTODIAN_MODE=sandbox is a contradiction, refused.
 */
export function modeFrom(mode: string, nodeEnv: string, unsetMode: Mode = 'production'): Mode {
  if (mode !== '' && mode !== 'sandbox' && mode !== 'production') {
    throw new ConfigError(`${MODE_VARIABLE}: "sandbox" or "production" (unset: production)`);
  }
  const chosen = mode === '' ? unsetMode : mode;
  if (chosen === 'sandbox' && nodeEnv === 'production') {
    throw new ConfigError(`${MODE_VARIABLE}: sandbox asked for with NODE_ENV=production; set one or the other`);
  }
  return chosen;
}

/** The variables every service reads alike, with their defaults. */
export const SERVICE_ENV = {
  /** `sandbox` or `production`; unset is production (see modeFrom). */
  CUSTODIAN_MODE: str({ default: '' }),
  /** Read only to refuse a sandbox under NODE_ENV=production: it never chooses the mode. */
  NODE_ENV: str({ default: '' }),
  HOST: str({ default: '127.0.0.1' }),
  DATA_DIR: str({ default: 'data' }),
  DATABASE_URL: str({ default: '' }),
  LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  /** OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); empty: tracing off. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: str({ default: '' }),
  /** The `service.name` of this service's spans; empty: `custodian-<service>`. */
  OTEL_SERVICE_NAME: str({ default: '' }),
};

/** Tracing options from the two OTEL_ variables; throws ConfigError on an endpoint that is not a URL. */
export function tracingOptionsFrom(
  e: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string; OTEL_SERVICE_NAME: string },
  service: string,
): { endpoint: string | null; serviceName: string } {
  if (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT && !/^https?:\/\//.test(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT))
    throw new ConfigError('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http(s) URL');
  return { endpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || null, serviceName: e.OTEL_SERVICE_NAME || `custodian-${service}` };
}
