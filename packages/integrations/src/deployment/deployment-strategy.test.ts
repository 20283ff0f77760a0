import { describe, expect, it } from 'vitest';
import { DeploymentStrategy } from './deployment-runtime.js';
import { deploymentNameOf, parseDeploymentStrategy, strategyOnWire } from './deployment-strategy.js';

describe('parseDeploymentStrategy', () => {
  // [value, fallback, expected]
  const good: Array<[unknown, DeploymentStrategy, DeploymentStrategy]> = [
    ['direct', DeploymentStrategy.blueGreen, DeploymentStrategy.direct],
    ['blue_green_service', DeploymentStrategy.direct, DeploymentStrategy.blueGreen],
    ['duplicate', DeploymentStrategy.direct, DeploymentStrategy.blueGreen],
    ['user_managed', DeploymentStrategy.direct, DeploymentStrategy.userManaged],
    ['', DeploymentStrategy.direct, DeploymentStrategy.direct],
    [undefined, DeploymentStrategy.direct, DeploymentStrategy.direct],
    [null, DeploymentStrategy.blueGreen, DeploymentStrategy.blueGreen],
  ];
  it.each(good)('reads %j (fallback %s) as %s', (value, fallback, expected) => {
    expect(parseDeploymentStrategy(value, fallback)).toBe(expected);
  });

  const bad: unknown[] = ['canary', 'Direct', 'blue-green', 3, { name: 'direct' }];
  it.each(bad)('refuses %j, naming the value and the choices', (value) => {
    expect(() => parseDeploymentStrategy(value, DeploymentStrategy.direct)).toThrow(
      `deployment.deploymentstrategy ${JSON.stringify(value)} is not a deployment strategy: give direct, blue_green_service (or duplicate), user_managed`,
    );
  });
});

describe("Keptn's names on the wire", () => {
  const table: Array<[DeploymentStrategy, string, string]> = [
    [DeploymentStrategy.direct, 'direct', 'direct'],
    [DeploymentStrategy.blueGreen, 'duplicate', 'canary'],
    [DeploymentStrategy.userManaged, 'user_managed', 'user_managed'],
  ];
  it.each(table)('%s is written %s with deployment name %s', (strategy, wire, name) => {
    expect(strategyOnWire(strategy)).toBe(wire);
    expect(deploymentNameOf(strategy)).toBe(name);
    expect(parseDeploymentStrategy(wire, DeploymentStrategy.direct)).toBe(strategy);
  });
});
