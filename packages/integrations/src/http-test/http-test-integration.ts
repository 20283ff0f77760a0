/**
 * The HTTP test integration (`http-test-service`, the successor of Keptn's jmeter-service under a
 * name of its own): answers `test` tasks by sending HTTP requests to the deployed service with
 * autocannon, in process.
 *
 * 1. `data.test.teststrategy` (lower-cased, as Keptn): `real-user` is ignored (no event at all, as
 *    jmeter-service; the SDK sends no `.started` since the handler defers it); empty runs the health
 *    check only; any other name runs the health check, then that strategy's workload.
 * 2. The target is `data.deployment.deploymentURIsLocal[0]`, else `deploymentURIsPublic[0]`
 *    (jmeter-service §6.2); without one the task is errored naming both fields.
 * 3. Workloads come from `test/workloads.yaml`, else Keptn's `jmeter/jmeter.conf.yaml` (each at
 *    service, then stage, then project level), then Keptn's built-in defaults (parse-workloads.ts).
 *    A broken file or a strategy no one defines ends the task errored with the file, line and fix.
 * 4. `test.finished` carries `test: {start, end}` (the run's window, which the lighthouse evaluates)
 *    with the figures (test-figures.ts), and `result` pass/fail with a message naming the failed
 *    criterion. A failed health check fails the test without running the strategy (Keptn).
 */
import { LEAVE_OPEN } from '@shipmate/agent-sdk';
import type { Integration, TaskContext, TaskHandler } from '@shipmate/agent-sdk';
import { ErrorCode, InputError } from '@shipmate/core';
import { DEFAULT_WORKLOADS, JMETER_CONF_URI, WORKLOADS_URI, findWorkload, knownStrategies, parseWorkloads } from './parse-workloads.js';
import type { Workload } from './parse-workloads.js';
import { runWorkload } from './run-workload.js';
import { computeFigures, judge } from './test-figures.js';
import type { TestFigures, Verdict } from './test-figures.js';

/** The integration's name. */
export const HTTP_TEST_SERVICE = 'http-test-service';

/** Keptn's strategy for real-user traffic, which a test service leaves alone. */
export const REAL_USER_STRATEGY = 'real-user';

/** The workload run before every strategy and alone for an empty strategy. */
export const HEALTHCHECK_STRATEGY = 'healthcheck';

/** Options of the http-test-service. */
export interface HttpTestOptions {
  /** How long one request may take before it counts as failed. @default 10000 */
  requestTimeoutMs?: number;
}

/** {@link HttpTestOptions} resolved. */
export interface ResolvedHttpTestOptions {
  readonly requestTimeoutMs: number;
}

/** Resolves and checks options once. */
export function resolveHttpTestOptions(options: HttpTestOptions = {}): ResolvedHttpTestOptions {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs < 1000)
    throw new InputError(ErrorCode.invalidField, `requestTimeoutMs ${requestTimeoutMs} must be at least 1000 milliseconds`);
  return Object.freeze({ requestTimeoutMs });
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** `data.test.teststrategy`, trimmed and lower-cased as Keptn's jmeter-service does. */
export function testStrategyOf(data: Record<string, unknown>): string {
  const strategy = record(data.test).teststrategy;
  return typeof strategy === 'string' ? strategy.trim().toLowerCase() : '';
}

