import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { stepLine } from './delivery-steps.js';

function event(type: string, data: Record<string, unknown> = {}, source = 'shipyard-controller'): KeptnEvent {
  return {
    id: 'e',
    type,
    source,
    specversion: '1.0',
    time: 't',
    shkeptncontext: 'c',
    data: { project: 'p', stage: 'staging', service: 'carts', ...data },
  };
}

describe('stepLine', () => {
  const rows: Array<[string, KeptnEvent, string | undefined]> = [
    ['a sequence starts', event('sh.keptn.event.staging.delivery.triggered'), '▸ staging: delivery started'],
    ['a task is triggered', event('sh.keptn.event.deployment.triggered'), '  staging     deployment  …'],
    [
      'a deployment says where the version runs',
      event(
        'sh.keptn.event.deployment.finished',
        { result: 'pass', status: 'succeeded', deployment: { deploymentURIsLocal: ['http://127.0.0.1:9001'] } },
        'deployment-service',
      ),
      '  staging     deployment  pass  serving at http://127.0.0.1:9001',
    ],
    [
      'a test gives its figures',
      event(
        'sh.keptn.event.test.finished',
        { result: 'pass', status: 'succeeded', test: { latencyP95Ms: 6.25, throughputRps: 812.4, errorRate: 0 } },
        'http-test-service',
      ),
      '  staging     test        pass  p95 6.3 ms, 812 req/s, 0.0 % errors',
    ],
    [
      'a failed evaluation gives its message',
      event(
        'sh.keptn.event.evaluation.finished',
        { result: 'fail', status: 'succeeded', message: 'Evaluation failed due to key_sli', evaluation: { score: 0 } },
        'lighthouse-service',
      ),
      '  staging     evaluation  fail  Evaluation failed due to key_sli',
    ],
    [
      'an errored task says it',
      event(
        'sh.keptn.event.deployment.finished',
        { result: 'fail', status: 'errored', message: 'no deployment/process.yaml' },
        'deployment-service',
      ),
      '  staging     deployment  fail (errored)  no deployment/process.yaml',
    ],
    [
      'a rollback says what serves again',
      event(
        'sh.keptn.event.rollback.finished',
        { result: 'pass', status: 'succeeded', message: "Finished rollback: 'fast' serves again" },
        'deployment-service',
      ),
      "  staging     rollback    pass  Finished rollback: 'fast' serves again",
    ],
    [
      'a sequence ends',
      event('sh.keptn.event.staging.delivery.finished', { result: 'fail', status: 'succeeded', message: 'gate' }),
      '▸ staging: delivery fail - gate',
    ],
    ['started events are not shown', event('sh.keptn.event.test.started', {}, 'http-test-service'), undefined],
    ['sub-tasks sent by integrations are not shown', event('sh.keptn.event.get-sli.triggered', {}, 'lighthouse-service'), undefined],
  ];
  for (const [name, input, line] of rows) {
    it(name, () => {
      expect(stepLine(input)).toBe(line);
    });
  }
});
