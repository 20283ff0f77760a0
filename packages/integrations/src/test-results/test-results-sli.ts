/**
 * The SLI values of a test run: what the test-results provider answers from the figures of a
 * `test.finished` event (the http-test-service's, test-figures.ts). Pure: no I/O.
 */
import type { KeptnEvent } from '@shipmate/core';

/** Indicator name → the `test` figure it reads (ms for response times, requests/s, a 0..1 fraction). */
export const TEST_RESULT_INDICATORS: Readonly<Record<string, string>> = Object.freeze({
  response_time_p50: 'latencyP50Ms',
  response_time_p95: 'latencyP95Ms',
  response_time_p99: 'latencyP99Ms',
  throughput: 'throughputRps',
  error_rate: 'errorRate',
});

/** One SLI value as Keptn's `SLIResult`. */
export interface TestResultSli {
  readonly metric: string;
  readonly value: number;
  readonly success: boolean;
  readonly message: string;
}

/** The datastore path of the newest `test.finished` of a context, stage and service. */
export function latestTestPath(scope: { keptnContext: string; project: string; stage: string; service: string }): string {
  const filter = encodeURIComponent(
    [
      `shkeptncontext:${scope.keptnContext}`,
      `data.project:${scope.project}`,
      `data.stage:${scope.stage}`,
      `data.service:${scope.service}`,
    ].join(' AND '),
  );
  return `/mongodb-datastore/event/type/sh.keptn.event.test.finished?filter=${filter}&limit=1`;
}

/** The first event of a datastore answer. */
export function firstEvent(answer: unknown): KeptnEvent | undefined {
  const events = (answer as { events?: unknown } | undefined)?.events;
  return Array.isArray(events) ? (events[0] as KeptnEvent | undefined) : undefined;
}

/** The values of `indicators` from `test` (a `test.finished` event's `data.test`) by `source`. */
export function sliFromTest(indicators: readonly string[], test: Record<string, unknown>, source: string): TestResultSli[] {
  const known = Object.keys(TEST_RESULT_INDICATORS).join(', ');
  return indicators.map((metric) => {
    const figure = Object.hasOwn(TEST_RESULT_INDICATORS, metric) ? TEST_RESULT_INDICATORS[metric] : undefined;
    if (figure === undefined)
      return {
        metric,
        value: 0,
        success: false,
        message: `indicator '${metric}' is not a test result; the test-results provider knows ${known}`,
      };
    const value = test[figure];
    if (typeof value !== 'number' || !Number.isFinite(value))
      return {
        metric,
        value: 0,
        success: false,
        message: `the test.finished of ${source} has no ${figure} for '${metric}'${figure.startsWith('latency') ? ' (no response arrived?)' : ''}; run the test with the http-test-service`,
      };
    return { metric, value, success: true, message: '' };
  });
}
