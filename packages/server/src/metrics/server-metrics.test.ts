import { describe, expect, it } from 'vitest';
import type { ControlPlaneStore, KeptnEvent } from '@shipmate/core';
import { manualClock, parseMetricsText } from '@shipmate/testing';
import type { MetricsText } from '@shipmate/testing';
import { createServerMetrics } from './server-metrics.js';

function event(type: string, id: string, fields: Partial<KeptnEvent> = {}): KeptnEvent {
  return {
    type,
    id,
    source: 'test',
    specversion: '1.0',
    time: '',
    shkeptncontext: 'ctx',
    data: { project: 'shop', stage: 'dev' },
    ...fields,
  };
}

const triggered = (id: string) => event('sh.keptn.event.deployment.triggered', id);
const answer = (kind: 'started' | 'finished', triggeredid: string) =>
  event(`sh.keptn.event.deployment.${kind}`, `${kind}-${triggeredid}`, { triggeredid });

function setup(maxOpenTasks?: number) {
  const clock = manualClock();
  // Only the scrape-time gauges read the store; these tests scrape a server without projects.
  const store = { listProjects: async () => [] } as unknown as ControlPlaneStore;
  const metrics = createServerMetrics({
    store,
    clock,
    registered: () => [],
    heartbeatIntervalMs: 5000,
    parkedPolls: () => 3,
    upstream: undefined,
    ...(maxOpenTasks === undefined ? {} : { maxOpenTasks }),
  });
  const scrape = async (): Promise<MetricsText> => parseMetricsText(await metrics.registry.metrics());
  return { clock, metrics, scrape };
}

describe('createServerMetrics', () => {
  it.each([
    ['sh.keptn.event.deployment.triggered', 'task', 'triggered'],
    ['sh.keptn.event.deployment.invalidated', 'task', 'invalidated'],
    ['sh.keptn.event.dev.delivery.triggered', 'sequence', 'triggered'],
    ['sh.keptn.event.deployment.status.changed', 'other', 'other'],
    ['sh.keptn.log.error', 'other', 'other'],
    ['com.example.anything', 'other', 'other'],
  ])('counts a received %s as category %s, kind %s', async (type, category, kind) => {
    const { metrics, scrape } = setup();
    metrics.stored(event(type, 'e1'));
    expect((await scrape()).value('shipmate_events_received_total', { category, kind })).toBe(1);
  });

  it('observes the first .started and the first .finished of a task once each', async () => {
    const { clock, metrics, scrape } = setup();
    metrics.emitted([triggered('t1')]);
    clock.advance(1000);
    metrics.stored(answer('started', 't1'));
    metrics.stored(answer('started', 't1'));
    clock.advance(1000);
    metrics.stored(answer('finished', 't1'));
    metrics.stored(answer('finished', 't1'));
    const scraped = await scrape();
    expect(scraped.value('shipmate_task_started_seconds_count', { task: 'deployment' })).toBe(1);
    expect(scraped.value('shipmate_task_started_seconds_sum', { task: 'deployment' })).toBe(1);
    expect(scraped.value('shipmate_task_finished_seconds_count', { task: 'deployment' })).toBe(1);
    expect(scraped.value('shipmate_task_finished_seconds_sum', { task: 'deployment' })).toBe(2);
    expect(scraped.value('shipmate_parked_long_polls')).toBe(3);
  });

  it('forgets the oldest open task past maxOpenTasks, and ignores answers to unknown tasks', async () => {
    const { metrics, scrape } = setup(1);
    metrics.emitted([triggered('t1'), triggered('t2')]);
    metrics.stored(answer('finished', 't1'));
    metrics.stored(answer('finished', 'unknown'));
    expect((await scrape()).value('shipmate_task_finished_seconds_count')).toBeUndefined();
    metrics.stored(answer('finished', 't2'));
    expect((await scrape()).value('shipmate_task_finished_seconds_count', { task: 'deployment' })).toBe(1);
  });
});
