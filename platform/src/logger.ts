import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A service's logger: JSON lines on stdout (what log shippers read), one `service` field so the
 * sandbox launcher can prefix and colour them. Never log record data; ids and codes only.
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino(
    {
      base: { service },
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Asynchronous writes: lines logged while a write is in flight go out together in the next
    // one, instead of a blocking write(2) per line. Nothing waits for a buffer to fill, so a line
    // is on its way at once (a call refused at a subgraph must show up in the log promptly).
    pino.destination({ dest: 1, sync: false, minLength: 0 }),
  );
}
