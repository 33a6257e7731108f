import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process the bench started, pinned to a core. */
export interface BenchProcess {
  name: string;
  child: ChildProcess;
  output: string[];
}

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** `npm run bench -- --profile DIR` writes a V8 CPU profile per process into DIR/<name>/. */
let profileDir: string | null = null;
export function profileInto(dir: string): void {
  profileDir = dir;
}

/** Starts `node <args>` pinned to one core (taskset), with its output kept for diagnosis. */
export function startPinned(name: string, core: number, args: string[], env: NodeJS.ProcessEnv): BenchProcess {
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${name}`, ...args] : args;
  const command = hasTaskset ? 'taskset' : process.execPath;
  const argv = hasTaskset ? ['-c', String(core), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // Only the tail is kept, for diagnosis: subgraphs log a line per call, for the whole run.
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.splice(0, output.length - 100);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, child, output };
}

/** Pins this process (the load generator) to a core. */
export function pinSelf(core: number): boolean {
  return hasTaskset && spawnSync('taskset', ['-cp', String(core), String(process.pid)]).status === 0;
}

const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a process has used, from /proc. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Peak resident memory (MiB) of a process, from /proc (VmHWM). */
export function peakRssMiB(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Waits until `url` answers 2xx. */
export async function waitFor(url: string, proc: BenchProcess[], timeoutMs = 60_000, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = proc.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited:\n${dead.output.join('').slice(-2000)}`);
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** Stops processes and waits for them. */
export async function stopAll(procs: BenchProcess[]): Promise<void> {
  await Promise.all(
    procs.map((p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
      return exited.then(() => clearTimeout(timer));
    }),
  );
}
