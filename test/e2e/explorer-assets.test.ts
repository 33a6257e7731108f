import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { explorerRoutes } from '../../gateway/src/explorer/explorer-routes';

/** The sandbox explorer serves its own files by name, and nothing else (issue 18, item 8). */
describe('sandbox explorer assets', () => {
  let server: Server;
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-explorer-'));
    const app = express();
    app.use(explorerRoutes(await DevIssuer.open(dataDir, 'sandbox')));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a known asset with its type', async () => {
    const res = await fetch(`${base}/explorer/assets/explorer.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'nope.js', '..%2Fpackage.json'])(
    'answers 404 for an unknown asset name (%s)',
    async (name) => {
      const res = await fetch(`${base}/explorer/assets/${name}`);
      expect(res.status).toBe(404);
    },
  );
});
