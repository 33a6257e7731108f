import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../platform/src';

/** `npm start`'s launcher, compiled. */
export const LAUNCHER_SCRIPT = join(projectRoot(), 'dist/scripts/start-sandbox.js');

/** A running `npm start` launcher (or a command wrapping it), with the lines it printed. */
export interface Launcher {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Waits until a printed line matches, counting only lines printed after the `after`-th. */
  waitForLine(pattern: RegExp, timeoutMs: number, after?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (Ctrl-C's equivalent), then its exit code; SIGKILL after 20 s. */
  stop(): Promise<number | null>;
}

/** Starts `command` (the launcher, or a wrapper around it) and collects what it prints. */
export function spawnLauncher(command: readonly string[], env: NodeJS.ProcessEnv): Launcher {
  const child = spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const w of waiters) w();
    });
  }
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    lines,
    waitForLine(pattern, timeoutMs, after = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of lines.slice(after)) {
            const m = line.match(pattern);
            if (m) {
              cleanup();
              resolve(m);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; printed:\n${lines.slice(-40).join('\n')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
