import type { Request, Response, Router } from 'express';
import express from 'express';

/** One dependency the gateway needs to serve: a name and a check that throws when it is down. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** A readiness check on a subgraph: its own `/health/ready` answers 200 within the deadline. */
export function subgraphReadiness(name: string, graphqlUrl: string, timeoutMs = 1500): ReadinessCheck {
  const url = new URL('/health/ready', graphqlUrl).toString();
  return {
    name,
    async check() {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`status ${res.status}`);
    },
  };
}

/**
 * `/health/live`: the process is up. `/health/ready`: every check passes (supergraph loaded,
 * each subgraph and the audit store reachable), else 503 naming what is down — by name only,
 * never by address.
 */
export function healthRoutes(checks: () => readonly ReadinessCheck[], isLoaded: () => boolean): Router {
  const router = express.Router();
  router.get('/health/live', (_req: Request, res: Response) => void res.json({ status: 'live' }));
  router.get('/health/ready', async (_req: Request, res: Response) => {
    const results: Record<string, 'up' | 'down'> = { supergraph: isLoaded() ? 'up' : 'down' };
    await Promise.all(
      checks().map(async (c) => {
        try {
          await c.check();
          results[c.name] = 'up';
        } catch {
          results[c.name] = 'down';
        }
      }),
    );
    const ready = Object.values(results).every((v) => v === 'up');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
  return router;
}
