/**
 * Keptn's deployment strategies as `deployment.deploymentstrategy` carries them, parsed as go-utils'
 * `GetDeploymentStrategy` does (`direct`; `blue_green_service` or its other name `duplicate`;
 * `user_managed`), except that an absent or empty value means the runtime's default (Keptn errored)
 * so a sequence started without `deployment` data still deploys. Pure: no I/O.
 */
import { ErrorCode, InputError } from '@shipmate/core';
import { DeploymentStrategy } from './deployment-runtime.js';

/** The spellings {@link parseDeploymentStrategy} accepts, for messages. */
export const STRATEGY_CHOICES = "direct, blue_green_service (or duplicate), user_managed, or nothing for the runtime's default";

/**
 * The strategy `value` names; `fallback` when it is absent or empty. Anything else throws an
 * InputError naming the value and the choices.
 */
export function parseDeploymentStrategy(value: unknown, fallback: DeploymentStrategy): DeploymentStrategy {
  if (value === undefined || value === null || value === '') return fallback;
  switch (value) {
    case 'direct':
      return DeploymentStrategy.direct;
    case 'blue_green_service':
    case 'duplicate':
      return DeploymentStrategy.blueGreen;
    case 'user_managed':
      return DeploymentStrategy.userManaged;
    default:
      throw new InputError(
        ErrorCode.invalidField,
        `deployment.deploymentstrategy ${JSON.stringify(value)} is not a deployment strategy: give ${STRATEGY_CHOICES}`,
      );
  }
}

/** How Keptn writes `strategy` into `deployment.finished` (go-utils prints blue/green as `duplicate`). */
export function strategyOnWire(strategy: DeploymentStrategy): string {
  switch (strategy) {
    case DeploymentStrategy.direct:
      return 'direct';
    case DeploymentStrategy.blueGreen:
      return 'duplicate';
    case DeploymentStrategy.userManaged:
      return 'user_managed';
    default: {
      const never: never = strategy;
      return never;
    }
  }
}

/** Keptn's `deploymentNames` entry of `strategy` (helm-service: `direct`, `canary`, `user_managed`). */
export function deploymentNameOf(strategy: DeploymentStrategy): string {
  switch (strategy) {
    case DeploymentStrategy.direct:
      return 'direct';
    case DeploymentStrategy.blueGreen:
      return 'canary';
    case DeploymentStrategy.userManaged:
      return 'user_managed';
    default: {
      const never: never = strategy;
      return never;
    }
  }
}
