import { createServer } from 'node:net';

// Ports are handed out from a block of this jest worker's own, below Linux's ephemeral range
// (32768–60999). `listen(0)` picks from the ephemeral range, where the kernel may give the same
// port to the next caller, or to an outgoing connection, before the child process binds it.
// Workers of one run share a parent, so their blocks differ; several runs at once on one machine
// (engineers side by side) each start from their own parent's id instead of all from block 1.
const BLOCK = 400;
const worker = (Number(process.env.JEST_WORKER_ID ?? '1') + process.ppid) % 25;
const first = 20_000 + worker * BLOCK;
let next = 0;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 right now, never handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = first + (next++ % BLOCK);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${first}–${first + BLOCK - 1}`);
}
