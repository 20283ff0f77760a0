import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { readMainThreadCpuSeconds, readProcessCpuSeconds, walWritesOf } from './server-process.js';

/**
 * A fixed amount of CPU work (about 0.2-0.5 s here), the same however the thread is scheduled: a
 * loop bounded by time would do less work on a busy machine.
 */
const LOOPS = 300_000_000;
const WORK = `let x = 0; for (let i = 0; i < ${LOOPS}; i++) x = (x * 31 + i) | 0; globalThis.result = x;`;

/** The same work on the calling thread. */
function work(): number {
  let x = 0;
  for (let i = 0; i < LOOPS; i++) x = (x * 31 + i) | 0;
  return x;
}

describe('CPU readings of a server process', () => {
  it('counts the main thread alone: a busy worker thread raises the process figure, not the main thread one', async () => {
    const processBefore = readProcessCpuSeconds(process.pid);
    const mainBefore = readMainThreadCpuSeconds(process.pid);
    const worker = new Worker(WORK, { eval: true });
    await new Promise((resolve) => worker.once('exit', resolve));
    const processSpent = readProcessCpuSeconds(process.pid) - processBefore;
    const mainSpent = readMainThreadCpuSeconds(process.pid) - mainBefore;
    // The worker's loop counts for the process; the main thread only waited for it.
    expect(processSpent).toBeGreaterThanOrEqual(0.15);
    expect(mainSpent).toBeLessThan(processSpent - 0.1);

    const mainStart = readMainThreadCpuSeconds(process.pid);
    expect(typeof work()).toBe('number');
    expect(readMainThreadCpuSeconds(process.pid) - mainStart).toBeGreaterThanOrEqual(0.15);
  });

  it('reads NaN for a process that does not exist', () => {
    expect(readMainThreadCpuSeconds(2 ** 22 + 1)).toBeNaN();
    expect(readProcessCpuSeconds(2 ** 22 + 1)).toBeNaN();
  });
});

describe('walWritesOf', () => {
  it("reads what the server's startup line says of its WAL writes", () => {
    const line = (store: string) => `x\nshipmate control plane listening on http://127.0.0.1:1 (data dir /d, store ${store})\nweb UI …\n`;
    expect(walWritesOf(line('SQLite /d/shipmate.db, WAL writes coalesced'))).toBe('coalesced');
    expect(walWritesOf(line('SQLite /d/shipmate.db, WAL writes not coalesced: SHIPMATE_SQLITE_WAL_COALESCE=off'))).toBe(
      'not coalesced: SHIPMATE_SQLITE_WAL_COALESCE=off',
    );
    expect(walWritesOf(line('PostgreSQL postgres://u@h/db'))).toBeUndefined();
    expect(walWritesOf('')).toBeUndefined();
  });
});
