import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { deliveryLogLine } from './delivery-log.js';

function event(type: string, data: Record<string, unknown> = {}): KeptnEvent {
  return {
    id: 'e1',
    type,
    source: 'helm-service',
    specversion: '1.0',
    time: '2026-01-01T00:00:00.000Z',
    shkeptncontext: 'ctx-1',
    data: { project: 'shop', stage: 'dev', service: 'carts', ...data },
  };
}

describe('deliveryLogLine', () => {
  const rows: Array<[string, KeptnEvent, string | undefined]> = [
    ['sequence triggered', event('sh.keptn.event.dev.delivery.triggered'), 'sequence dev.delivery triggered shop/dev/carts'],
    [
      'sequence finished with its result',
      event('sh.keptn.event.dev.delivery.finished', { result: 'pass', status: 'succeeded' }),
      'sequence dev.delivery finished: pass shop/dev/carts',
    ],
    [
      'a failed sequence with its message',
      event('sh.keptn.event.dev.delivery.finished', { result: 'fail', status: 'succeeded', message: 'evaluation failed' }),
      'sequence dev.delivery finished: fail shop/dev/carts - evaluation failed',
    ],
    [
      'an errored task with its status and message',
      event('sh.keptn.event.deployment.finished', { result: 'fail', status: 'errored', message: 'no chart' }),
      'task deployment finished: fail (errored) shop/dev/carts - no chart',
    ],
    ['task triggered', event('sh.keptn.event.deployment.triggered'), 'task deployment triggered shop/dev/carts'],
    ['task started', event('sh.keptn.event.deployment.started', { result: 'pass' }), 'task deployment started shop/dev/carts'],
    ['progress gives no line', event('sh.keptn.event.deployment.status.changed'), undefined],
    ['an invalidation gives no line', event('sh.keptn.event.evaluation.invalidated'), undefined],
    ['a log event gives no line', event('sh.keptn.log.error'), undefined],
  ];
  for (const [name, input, message] of rows) {
    it(name, () => {
      expect(deliveryLogLine(input)?.message).toBe(message);
    });
  }

  it('logs the scope, the context and the outcome as fields', () => {
    expect(deliveryLogLine(event('sh.keptn.event.test.finished', { result: 'warning', status: 'succeeded' }))?.fields).toEqual({
      project: 'shop',
      stage: 'dev',
      service: 'carts',
      keptnContext: 'ctx-1',
      source: 'helm-service',
      result: 'warning',
      status: 'succeeded',
    });
  });
});
