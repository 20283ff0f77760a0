import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { deliveryLogLine, logDeliveryTo } from './delivery-log.js';

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

describe('logDeliveryTo', () => {
  function pinoAt(level: string) {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    // Fastify's own logger (pino), as the server has it.
    return { log: Fastify({ logger: { level, stream } }).log, lines };
  }

  it('writes the line at info', () => {
    const { log, lines } = pinoAt('info');
    logDeliveryTo(log)(event('sh.keptn.event.test.finished', { result: 'pass', status: 'succeeded' }));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'task test finished: pass shop/dev/carts', project: 'shop', result: 'pass' });
  });

  it('does not build the line when info is off', () => {
    const { log } = pinoAt('warn');
    let infoCalls = 0;
    const info = log.info.bind(log);
    log.info = (...args: Parameters<typeof info>) => (infoCalls++, info(...args));
    logDeliveryTo(log)(event('sh.keptn.event.test.finished', { result: 'pass', status: 'succeeded' }));
    expect(infoCalls).toBe(0);
  });
});
