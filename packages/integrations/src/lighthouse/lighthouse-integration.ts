/**
 * The lighthouse (Keptn's `lighthouse-service`): answers every `evaluation` task.
 *
 * 1. The time frame comes from the event (evaluation-window.ts).
 * 2. `slo.yaml` is read at service level at the sequence's commit. Without one, a project that
 *    has no SLI provider configured gets Keptn's pass with the message that nothing was evaluated;
 *    a project that has one fails, since a quality gate is set up and this service lacks its SLO.
 * 3. The SLI provider is read from `lighthouse/config.yaml` (stage, then project level; written by
 *    `sh.keptn.event.monitoring.configure`).
 * 4. `get-sli` is asked as a sub-task in the evaluation's context, so any integration subscribed to
 *    it (in any execution plane) answers.
 * 5. The values are scored against the SLO and the earlier evaluations (score-evaluation.ts).
 *
 * Fail closed: a missing or unparsable file, a missing provider, a provider that fails or does not
 * answer, and a missing SLI value give `fail`, never `pass`; errors in the setup are `errored`.
 */
import { SLI_PROVIDER_CONFIG_URI, TaskResult, TaskStatus, parseSliProviderConfig } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';
import type { Integration, TaskContext, TaskHandler } from '@shipmate/agent-sdk';
import { evaluationWindow } from './evaluation-window.js';
import { parseSlo } from './parse-slo.js';
import type { Slo } from './parse-slo.js';
import { comparedEvaluations, previousEvaluationsPath } from './previous-evaluations.js';
import { scoreEvaluation } from './score-evaluation.js';
import type { SliValue } from './score-evaluation.js';

/** Keptn's name of the integration. */
export const LIGHTHOUSE_SERVICE = 'lighthouse-service';

/** Options of the lighthouse. */
export interface LighthouseOptions {
  /** How long to wait for the SLI provider's `get-sli.finished`. @default 600000 (10 minutes) */
  sliTimeoutMs?: number;
}

/** Keptn's message for an evaluation without an SLO file. */
export const NO_SLO_MESSAGE = 'no evaluation performed by lighthouse because no SLO file found';

interface Window {
  start: string;
  end: string;
}

/** An evaluation that cannot be scored: `fail`, with `errored` when the setup is broken. */
class EvaluationStop extends Error {
  constructor(
    message: string,
    readonly status: 'errored' | 'succeeded' = 'errored',
  ) {
    super(message);
  }
}

function evaluationData(window: Window | undefined, fields: Record<string, unknown>): Record<string, unknown> {
  return { timeStart: window?.start ?? '', timeEnd: window?.end ?? '', ...fields };
}

