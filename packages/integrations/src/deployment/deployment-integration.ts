/**
 * The deployment integration (Keptn's helm-service and its plain-host successor): subscribes
 * `deployment`, `release` and `rollback` and has a {@link DeploymentRuntime} do the work.
 *
 * - `deployment`: reads `deployment.deploymentstrategy` (Keptn's spellings; empty → the runtime's
 *   default) and `configurationChange.values` (`image`), deploys, and finishes with Keptn's
 *   `deployment` data (`deploymentstrategy`, `deploymentNames`, `deploymentURIsLocal`,
 *   `deploymentURIsPublic`), which the control plane hands on to the next tasks (e.g. `test`).
 * - `release`: promotes only when `data.result` is `pass` or `warning` (or absent: no earlier task
 *   judged the deployment); finishes with the incoming result and "Finished release", as
 *   helm-service did.
 * - `rollback`: goes back to the version before the last deployment; a rollback that worked
 *   finishes `pass` (as Keptn's helm-service: "Finished rollback"), whatever failed before it.
 *
 * A {@link DeploymentFailure} (a health check, a version that exited) finishes the task
 * `result: fail`, `status: succeeded` with its message; any other error (bad configuration, a
 * strategy that does not exist) finishes it `errored`. Stopping the returned integration drains it
 * and then closes the runtime.
 */
import type { Integration, TaskContext, TaskOutcome } from '@shipmate/agent-sdk';
import { DeploymentFailure, DeploymentStrategy } from './deployment-runtime.js';
import type { DeploymentRuntime, DeploymentTarget, RuntimeOutcome } from './deployment-runtime.js';
import { parseDeploymentStrategy } from './deployment-strategy.js';

/** The tasks the deployment integration subscribes. */
export const DEPLOYMENT_TASKS = Object.freeze(['deployment', 'release', 'rollback'] as const);

const PROMOTING_RESULTS = new Set(['pass', 'warning']);

/** The service, version and strategy a task is about. */
export function deploymentTargetOf(task: TaskContext, defaultStrategy: DeploymentStrategy): DeploymentTarget {
  const data = task.data as Record<string, unknown>;
  const text = (name: string): string => {
    const value = data[name];
    if (typeof value !== 'string' || value === '')
      throw new Error(`the ${task.task} task has no data.${name}; the control plane always sends one`);
    return value;
  };
  const change = data.configurationChange as { values?: unknown } | undefined;
  const values =
    change && typeof change.values === 'object' && change.values !== null && !Array.isArray(change.values)
      ? (change.values as Record<string, unknown>)
      : {};
  const image = values.image;
  if (image !== undefined && typeof image !== 'string' && typeof image !== 'number')
    throw new Error(
      `configurationChange.values.image must be a string such as 'carts:0.13.2' or './builds/v2', not ${JSON.stringify(image)}; fix the event that started the sequence`,
    );
  const deployment = data.deployment as { deploymentstrategy?: unknown } | undefined;
  return {
    project: text('project'),
    stage: text('stage'),
    service: text('service'),
    image: image === undefined || image === '' ? undefined : String(image),
    values,
    strategy: parseDeploymentStrategy(deployment?.deploymentstrategy, defaultStrategy),
  };
}

/** Runs `work`, turning a {@link DeploymentFailure} into `result: fail` (status succeeded) with its message. */
async function finishing(work: () => Promise<Record<string, unknown>>): Promise<TaskOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DeploymentFailure) return { result: 'fail', status: 'succeeded', message: error.message };
    throw error;
  }
}

/** The handler of `deployment` tasks. */
export function handleDeployment(task: TaskContext, runtime: DeploymentRuntime): Promise<TaskOutcome> {
  return finishing(async () => {
    const outcome: RuntimeOutcome = await runtime.deploy(
      deploymentTargetOf(task, runtime.defaultStrategy ?? DeploymentStrategy.direct),
      task,
    );
    return { deployment: { ...outcome.deployment }, message: outcome.message };
  });
}

/** The handler of `release` tasks. */
export function handleRelease(task: TaskContext, runtime: DeploymentRuntime): Promise<TaskOutcome> {
  return finishing(async () => {
    const target = deploymentTargetOf(task, runtime.defaultStrategy ?? DeploymentStrategy.direct);
    const incoming = typeof task.data.result === 'string' && task.data.result !== '' ? task.data.result : undefined;
    if (incoming !== undefined && !PROMOTING_RESULTS.has(incoming))
      return { result: incoming, message: `Finished release: not promoted, the result so far is ${incoming}` };
    const outcome = await runtime.release(target, task);
    return { result: incoming ?? 'pass', message: outcome.message };
  });
}

/** The handler of `rollback` tasks. */
export function handleRollback(task: TaskContext, runtime: DeploymentRuntime): Promise<TaskOutcome> {
  return finishing(async () => {
    const target = deploymentTargetOf(task, runtime.defaultStrategy ?? DeploymentStrategy.direct);
    const outcome = await runtime.rollback(target, task);
    return { result: 'pass', message: outcome.message };
  });
}

/**
 * Subscribes `deployment`, `release` and `rollback` on `integration` (created under
 * `runtime.integrationName`); the returned integration closes the runtime after it stopped.
 */
export function withDeployment(integration: Integration, runtime: DeploymentRuntime): Integration {
  integration
    .onTask('deployment', (task) => handleDeployment(task, runtime))
    .onTask('release', (task) => handleRelease(task, runtime))
    .onTask('rollback', (task) => handleRollback(task, runtime));
  let stopping: Promise<void> | undefined;
  const wrapped: Integration = {
    onTask(task, handler, options) {
      integration.onTask(task, handler, options);
      return wrapped;
    },
    onAnyTask(handler, options) {
      integration.onAnyTask(handler, options);
      return wrapped;
    },
    start: () => integration.start(),
    stop() {
      stopping ??= integration.stop().finally(() => runtime.close());
      return stopping;
    },
    get running() {
      return integration.running;
    },
    get connected() {
      return integration.connected;
    },
  };
  return wrapped;
}
