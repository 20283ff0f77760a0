import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '../events/keptn-event.js';
import type { InstanceRecord, IntegrationRecord, SubscriptionFilter } from '../registry/integration.js';
import { hasLiveSubscriber } from './live-subscribers.js';
import { isTaskTriggered } from './unserved-tasks.js';

const NOW = Date.UTC(2024, 0, 1);
const HEARTBEAT_MS = 5000;
const ALL: SubscriptionFilter = { projects: [], stages: [], services: [] };
const TASK = {
  id: 't1',
  type: 'sh.keptn.event.test.triggered',
  data: { project: 'sockshop', stage: 'hardening', service: 'carts' },
} as unknown as KeptnEvent;
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function integration(lastseenAgoMs: number, filter = ALL): IntegrationRecord {
  return {
    id: 'i1',
    name: 'test-service',
    metadata: { lastseen: ago(lastseenAgoMs) } as IntegrationRecord['metadata'],
    subscriptions: [{ id: 's1', event: 'sh.keptn.event.test.triggered', filter }],
  };
}

function instance(id: string, lastseenAgoMs: number, stages: string[] = []): InstanceRecord {
  return { integrationId: 'i1', instanceId: id, lastseen: ago(lastseenAgoMs), filters: { ...ALL, stages } } as InstanceRecord;
}

const live = (integrations: IntegrationRecord[], instances: InstanceRecord[]) =>
  hasLiveSubscriber(TASK, { integrations, instances, nowMs: NOW, heartbeatIntervalMs: HEARTBEAT_MS });

describe('hasLiveSubscriber', () => {
  const OFFLINE = 3 * HEARTBEAT_MS + 1;
  it.each([
    { case: 'an online instance with matching filters', integration: integration(0), instances: [instance('a', 0)], live: true },
    {
      case: 'only an online instance filtered to another stage',
      integration: integration(0),
      instances: [instance('a', 0, ['dev'])],
      live: false,
    },
    {
      case: 'an online instance of another stage beside an offline matching one',
      integration: integration(0),
      instances: [instance('a', 0, ['dev']), instance('b', OFFLINE)],
      live: false,
    },
    {
      case: 'only offline instances, integration silent',
      integration: integration(OFFLINE),
      instances: [instance('a', OFFLINE)],
      live: false,
    },
    {
      case: 'only offline instances, integration pinged recently (Keptn distributor)',
      integration: integration(0),
      instances: [instance('a', OFFLINE)],
      live: true,
    },
    {
      case: 'only offline instances of another stage, integration pinged recently',
      integration: integration(0),
      instances: [instance('a', OFFLINE, ['dev'])],
      live: false,
    },
    { case: 'no instances, integration seen recently', integration: integration(0), instances: [], live: true },
    { case: 'no instances, integration silent', integration: integration(OFFLINE), instances: [], live: false },
    {
      case: 'a subscription filter of another project',
      integration: integration(0, { ...ALL, projects: ['other'] }),
      instances: [instance('a', 0)],
      live: false,
    },
  ])('$case: $live', ({ integration: record, instances, live: expected }) => {
    expect(live([record], instances)).toBe(expected);
  });

  it('is false without integrations', () => {
    expect(live([], [])).toBe(false);
  });
});

describe('isTaskTriggered', () => {
  it.each([
    { type: 'sh.keptn.event.test.triggered', stage: 'hardening', expected: true },
    { type: 'sh.keptn.event.hardening.delivery.triggered', stage: 'hardening', expected: false },
    { type: 'sh.keptn.event.test.started', stage: 'hardening', expected: false },
    { type: 'sh.keptn.event.test.triggered', stage: undefined, expected: false },
  ])('$type (stage $stage): $expected', ({ type, stage, expected }) => {
    expect(isTaskTriggered({ type, data: stage ? { stage } : {} } as KeptnEvent)).toBe(expected);
  });
});
