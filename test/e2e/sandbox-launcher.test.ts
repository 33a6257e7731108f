import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPersona } from '../../access-policy/src';
import { DevIssuer } from '../../gateway/src/dev-issuer/dev-issuer';
import { ensureSandboxKeyPair, SANDBOX_KEYS } from '../../platform/src';
import { freePort } from '../support/free-port';
import { LAUNCHER_SCRIPT, spawnLauncher, type Launcher } from '../support/launcher';
import { postGraphQL } from '../support/stack';

/** Four consecutive free ports: the launcher puts the gateway on PORT and the subgraphs on PORT+1…+3. */
async function portBlock(): Promise<number> {
  let run: number[] = [];
  for (let i = 0; i < 200; i++) {
    const p = await freePort();
    run = run.length && p === run[run.length - 1] + 1 ? [...run, p] : [p];
    if (run.length === 4) return run[0];
  }
  throw new Error('no four consecutive free ports');
}

/** The launcher's child process running a compiled entry point, found in /proc (not from what the launcher prints). */
function childRunning(parent: number, script: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(
        readFileSync(`/proc/${entry}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ')[1],
      );
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(script)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start: the sandbox launcher restarts a crashed service instead of stopping everything', () => {
  let launcher: Launcher;
  let dataDir: string;
  let baseUrl: string;
  let officer: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-launcher-'));
    const port = await portBlock();
    baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, SEED_PERSONS: '20', LOG_LEVEL: 'warn' };
    // The launcher asks for the sandbox itself.
    delete env.CUSTODIAN_MODE;
    launcher = spawnLauncher([process.execPath, LAUNCHER_SCRIPT], env);
    await launcher.waitForLine(/Custodian sandbox: /, 60_000);
    await ready(baseUrl, 60_000);
    await ensureSandboxKeyPair(dataDir, SANDBOX_KEYS.devIssuer);
    officer = await (await DevIssuer.open(dataDir, 'sandbox')).sign(findPersona('officer')!);
  });
  afterAll(async () => {
    await launcher?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ordersOfDoe = () =>
    postGraphQL(
      `${baseUrl}/graphql`,
      { query: '{ person(id: "A10000001") { protectiveOrders { id } } }' },
      {
        authorization: `Bearer ${officer}`,
        'x-purpose-code': 'C',
        'x-reason': 'INC-2026-000123',
      },
    );

  it('a subgraph killed under the launcher is started again, says so, and serves; the others never stopped', async () => {
    const before = await ordersOfDoe();
    expect(before.body.data!.person.protectiveOrders.map((o: { id: string }) => o.id)).toContain('PO-000001');
    const orders = childRunning(launcher.child.pid!, 'dist/subgraphs/orders/src/main.js')!;
    const gateway = childRunning(launcher.child.pid!, 'dist/gateway/src/main.js')!;
    const printed = launcher.lines.length;

    process.kill(orders, 'SIGKILL');

    await launcher.waitForLine(/^\[orders\] exited \(SIGKILL\); restarting in 1 s/, 5000, printed);
    const again = Number((await launcher.waitForLine(/^\[orders\] started \(pid (\d+)\)/, 10_000, printed))[1]);
    expect(again).not.toBe(orders);
    expect(childRunning(launcher.child.pid!, 'dist/subgraphs/orders/src/main.js')).toBe(again);
    await ready(baseUrl, 30_000);
    const after = await ordersOfDoe();
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data!.person.protectiveOrders.map((o: { id: string }) => o.id)).toContain('PO-000001');
    expect(isAlive(gateway)).toBe(true);
    expect(launcher.lines.filter((l) => /^\[(gateway|criminal-history|alerts)\] exited/.test(l))).toEqual([]);
    expect(launcher.child.exitCode).toBeNull();
    // It says so: which service, which process, and when it comes back.
    expect(launcher.lines).toContain(`[orders] started (pid ${orders})`);
  });

  it('Ctrl-C (SIGTERM) still stops every service and exits 0', async () => {
    const pids = launcher.lines
      .map((l) => l.match(/started \(pid (\d+)\)/))
      .filter(Boolean)
      .map((m) => Number(m![1]));
    expect(await launcher.stop()).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

describe('npm start beside NODE_ENV=production', () => {
  it('refuses before seeding or starting anything, naming the contradiction', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custodian-launcher-'));
    try {
      const launcher = spawnLauncher([process.execPath, LAUNCHER_SCRIPT], {
        ...process.env,
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
      });
      await new Promise((r) => launcher.child.once('close', r));
      expect(launcher.child.exitCode).toBe(1);
      expect(launcher.lines.join('\n')).toMatch(/CUSTODIAN_MODE: sandbox asked for with NODE_ENV=production/);
      expect(launcher.lines.join('\n')).not.toMatch(/started \(pid|\[seed\]/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function ready(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${baseUrl} not ready after ${timeoutMs} ms`);
}