async function readSlo(task: TaskContext): Promise<{ text: string; slo: Slo } | undefined> {
  const file = await task.resource('slo.yaml', { levels: ['service'] });
  if (!file) return undefined;
  const text = file.content.toString('utf8');
  try {
    return { text, slo: parseSlo(text) };
  } catch (error) {
    throw new EvaluationStop(
      `invalid slo.yaml of service '${String(task.data.service)}': ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function readProvider(task: TaskContext): Promise<string | undefined> {
  const file = await task.resource(SLI_PROVIDER_CONFIG_URI, { levels: ['stage', 'project'] });
  if (!file) return undefined;
  try {
    return parseSliProviderConfig(file.content.toString('utf8'));
  } catch (error) {
    throw new EvaluationStop(error instanceof Error ? error.message : String(error));
  }
}

/** The SLI values the provider reported, or why there are none. */
function sliValues(answer: KeptnEvent, provider: string): SliValue[] {
  const status = answer.data.status;
  if (status === TaskStatus.errored || status === TaskStatus.aborted) {
    const message = typeof answer.data.message === 'string' && answer.data.message !== '' ? answer.data.message : `status ${status}`;
    throw new EvaluationStop(`SLI provider '${provider}' (${answer.source}) failed to retrieve SLIs: ${message}`);
  }
  const values = (answer.data['get-sli'] as { indicatorValues?: unknown } | undefined)?.indicatorValues;
  if (!Array.isArray(values)) return [];
  return values.flatMap((v): SliValue[] => {
    const entry = v as Record<string, unknown>;
    if (typeof entry.metric !== 'string') return [];
    const value = typeof entry.value === 'number' && Number.isFinite(entry.value) ? entry.value : 0;
    const measured = typeof entry.value === 'number' && Number.isFinite(entry.value);
    const success = entry.success === true && measured;
    const message = typeof entry.message === 'string' ? entry.message : measured ? '' : 'the value is not a finite number';
    return [{ metric: entry.metric, value, success, message }];
  });
}

/** The `get-sli` request of Keptn's lighthouse. */
function getSliData(slo: Slo, provider: string, window: Window, data: Record<string, unknown>): Record<string, unknown> {
  const deployment = data.deployment as { deploymentNames?: unknown } | undefined;
  const names = Array.isArray(deployment?.deploymentNames) ? deployment.deploymentNames : [];
  return {
    'get-sli': {
      sliProvider: provider,
      start: window.start,
      end: window.end,
      indicators: [...new Set(slo.objectives.map((o) => o.sli))],
      customFilters: Object.entries(slo.filter).map(([key, value]) => ({ key, value })),
    },
    ...(typeof names[0] === 'string' ? { deployment: names[0] } : {}),
  };
}

/** The handler of `evaluation` tasks. */
export function handleEvaluation(options: LighthouseOptions = {}): TaskHandler {
  return async (task) => {
    const scope = { project: String(task.data.project), stage: String(task.data.stage), service: String(task.data.service) };
    const windowResult = evaluationWindow(task.data, Date.now());
    let window: Window | undefined;
    let sloText: string | undefined;
    try {
      if (!windowResult.ok) throw new EvaluationStop(windowResult.message);
      window = { start: windowResult.start, end: windowResult.end };
      const found = await readSlo(task);
      const provider = await readProvider(task);
      if (!found) {
        if (provider === undefined) {
          return { result: TaskResult.pass, message: NO_SLO_MESSAGE, evaluation: evaluationData(window, { result: 'pass', score: 0 }) };
        }
        throw new EvaluationStop(
          `project '${scope.project}' has SLI provider '${provider}' configured but service '${scope.service}' has no slo.yaml in stage '${scope.stage}': add its slo.yaml, or remove ${SLI_PROVIDER_CONFIG_URI} to run without quality gates`,
          'succeeded',
        );
      }
      sloText = found.text;
      if (provider === undefined) {
        throw new EvaluationStop(
          `no SLI provider is configured for project '${scope.project}': send sh.keptn.event.monitoring.configure with data.type (e.g. prometheus), or write ${SLI_PROVIDER_CONFIG_URI} at project or stage level`,
        );
      }
      await task.progress(
        `asking SLI provider '${provider}' for ${found.slo.objectives.length} indicator(s) from ${window.start} to ${window.end}`,
      );
      const answer = await task.subtask('get-sli', getSliData(found.slo, provider, window, task.data), {
        ...(options.sliTimeoutMs === undefined ? {} : { timeoutMs: options.sliTimeoutMs }),
      });
      const values = sliValues(answer, provider);
      const previous = comparedEvaluations(await task.api(previousEvaluationsPath(scope, found.slo)));
      const outcome = scoreEvaluation(found.slo, values, previous);
      const compared = previous.slice(0, found.slo.comparison.resultCount).map((p) => p.eventId);
      return {
        result: outcome.result,
        status: TaskStatus.succeeded,
        message: outcome.message,
        evaluation: evaluationData(window, {
          result: outcome.result,
          score: outcome.score,
          sloFileContent: Buffer.from(found.text).toString('base64'),
          indicatorResults: outcome.indicatorResults,
          comparedEvents: compared,
        }),
      };
    } catch (error) {
      if (task.signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const status = error instanceof EvaluationStop ? error.status : TaskStatus.errored;
      return {
        result: TaskResult.fail,
        status,
        message,
        evaluation: evaluationData(window, {
          result: 'fail',
          score: 0,
          ...(sloText === undefined ? {} : { sloFileContent: Buffer.from(sloText).toString('base64') }),
        }),
      };
    }
  };
}

/** Subscribes the lighthouse on `integration` (named {@link LIGHTHOUSE_SERVICE}). */
export function withLighthouse(integration: Integration, options: LighthouseOptions = {}): Integration {
  return integration.onTask('evaluation', handleEvaluation(options));
}
