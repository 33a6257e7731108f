import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../platform/src';
import { startStack, type Stack } from '../support/stack';

/** The audit from the operator's side: subgraph call logs, `audit verify` and `audit report` on a running system's data. */
describe('audit tools on a running stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ persons: 300, env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot(), 'dist/scripts/audit-cli.js'), ...args], {
      env: { ...process.env, DATA_DIR: stack.dataDir },
      encoding: 'utf8',
    });

  it('has each subgraph log the calls it serves, with the request id, caller and subjects', async () => {
    const result = await stack.query('officer', '{ person(id: "A10000001") { name { last } protectiveOrders { id } alerts { id } } }');
    const requestId = result.headers.get('x-request-id')!;
    for (const service of ['criminal-history', 'orders', 'alerts'] as const) {
      const line = await stack.waitForLog(service, requestId);
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({
        requestId,
        user: 'u-officer-1001',
        ori: 'CA0194200',
        purpose: 'C',
        subjects: expect.arrayContaining(['Person:A10000001']),
      });
    }
  });

  it('reports a sweep through consecutive SIDs and a screener probing for arrests, with the records behind them', async () => {
    for (let n = 200; n < 212; n++) await stack.query('officer', `{ person(id: "A10000${n}") { name { last } } }`);
    for (let i = 0; i < 3; i++) {
      await stack.query(
        'employment-screener',
        '{ searchPersons(lastName: "DOE", firstName: "JOHN", dateOfBirth: "1985-03-14") { person { criminalHistory { arrests { date } } } } }',
      );
    }
    const run = cli('report', '--json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { signals: Array<{ signal: string; user: string; records: string[] }> };
    const sweep = report.signals.find((s) => s.signal === 'SEQUENTIAL_BULK_LOOKUPS');
    expect(sweep).toMatchObject({ user: 'u-officer-1001' });
    expect(sweep!.records).toHaveLength(12);
    expect(report.signals.find((s) => s.signal === 'SCREENER_PROBING')).toMatchObject({ user: 'u-screener-4001', records: expect.any(Array) });
    const text = cli('report');
    expect(text.stdout).toContain('SEQUENTIAL_BULK_LOOKUPS  user=u-officer-1001');
  });

  it('records ERROR when the only source asked is down, and no subject', async () => {
    await stack.kill('alerts');
    const result = await stack.query('officer', '{ alerts(type: WANTED_PERSON) { id } }');
    expect(result.body.errors![0].extensions!.code).toBe('SOURCE_UNAVAILABLE');
    const requestId = result.headers.get('x-request-id');
    const { body } = await stack.query('auditor', `{ auditEvents(user: "u-officer-1001", limit: 5) { requestId outcome subjects errorCodes } }`);
    expect(body.data!.auditEvents.find((e: any) => e.requestId === requestId)).toEqual({
      requestId,
      outcome: 'ERROR',
      subjects: [],
      errorCodes: ['SOURCE_UNAVAILABLE'],
    });
  });

  it('verifies the chain the running gateway wrote', async () => {
    const run = cli('verify');
    expect(run.stdout).toMatch(/audit chains intact: 1 chains, \d+ records/);
    expect(run.status).toBe(0);
  });
});
