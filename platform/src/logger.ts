import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A service's logger: JSON lines on stdout (what log shippers read), one `service` field so the
 * sandbox launcher can prefix and colour them. Never log record data; ids and codes only.
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    base: { service },
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
