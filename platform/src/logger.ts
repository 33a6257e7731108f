import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A service's logger: JSON lines on stdout (what log shippers read), one `service` field so the
 * sandbox launcher can prefix and colour them. Never log record data; ids and codes only.
 */
export function createLogger(service: string, level = 'info'): Logger {
  // Lines are buffered and written together (12 KiB at a time, and at least every 100 ms): a line
  // per served call must not cost a write(2) per call. At most 100 ms of lines can be lost if the
  // process is killed outright; pino flushes the rest on a normal exit.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 12 * 1024 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // A flush while a write is in flight is refused; the next tick takes it.
    }
  }, LOG_FLUSH_MS).unref();
  return pino(
    {
      base: { service },
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Longest a log line waits in the buffer. */
export const LOG_FLUSH_MS = 100;
