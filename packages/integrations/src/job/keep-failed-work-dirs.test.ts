/** runJob with keepFailedWorkDirs, over a task context made in the test (the rest runs against a real server in job-integration.test.ts). */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskContext } from '@shipmate/agent-sdk';
import { resolveJobOptions, runJob } from './job-integration.js';

const CONFIG = `apiVersion: v2
actions:
  - name: checks
    events: [{name: sh.keptn.event.test.triggered}]
    tasks:
      - name: broken
        cmd: [sh, -c, "echo left behind > out.txt; exit 4"]
`;

let jobDir: string;
beforeAll(async () => {
  jobDir = await mkdtemp(join(tmpdir(), 'shipmate-kept-'));
});
afterAll(async () => {
  await rm(jobDir, { recursive: true, force: true });
});

function context(): TaskContext {
  const event = {
    id: 'abcdef0123456789',
    type: 'sh.keptn.event.test.triggered',
    source: 'shipyard-controller',
    specversion: '1.0',
    time: '2024-01-01T00:00:00.000Z',
    shkeptncontext: 'ctx',
    data: { project: 'p', stage: 'dev', service: 's' },
  };
  return {
    event,
    task: 'test',
    data: event.data,
    signal: new AbortController().signal,
    progress: async () => undefined,
    started: async () => undefined,
    resource: async (uri) => (uri === 'job/config.yaml' ? { content: Buffer.from(CONFIG), level: 'service' } : undefined),
    secret: async () => ({}),
    api: async () => ({}),
    subtask: async () => {
      throw new Error('no subtasks here');
    },
  };
}

describe('keepFailedWorkDirs', () => {
  it('keeps the working directory of a failed task and names it in the message', async () => {
    const outcome = (await runJob(
      context(),
      resolveJobOptions({ jobDir, keepFailedWorkDirs: true, baseEnv: { PATH: process.env.PATH ?? '' } }),
    )) as {
      status: string;
      message: string;
    };
    expect(outcome.status).toBe('errored');
    const kept = await readdir(jobDir);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^abcdef01-checks-broken-/);
    expect(outcome.message).toContain(`exited with code 4.\n(working directory kept: ${join(jobDir, kept[0]!)})`);
    expect(await readFile(join(jobDir, kept[0]!, 'out.txt'), 'utf8')).toBe('left behind\n');
  });

  it('removes it by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shipmate-removed-'));
    try {
      const outcome = (await runJob(context(), resolveJobOptions({ jobDir: dir, baseEnv: { PATH: process.env.PATH ?? '' } }))) as {
        message: string;
      };
      expect(outcome.message).toContain('exited with code 4.\n\nLast lines:\n(no output)');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
