/**
 * The deployment integration's handlers over a stand-in runtime that reports what it was asked:
 * how task data becomes a target, when release promotes, and how failures finish the task.
 */
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '@shipmate/agent-sdk';
import { DeploymentFailure, DeploymentStrategy } from './deployment-runtime.js';
import type { DeploymentRuntime, DeploymentTarget, RuntimeOutcome } from './deployment-runtime.js';
import { deploymentTargetOf, handleDeployment, handleRelease, handleRollback } from './deployment-integration.js';

const DEPLOYMENT = { deploymentstrategy: 'direct', deploymentNames: ['direct'], deploymentURIsLocal: ['u'], deploymentURIsPublic: ['p'] };

/** A runtime whose every call answers with the target it got, or throws `failure`. */
function standIn(failure?: Error): DeploymentRuntime {
  const answer = (what: string) => (target: DeploymentTarget) => {
    if (failure) return Promise.reject(failure);
    return Promise.resolve<RuntimeOutcome>({ deployment: DEPLOYMENT, message: `${what} ${JSON.stringify(target)}` });
  };
  return {
    integrationName: 'test',
    deploy: answer('deploy'),
    release: answer('release'),
    rollback: answer('rollback'),
    close: () => Promise.resolve(),
  };
}

const task = (name: string, data: Record<string, unknown>) =>
  ({ task: name, data: { project: 'shop', stage: 'dev', service: 'carts', ...data } }) as unknown as TaskContext;

describe('deploymentTargetOf', () => {
  // [data, image, strategy]
  const table: Array<[Record<string, unknown>, string | undefined, DeploymentStrategy]> = [
    [{}, undefined, DeploymentStrategy.direct],
    [{ configurationChange: { values: { image: 'carts:0.13.2', replicas: 2 } } }, 'carts:0.13.2', DeploymentStrategy.direct],
    [{ configurationChange: { values: { image: 3 } }, deployment: { deploymentstrategy: 'duplicate' } }, '3', DeploymentStrategy.blueGreen],
    [{ configurationChange: { values: { image: '' } }, deployment: { deploymentstrategy: '' } }, undefined, DeploymentStrategy.direct],
    [
      { configurationChange: { values: null }, deployment: { deploymentstrategy: 'user_managed' } },
      undefined,
      DeploymentStrategy.userManaged,
    ],
  ];
  it.each(table)('reads %j', (data, image, strategy) => {
    expect(deploymentTargetOf(task('deployment', data), DeploymentStrategy.direct)).toMatchObject({ project: 'shop', image, strategy });
  });

  it('refuses an image that is not a string, naming the fix', () => {
    expect(() =>
      deploymentTargetOf(task('deployment', { configurationChange: { values: { image: { tag: 1 } } } }), DeploymentStrategy.direct),
    ).toThrow("configurationChange.values.image must be a string such as 'carts:0.13.2' or './builds/v2', not {\"tag\":1}");
  });
});

describe('handlers', () => {
  it('deployment finishes with the runtime deployment data and message', async () => {
    expect(await handleDeployment(task('deployment', {}), standIn())).toEqual({
      deployment: DEPLOYMENT,
      message: expect.stringMatching(/^deploy /) as unknown,
    });
  });

  // [incoming result, promoted, finished result]
  const releases: Array<[string | undefined, boolean, string]> = [
    ['pass', true, 'pass'],
    ['warning', true, 'warning'],
    [undefined, true, 'pass'],
    ['fail', false, 'fail'],
  ];
  it.each(releases)('release with result %s promotes: %s', async (result, promoted, finished) => {
    const outcome = (await handleRelease(task('release', result === undefined ? {} : { result }), standIn())) as Record<string, unknown>;
    expect(outcome.result).toBe(finished);
    expect(String(outcome.message).startsWith('release ')).toBe(promoted);
    if (!promoted) expect(outcome.message).toBe('Finished release: not promoted, the result so far is fail');
  });

  it('a rollback that worked finishes pass, whatever failed before it', async () => {
    expect(await handleRollback(task('rollback', { result: 'fail' }), standIn())).toMatchObject({ result: 'pass' });
    expect(await handleRollback(task('rollback', {}), standIn())).toMatchObject({ result: 'pass' });
  });

  it('a DeploymentFailure finishes fail/succeeded with its message; other errors propagate (errored)', async () => {
    for (const handle of [handleDeployment, handleRelease, handleRollback])
      expect(await handle(task('deployment', {}), standIn(new DeploymentFailure('health check failed')))).toEqual({
        result: 'fail',
        status: 'succeeded',
        message: 'health check failed',
      });
    await expect(handleDeployment(task('deployment', {}), standIn(new Error('bad config')))).rejects.toThrow('bad config');
    await expect(handleDeployment(task('deployment', { deployment: { deploymentstrategy: 'rolling' } }), standIn())).rejects.toThrow(
      'deployment.deploymentstrategy "rolling" is not a deployment strategy',
    );
  });
});
