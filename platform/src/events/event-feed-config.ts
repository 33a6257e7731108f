import { num, str } from 'envalid';
import { ConfigError } from '../config';

/** The event feed's variables, read by the producing subgraph and by the gateway alike. */
export const EVENT_FEED_ENV = {
  /** NATS server URLs (comma-separated) for the JetStream feed; empty: the embedded feed (docs/design.md §8, decision 29). */
  NATS_URL: str({ default: '' }),
  /** The token NATS asks of its clients (`NATS_TOKEN_FILE` from a secret); empty: none. Without one, anyone on NATS's network could publish order events. */
  NATS_TOKEN: str({ default: '' }),
  /** How long the JetStream stream keeps events. A replica that was away longer starts at "new" anyway. */
  NATS_STREAM_MAX_AGE_SECONDS: num({ default: 7 * 24 * 3600 }),
  /** Most bytes the JetStream stream keeps (the oldest events go first). */
  NATS_STREAM_MAX_BYTES: num({ default: 1024 * 1024 * 1024 }),
};

/** How events travel between the producing service and the gateways. */
export interface EventFeedConfig {
  /** JetStream when set; otherwise the producer's embedded stream. */
  nats: { servers: string[]; token: string | null; maxAgeSeconds: number; maxBytes: number } | null;
}

/** The feed's configuration from validated EVENT_FEED_ENV values; throws ConfigError naming a bad variable. */
export function eventFeedConfigFrom(e: {
  NATS_URL: string;
  NATS_TOKEN?: string;
  NATS_STREAM_MAX_AGE_SECONDS: number;
  NATS_STREAM_MAX_BYTES: number;
}): EventFeedConfig {
  if (!e.NATS_URL) return { nats: null };
  const servers = e.NATS_URL.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (servers.length === 0 || !servers.every((s) => /^(nats|tls):\/\/[^\s,]+$/.test(s)))
    throw new ConfigError('NATS_URL: nats:// or tls:// URLs, comma-separated');
  if (!Number.isInteger(e.NATS_STREAM_MAX_AGE_SECONDS) || e.NATS_STREAM_MAX_AGE_SECONDS < 60)
    throw new ConfigError('NATS_STREAM_MAX_AGE_SECONDS: an integer, at least 60');
  if (!Number.isInteger(e.NATS_STREAM_MAX_BYTES) || e.NATS_STREAM_MAX_BYTES < 1024 * 1024)
    throw new ConfigError('NATS_STREAM_MAX_BYTES: an integer, at least 1048576');
  return { nats: { servers, token: e.NATS_TOKEN || null, maxAgeSeconds: e.NATS_STREAM_MAX_AGE_SECONDS, maxBytes: e.NATS_STREAM_MAX_BYTES } };
}
