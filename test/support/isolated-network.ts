import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Runs a command inside its own network namespace (only a loopback interface: nothing can leave
 * the machine, however the code tries) under `strace -f`, which writes every connect and every
 * addressed send of the command and all its descendants to a file. Root only (as CI runs);
 * needs unshare (util-linux), ip (iproute2) and strace (`.ci/run` installs them when missing).
 */
export interface Isolated {
  /** The namespace's first process (strace, once the set-up shell has exec'd it). */
  readonly child: ChildProcess;
  /** Runs HTTP requests from inside the namespace (a process of its own, outside the trace). */
  fetchInside(requests: InsideRequest[]): Promise<InsideResponse[]>;
  /** Resolves when the traced command and every descendant have exited. */
  readonly exited: Promise<number | null>;
  /** What the command printed. */
  output(): string;
}

/** One request sent from inside the namespace. */
export interface InsideRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Its answer; status 0 when the connection failed. */
export interface InsideResponse {
  status: number;
  text: string;
}

/** The syscalls traced: every way a process names a peer to reach. */
const TRACED = 'connect,sendto,sendmsg,sendmmsg';

/**
 * Starts `command` in a fresh network namespace under the tracer. `setUp` runs first inside the
 * namespace (shell words, e.g. a Redis server for the stack), outside the trace.
 */
export function startIsolated(command: readonly string[], options: { env: NodeJS.ProcessEnv; traceFile: string; cwd?: string; setUp?: string }): Isolated {
  const script = ['set -e', 'ip link set lo up', options.setUp ?? ':', `exec strace -f --seccomp-bpf -qq -s 0 -e trace=${TRACED} -o "$TRACE_FILE" "$@"`].join(
    '\n',
  );
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', script, 'sh', ...command], {
    env: { ...options.env, TRACE_FILE: options.traceFile },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    exited,
    output: () => out.join(''),
    fetchInside: (requests) => fetchInNamespace(child.pid!, requests),
  };
}

const CLIENT = `
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', async () => {
  const out = [];
  for (const r of JSON.parse(input)) {
    try {
      const res = await fetch(r.url, { method: r.method ?? 'GET', headers: r.headers, body: r.body, signal: AbortSignal.timeout(10000) });
      out.push({ status: res.status, text: await res.text() });
    } catch (error) {
      out.push({ status: 0, text: String(error) });
    }
  }
  process.stdout.write(JSON.stringify(out));
});`;

function fetchInNamespace(pid: number, requests: InsideRequest[]): Promise<InsideResponse[]> {
  return new Promise((resolve, reject) => {
    const client = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, '--', process.execPath, '-e', CLIENT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    client.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    client.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    client.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`client inside the namespace failed (${code}): ${stderr}`))));
    client.stdin.end(JSON.stringify(requests));
  });
}

/** A destination a traced process tried to reach: `tcp-or-udp 127.0.0.1:4001`, `[::1]:53`, `unix /path`. */
export type Destination = string;

/**
 * Every destination named in a trace: IPv4 and IPv6 addresses with their port, and Unix socket
 * paths (a name lookup through nscd shows as one). Netlink (the kernel, for the machine's own
 * interfaces) is not a destination.
 */
export function destinationsIn(trace: string): Destination[] {
  const found = new Set<Destination>();
  for (const m of trace.matchAll(/sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/g)) found.add(`${m[2]}:${m[1]}`);
  for (const m of trace.matchAll(/sa_family=AF_INET6, sin6_port=htons\((\d+)\),.*?inet_pton\(AF_INET6, "([^"]+)"/g)) found.add(`[${m[2]}]:${m[1]}`);
  for (const m of trace.matchAll(/sa_family=AF_UNIX, sun_path=(@?)"([^"]*)"/g)) found.add(`unix ${m[1]}${m[2]}`);
  return [...found].sort();
}

/** The child of `parent` running a command line containing `text`, found in /proc. */
export function childProcessRunning(parent: number, text: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(
        readFileSync(`/proc/${entry}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ')[1],
      );
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}
