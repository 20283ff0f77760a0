import { describe, expect, it } from 'vitest';
import { firstEvent, latestTestPath, sliFromTest } from './test-results-sli.js';

describe('sliFromTest', () => {
  const test = {
    start: '2026-01-01T10:00:00.000Z',
    end: '2026-01-01T10:00:05.000Z',
    latencyP50Ms: 51.2,
    latencyP95Ms: 60.4,
    latencyP99Ms: 70,
    throughputRps: 19.5,
    errorRate: 0,
    requests: 100,
  };

  it.each([
    { indicator: 'response_time_p50', value: 51.2 },
    { indicator: 'response_time_p95', value: 60.4 },
    { indicator: 'response_time_p99', value: 70 },
    { indicator: 'throughput', value: 19.5 },
    { indicator: 'error_rate', value: 0 },
  ])('$indicator is $value', ({ indicator, value }) => {
    expect(sliFromTest([indicator], test, 'http-test-service')).toEqual([{ metric: indicator, value, success: true, message: '' }]);
  });

  it('an unknown indicator fails with the known ones listed; the others keep their values', () => {
    expect(sliFromTest(['response_time_p90', 'error_rate'], test, 'http-test-service')).toEqual([
      {
        metric: 'response_time_p90',
        value: 0,
        success: false,
        message:
          "indicator 'response_time_p90' is not a test result; the test-results provider knows response_time_p50, response_time_p95, response_time_p99, throughput, error_rate",
      },
      { metric: 'error_rate', value: 0, success: true, message: '' },
    ]);
  });

  it('a figure the test lacks (no response arrived, or another test tool) fails, naming the event', () => {
    const [value] = sliFromTest(['response_time_p95'], { errorRate: 1 }, 'jmeter-service (event e1)');
    expect(value).toMatchObject({ success: false, value: 0 });
    expect(value?.message).toMatch(
      /^the test.finished of jmeter-service \(event e1\) has no latencyP95Ms for 'response_time_p95' \(no response arrived\?\)/,
    );
  });

  it('inherited names are not indicators', () => {
    expect(sliFromTest(['toString'], test, 's')[0]?.success).toBe(false);
  });
});

describe('latestTestPath', () => {
  it('asks the datastore for the newest test.finished of the context, project, stage and service', () => {
    const path = latestTestPath({ keptnContext: 'c-1', project: 'shop', stage: 'dev', service: 'carts' });
    const url = new URL(path, 'http://x');
    expect(url.pathname).toBe('/mongodb-datastore/event/type/sh.keptn.event.test.finished');
    expect(url.searchParams.get('filter')).toBe('shkeptncontext:c-1 AND data.project:shop AND data.stage:dev AND data.service:carts');
    expect(url.searchParams.get('limit')).toBe('1');
  });
});

describe('firstEvent', () => {
  it.each([
    { answer: { events: [{ id: 'a' }, { id: 'b' }] }, want: { id: 'a' } },
    { answer: { events: [] }, want: undefined },
    { answer: {}, want: undefined },
    { answer: undefined, want: undefined },
  ])('$answer', ({ answer, want }) => {
    expect(firstEvent(answer)).toEqual(want);
  });
});
