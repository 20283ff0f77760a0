/**
 * The test-results SLI provider (`test-results-service`): answers `get-sli` tasks whose
 * `sliProvider` is `test-results` (others are declined without a word) from the figures of the
 * newest `test.finished` of the same keptn context, stage and service, so a delivery's quality
 * gate (`test` → `evaluation`) works with no monitoring system: set the provider with
 * `sh.keptn.event.monitoring.configure` and `data.type: test-results`.
 *
 * Indicators: `response_time_p50`, `response_time_p95`, `response_time_p99` (ms), `throughput`
 * (requests/s), `error_rate` (0..1). An unknown one gets `success: false` and a message listing
 * these; no test in the context ends the task errored, saying to run a test task before the
 * evaluation. The `.finished` data is Keptn's (`get-sli: {start, end, indicatorValues}`), with the
 * result of the prometheus-service: pass, warning when some values are missing, fail when all are.
 */
import type { Integration, TaskHandler } from '@shipmate/agent-sdk';
import type { KeptnEvent } from '@shipmate/core';
import { getSliBlock } from '../prometheus/get-sli-request.js';
import { firstEvent, latestTestPath, sliFromTest } from './test-results-sli.js';

/** The integration's name. */
export const TEST_RESULTS_SERVICE = 'test-results-service';

/** The `sliProvider` this integration answers for. */
export const TEST_RESULTS_SLI_PROVIDER = 'test-results';

/** Whether a `get-sli` task asks for this provider. */
export function acceptsTestResults(event: KeptnEvent): boolean {
  return getSliBlock(event.data)?.sliProvider === TEST_RESULTS_SLI_PROVIDER;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The handler of `get-sli` tasks. */
export function testResultsHandler(): TaskHandler {
  return async (task) => {
    const block = getSliBlock(task.data) ?? {};
    const indicators = Array.isArray(block.indicators) ? block.indicators.filter((i): i is string => typeof i === 'string') : [];
    const scope = {
      keptnContext: task.event.shkeptncontext,
      project: String(task.data.project),
      stage: String(task.data.stage),
      service: String(task.data.service),
    };
    const echo = { sliProvider: block.sliProvider, start: block.start, end: block.end, indicators };
    const test = firstEvent(await task.api(latestTestPath(scope)));
    if (test === undefined)
      return {
        status: 'errored',
        result: 'fail',
        message: `no test.finished for service '${scope.service}' in stage '${scope.stage}' of this sequence (context ${scope.keptnContext}): the test-results provider reads the figures of a test; run a test task (e.g. with the http-test-service) before the evaluation`,
        'get-sli': { ...echo, indicatorValues: [] },
      };
    const values = sliFromTest(indicators, record(test.data.test), `${test.source} (event ${test.id})`);
    const failed = values.filter((v) => !v.success).length;
    const result = failed === 0 ? 'pass' : failed < values.length ? 'warning' : 'fail';
    return {
      status: 'succeeded',
      result,
      ...(result === 'pass'
        ? {}
        : {
            message: `${failed} of ${values.length} indicator(s) have no value: ${values
              .filter((v) => !v.success)
              .map((v) => v.message)
              .join('; ')}`,
          }),
      'get-sli': { ...echo, indicatorValues: values },
    };
  };
}

/** Subscribes the test-results SLI provider on `integration` (named {@link TEST_RESULTS_SERVICE}). */
export function withTestResults(integration: Integration): Integration {
  return integration.onTask('get-sli', testResultsHandler(), { accepts: acceptsTestResults });
}
