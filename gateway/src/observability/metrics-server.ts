import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../platform/src';
import type { GatewayMetrics } from './metrics';

/** The metrics listener, once bound. */
export interface MetricsServer {
  /** The port bound (METRICS_PORT), or null when it could not be. */
  readonly port: number | null;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text) on its own port, never the public one: the counts by
 * client and operation describe who uses the service, which is for the operator's network only.
 *
 * A port that cannot be bound is logged (METRICS_UNAVAILABLE) and the gateway serves on without
 * metrics: an operator misses a scrape target, but a second gateway on one host, or a stray
 * process on 9464, must not take the record service down.
 */
export async function startMetricsServer(metrics: GatewayMetrics, host: string, port: number, logger: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (error: Error) => {
        logger.error({ reason: error.message }, 'metrics could not be collected');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics unavailable\n');
      },
    );
  });
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      logger.error({ alert: 'METRICS_UNAVAILABLE', port, reason: error.code ?? error.message }, 'metrics port could not be bound: serving without metrics');
      resolve(false);
    });
    server.listen(port, host, () => resolve(true));
  });
  if (!bound) return { port: null, close: async () => undefined };
  const actual = (server.address() as AddressInfo).port;
  logger.info({ port: actual }, 'metrics listening');
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's kept-alive connection would hold the close open until it times out.
        server.closeAllConnections();
      }),
  };
}
