import express from 'express';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { explorerRoutes } from '../../gateway/src/explorer/explorer-routes';
import { FieldPolicy } from '../../gateway/src/policy/field-policy';
import { supergraphPath } from '../../schema/subgraphs';

/** The sandbox explorer serves its own files by name, and nothing else (issue 18, item 8). */
describe('sandbox explorer assets', () => {
  let server: Server;
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-explorer-'));
    const app = express();
    app.use(explorerRoutes(await DevIssuer.open(dataDir, 'sandbox'), FieldPolicy.fromSupergraph(readFileSync(supergraphPath(), 'utf8'))));
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

  it("tells the page what each field needs and which fields each persona can never read, from the supergraph's @access (rule 13)", async () => {
    const config = (await (await fetch(`${base}/explorer/config`)).json()) as {
      access: Record<string, string>;
      personas: Array<{ persona: string; neverReadable: string[] }>;
    };
    expect(config.access['CriminalHistory.convictions']).toBe('criminal_history:read | criminal_history:employment + purpose I');
    const never = (persona: string) => config.personas.find((p) => p.persona === persona)!.neverReadable;
    expect(never('dispatcher')).toEqual(expect.arrayContaining(['Person.criminalHistory', 'CriminalHistory.arrests', 'ProtectedParty.address']));
    expect(never('dispatcher')).not.toContain('Person.name');
    // The screener reads convictions with purpose I, the only one its token allows; never arrests.
    expect(never('employment-screener')).not.toContain('CriminalHistory.convictions');
    expect(never('employment-screener')).toEqual(expect.arrayContaining(['CriminalHistory.arrests', 'Conviction.arrestId', 'Person.alerts']));
    expect(never('officer')).not.toContain('CriminalHistory.arrests');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'nope.js', '..%2Fpackage.json'])(
    'answers 404 for an unknown asset name (%s)',
    async (name) => {
      const res = await fetch(`${base}/explorer/assets/${name}`);
      expect(res.status).toBe(404);
    },
  );
});