/** The URL to test: `deploymentURIsLocal[0]`, else `deploymentURIsPublic[0]`; throws naming both when neither is a URL. */
export function deploymentTarget(data: Record<string, unknown>): URL {
  const deployment = record(data.deployment);
  for (const field of ['deploymentURIsLocal', 'deploymentURIsPublic'] as const) {
    const uris = deployment[field];
    const first: unknown = Array.isArray(uris) ? uris[0] : undefined;
    if (typeof first !== 'string' || first.trim() === '') continue;
    let url: URL;
    try {
      url = new URL(first.trim());
    } catch {
      throw new InputError(
        ErrorCode.invalidField,
        `deployment.${field}[0] '${first}' is not a URL; the deployment must report e.g. http://carts.shop-dev:8080`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new InputError(
        ErrorCode.invalidField,
        `deployment.${field}[0] '${first}' is not http(s); the http-test-service tests HTTP services`,
      );
    return url;
  }
  throw new InputError(
    ErrorCode.missingField,
    'the test task has no URL to test: neither data.deployment.deploymentURIsLocal nor data.deployment.deploymentURIsPublic has one; run a deployment task before the test (its deployment.finished reports them) or send them in the event',
  );
}

/** The workload file of the task: Shipmate's, else Keptn's, each at service, stage, project level. */
async function loadWorkloads(task: TaskContext): Promise<{ file: string | undefined; workloads: readonly Workload[] }> {
  for (const uri of [WORKLOADS_URI, JMETER_CONF_URI]) {
    const found = await task.resource(uri);
    if (!found) continue;
    const file = `${uri} (${found.level} level)`;
    return { file, workloads: parseWorkloads(found.content.toString('utf8'), file) };
  }
  return { file: undefined, workloads: [] };
}

function describeWorkload(workload: Workload, source: string): string {
  const amount =
    workload.durationMs === undefined ? `${workload.loopcount} pass(es) through` : `for ${workload.durationMs / 1000} s through`;
  const requests = workload.requests.length === 0 ? 'a GET of the deployment URI' : `${workload.requests.length} request(s)`;
  const script =
    workload.script !== undefined && workload.requests.length === 0 ? `; script ${workload.script} is not run (give requests instead)` : '';
  return `workload '${workload.teststrategy}' (${source}): ${workload.vuser} connection(s), ${amount} ${requests}, thinktime ${workload.thinktimeMs} ms${script}`;
}

interface Outcome {
  readonly verdict: Verdict;
  readonly figures: TestFigures;
  readonly startMs: number;
  readonly endMs: number;
}

async function run(
  task: TaskContext,
  target: URL,
  workload: Workload,
  strategy: string,
  source: string,
  options: ResolvedHttpTestOptions,
): Promise<Outcome> {
  await task.progress(`running ${describeWorkload(workload, source)} against ${target.href}`);
  const measured = await runWorkload(target, workload, { requestTimeoutMs: options.requestTimeoutMs, signal: task.signal });
  const figures = computeFigures(measured.samples, measured.endMs - measured.startMs);
  return { verdict: judge(workload, strategy, figures, measured.firstFailure), figures, startMs: measured.startMs, endMs: measured.endMs };
}

function finished(strategy: string, outcome: Outcome, message: string): Record<string, unknown> {
  return {
    status: 'succeeded',
    result: outcome.verdict.result,
    message,
    test: {
      teststrategy: strategy,
      start: new Date(outcome.startMs).toISOString(),
      end: new Date(outcome.endMs).toISOString(),
      ...outcome.figures,
    },
  };
}

/** The handler of `test` tasks, with resolved options. */
export function httpTestHandler(options: HttpTestOptions = {}): TaskHandler {
  const resolved = resolveHttpTestOptions(options);
  return async (task) => {
    const strategy = testStrategyOf(task.data);
    if (strategy === REAL_USER_STRATEGY) return LEAVE_OPEN;
    await task.started();
    const target = deploymentTarget(task.data);
    const { file, workloads } = await loadWorkloads(task);
    const sourceOf = (workload: Workload): string => (file !== undefined && workloads.includes(workload) ? file : 'built-in default');
    let workload: Workload | undefined;
    if (strategy !== '' && strategy !== HEALTHCHECK_STRATEGY) {
      workload = findWorkload(strategy, workloads);
      if (workload === undefined) {
        const inFile = workloads.map((w) => w.teststrategy);
        throw new InputError(
          ErrorCode.invalidWorkload,
          `teststrategy '${strategy}' has no workload: ${file === undefined ? `there is no ${WORKLOADS_URI} or ${JMETER_CONF_URI}` : `${file} has ${inFile.length === 0 ? 'none' : inFile.join(', ')}`}, and the built-in ones are ${DEFAULT_WORKLOADS.map((w) => w.teststrategy).join(', ')}; add a workload with 'teststrategy: ${strategy}' to ${file?.replace(/ \(.*/, '') ?? WORKLOADS_URI} or use one of ${knownStrategies(workloads).join(', ')}`,
        );
      }
    }
    const health = findWorkload(HEALTHCHECK_STRATEGY, workloads)!;
    const checked = await run(task, target, health, HEALTHCHECK_STRATEGY, sourceOf(health), resolved);
    if (workload === undefined) return finished(strategy, checked, `health check of ${target.href}: ${checked.verdict.message}`);
    if (checked.verdict.result === 'fail')
      return finished(
        strategy,
        checked,
        `health check of ${target.href} failed, so teststrategy '${strategy}' did not run: ${checked.verdict.message}`,
      );
    const outcome = await run(task, target, workload, strategy, sourceOf(workload), resolved);
    return finished(strategy, outcome, `teststrategy '${strategy}' against ${target.href}: ${outcome.verdict.message}`);
  };
}

/** Subscribes the http-test-service on `integration` (named {@link HTTP_TEST_SERVICE}). */
export function withHttpTest(integration: Integration, options: HttpTestOptions = {}): Integration {
  return integration.onTask('test', httpTestHandler(options), { deferStarted: true });
}
