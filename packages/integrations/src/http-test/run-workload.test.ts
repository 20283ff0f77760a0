/**
 * runWorkload against a local sample service (GET /work answers "done" after its delay; anything
 * else is 404) that gets no traffic but the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleService, freePort } from '@shipmate/testing';
import type { SampleService } from '@shipmate/testing';
import { parseWorkloads } from './parse-workloads.js';
import type { Workload } from './parse-workloads.js';
import { requestTarget, runWorkload } from './run-workload.js';

let service: SampleService;

beforeAll(async () => {
  service = await createSampleService({ latency: 5, requestsPerSecond: 0 });
});

afterAll(async () => {
  await service?.stop();
});

const workload = (yaml: string): Workload => parseWorkloads(`workloads:\n  - teststrategy: t\n${yaml}`, 'test/workloads.yaml')[0]!;

describe('requestTarget', () => {
  it.each([
    { base: 'http://s:8080/', path: undefined, want: 'http://s:8080/' },
    { base: 'http://s:8080/api/health', path: undefined, want: 'http://s:8080/api/health' },
    { base: 'http://s:8080/api/health', path: '/work?x=1', want: 'http://s:8080/work?x=1' },
  ])('$path against $base is $want', ({ base, path, want }) => {
    expect(requestTarget(new URL(base), path).href).toBe(want);
  });
});

describe('runWorkload', () => {
  it('sends vuser × loopcount passes through the requests, holding each response to its own request’s checks', async () => {
    const run = await runWorkload(
      new URL(service.url),
      workload(`    vuser: 3
    loopcount: 4
    requests:
      - path: /work
        checks: [{status: 200}, {bodyContains: done}]
      - path: /missing
        checks: [{status: 404}]
`),
      { requestTimeoutMs: 10_000 },
    );
    expect(run.samples).toHaveLength(24);
    expect(run.samples.filter((s) => s.failure !== undefined)).toEqual([]);
    expect(run.samples.every((s) => typeof s.latencyMs === 'number')).toBe(true);
    expect(run.firstFailure).toBeUndefined();
    expect(run.endMs).toBeGreaterThan(run.startMs);
  });

  it('counts a response breaking a workload check as failed and describes the first', async () => {
    const run = await runWorkload(new URL(`${service.url}/work`), workload('    loopcount: 2\n    checks: [{bodyContains: welcome}]\n'), {
      requestTimeoutMs: 10_000,
    });
    expect(run.samples).toHaveLength(2);
    expect(run.samples.every((s) => s.failure === "body does not contain 'welcome'")).toBe(true);
    expect(run.firstFailure).toBe(`GET ${service.url}/work: body does not contain 'welcome'`);
  });

  it('counts requests to a closed port as failed, with no response time', async () => {
    const port = await freePort();
    const run = await runWorkload(new URL(`http://127.0.0.1:${port}/`), workload('    loopcount: 2\n'), { requestTimeoutMs: 2000 });
    expect(run.samples.length).toBeGreaterThan(0);
    expect(run.samples.every((s) => s.latencyMs === undefined && /^no response \(.*ECONNREFUSED/.test(s.failure ?? ''))).toBe(true);
  });

  it('stops a run of 10 minutes when its signal is aborted (the sequence was aborted)', async () => {
    const run = await runWorkload(new URL(`${service.url}/work`), workload('    duration: 10m\n'), {
      requestTimeoutMs: 10_000,
      signal: AbortSignal.abort('aborted'),
    });
    expect(run.samples.filter((s) => s.failure !== undefined)).toEqual([]);
  });
});
