import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../platform/src';

/** Heap a fresh process may gain from filling the name caches: their 4 MiB byte bound, with room for V8's own overhead. */
const MAX_HEAP_GROWTH = 8 * 1024 * 1024;

/**
 * Runs criminal-history's name keys (the built module, as the subgraph runs it) in a process with
 * a 64 MB old space: `count` distinct names of `length` characters through both caches, then a
 * full collection. Returns how much the heap grew, or the process's failure.
 */
function fillNameCaches(count: number, length: number): { status: number | null; growth: number; stderr: string } {
  const script = `
    const { normaliseName, phoneticCodes } = require(${JSON.stringify(join(projectRoot(), 'dist/subgraphs/criminal-history/src/name-keys.js'))});
    global.gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < ${count}; i++) {
      const name = 'Q' + String(i).padStart(8, '0') + 'ab'.repeat(${Math.floor(length / 2)});
      normaliseName(name);
      phoneticCodes(name);
    }
    global.gc();
    console.log(process.memoryUsage().heapUsed - before);
  `;
  const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, growth: Number(run.stdout.trim()), stderr: run.stderr.slice(-500) };
}

/** docs/design.md §7 (issue 18, item 4): every cache is bounded in entries and bytes, whatever names callers send. */
describe('criminal-history name caches', () => {
  it('four hundred 95 KB last names (each a search) leave the heap within its bound', () => {
    const run = fillNameCaches(400, 95_000);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.growth).toBeLessThan(MAX_HEAP_GROWTH);
  });

  it('thirty thousand distinct 200-character names stay within the byte bound, not just the entry bound', () => {
    const run = fillNameCaches(30_000, 200);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.growth).toBeLessThan(MAX_HEAP_GROWTH);
  });
});
