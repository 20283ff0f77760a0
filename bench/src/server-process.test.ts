import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { readMainThreadCpuSeconds, readProcessCpuSeconds } from './server-process.js';

/** Spins the calling thread for `ms` of wall time. */
function spin(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

describe('CPU readings of a server process', () => {
  it('counts the main thread alone: a busy worker thread raises the process figure, not the main thread one', async () => {
    const worker = new Worker('const until = Date.now() + 400; while (Date.now() < until) {}', { eval: true });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const processBefore = readProcessCpuSeconds(process.pid);
    const mainBefore = readMainThreadCpuSeconds(process.pid);
    await exited;
    const workerOnly = {
      process: readProcessCpuSeconds(process.pid) - processBefore,
      main: readMainThreadCpuSeconds(process.pid) - mainBefore,
    };
    // The worker spun about 0.4 s while the main thread waited for it.
    expect(workerOnly.process).toBeGreaterThanOrEqual(0.2);
    expect(workerOnly.main).toBeLessThan(workerOnly.process - 0.15);

    const mainStart = readMainThreadCpuSeconds(process.pid);
    spin(300);
    expect(readMainThreadCpuSeconds(process.pid) - mainStart).toBeGreaterThanOrEqual(0.2);
  });

  it('reads NaN for a process that does not exist', () => {
    expect(readMainThreadCpuSeconds(2 ** 22 + 1)).toBeNaN();
    expect(readProcessCpuSeconds(2 ** 22 + 1)).toBeNaN();
  });
});
