/** Real child processes (sh, sleep) on this host. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@shipmate/testing';
import { JobProcessEnd, runJobProcess } from './run-job-process.js';
import type { JobProcessSpec } from './run-job-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'job-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let runs = 0;
function spec(script: string, overrides: Partial<JobProcessSpec> = {}): JobProcessSpec {
  return {
    logFile: join(dir, `run-${++runs}.log`),
    command: 'sh',
    args: ['-c', script],
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GREETING: 'hello' },
    timeoutMs: 20_000,
    killGraceMs: 1_000,
    maxLogBytes: 1024,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Whether a process with `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runJobProcess', () => {
  it('keeps stdout and stderr interleaved, with only the given environment and working directory', async () => {
    const result = await runJobProcess(spec('echo "$GREETING"; echo err >&2; echo "home=${HOME:-none}"; pwd'));
    expect(result).toMatchObject({ end: JobProcessEnd.exited, exitCode: 0, droppedBytes: 0 });
    expect(result.logs).toBe(`hello\nerr\nhome=none\n${dir}\n`);
  });

  it('reports a non-zero exit code', async () => {
    expect(await runJobProcess(spec('echo failing; exit 3'))).toMatchObject({ end: JobProcessEnd.exited, exitCode: 3, logs: 'failing\n' });
  });

  it('keeps the last bytes of a long output and counts the dropped ones', async () => {
    const result = await runJobProcess(spec('i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done'));
    expect(Buffer.byteLength(result.logs)).toBeLessThanOrEqual(1024);
    expect(result.logs.endsWith('line 499\n')).toBe(true);
    expect(result.droppedBytes + Buffer.byteLength(result.logs)).toBe(Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join('').length);
  });

  it('stops the whole process group after the timeout', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const result = await runJobProcess(spec(`sleep 30 & echo $! > ${pidFile}; echo started; wait`, { timeoutMs: 500 }));
    expect(result).toMatchObject({ end: JobProcessEnd.timedOut, exitCode: null, exitSignal: 'SIGTERM', logs: 'started\n' });
    const { readFile } = await import('node:fs/promises');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await waitFor('the background sleep to be gone', async () => (alive(grandchild) ? undefined : true), 5_000);
  });

  it('sends SIGKILL when SIGTERM is ignored', async () => {
    const result = await runJobProcess(spec("trap '' TERM; echo ready; while :; do sleep 1; done", { timeoutMs: 500, killGraceMs: 300 }));
    expect(result).toMatchObject({ end: JobProcessEnd.timedOut, exitSignal: 'SIGKILL' });
  });

  it('stops the process when the signal aborts', async () => {
    const controller = new AbortController();
    const running = runJobProcess(spec('echo waiting; sleep 30', { signal: controller.signal }));
    setTimeout(() => controller.abort('aborted'), 200);
    expect(await running).toMatchObject({ end: JobProcessEnd.aborted, exitCode: null });
  });

  it('reports a program that does not exist', async () => {
    const result = await runJobProcess(spec('', { command: 'no-such-program-for-jobs', args: [] }));
    expect(result).toMatchObject({ end: JobProcessEnd.notStarted, exitCode: null });
    expect(result.startError).toContain('ENOENT');
  });
});
