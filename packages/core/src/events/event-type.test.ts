import { describe, expect, it } from 'vitest';
import {
  PARSED_TYPES_MAX,
  parseEventType,
  sequenceEventType,
  SequenceEventKind,
  taskEventType,
  TaskEventKind,
  type ParsedEventType,
} from './event-type.js';

describe('parseEventType', () => {
  it.each<{ type: string; want: ParsedEventType }>([
    { type: 'sh.keptn.event.deployment.triggered', want: { category: 'task', task: 'deployment', kind: 'triggered' } },
    { type: 'sh.keptn.event.deployment.started', want: { category: 'task', task: 'deployment', kind: 'started' } },
    { type: 'sh.keptn.event.test.finished', want: { category: 'task', task: 'test', kind: 'finished' } },
    { type: 'sh.keptn.event.approval.invalidated', want: { category: 'task', task: 'approval', kind: 'invalidated' } },
    { type: 'sh.keptn.event.get-action.triggered', want: { category: 'task', task: 'get-action', kind: 'triggered' } },
    {
      type: 'sh.keptn.event.dev.delivery.triggered',
      want: { category: 'sequence', stage: 'dev', sequence: 'delivery', kind: 'triggered' },
    },
    {
      type: 'sh.keptn.event.production.remediation.finished',
      want: { category: 'sequence', stage: 'production', sequence: 'remediation', kind: 'finished' },
    },
    // Not task or sequence events.
    { type: 'sh.keptn.event.deployment.status.changed', want: { category: 'other' } },
    { type: 'sh.keptn.event.dev.delivery.started', want: { category: 'other' } },
    { type: 'sh.keptn.event.dev.delivery.invalidated', want: { category: 'other' } },
    { type: 'sh.keptn.log.error', want: { category: 'other' } },
    { type: 'sh.keptn.event.deployment.done', want: { category: 'other' } },
    { type: 'sh.keptn.event.deployment', want: { category: 'other' } },
    { type: 'sh.keptn.event..triggered', want: { category: 'other' } },
    { type: 'sh.keptn.event.dev..triggered', want: { category: 'other' } },
    { type: 'sh.keptn.event.a.b.c.triggered', want: { category: 'other' } },
    { type: 'io.keptn.event.deployment.triggered', want: { category: 'other' } },
    { type: 'sh.keptn.events.deployment.triggered', want: { category: 'other' } },
    { type: 'sh.keptn.event.deployment.triggered.', want: { category: 'other' } },
    { type: '', want: { category: 'other' } },
  ])('$type', ({ type, want }) => {
    expect(parseEventType(type)).toEqual(want);
  });

  it('does not treat inherited object keys as kinds', () => {
    expect(parseEventType('sh.keptn.event.deployment.toString')).toEqual({ category: 'other' });
    expect(parseEventType('sh.keptn.event.dev.delivery.constructor')).toEqual({ category: 'other' });
  });

  it('parses a type once: the same frozen result for every caller', () => {
    const first = parseEventType('sh.keptn.event.release.finished');
    expect(parseEventType('sh.keptn.event.release.finished')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('stays correct and bounded when clients send more distinct types than it keeps', () => {
    for (let i = 0; i < PARSED_TYPES_MAX * 2 + 3; i++) {
      expect(parseEventType(`sh.keptn.event.task${i}.started`)).toEqual({ category: 'task', task: `task${i}`, kind: 'started' });
    }
    expect(parseEventType('sh.keptn.event.dev.delivery.triggered')).toEqual({
      category: 'sequence',
      stage: 'dev',
      sequence: 'delivery',
      kind: 'triggered',
    });
  });
});

describe('event type builders', () => {
  it.each(Object.values(TaskEventKind))('taskEventType round-trips kind %s', (kind) => {
    const type = taskEventType('deployment', kind);
    expect(type).toBe(`sh.keptn.event.deployment.${kind}`);
    expect(parseEventType(type)).toEqual({ category: 'task', task: 'deployment', kind });
  });

  it.each(Object.values(SequenceEventKind))('sequenceEventType round-trips kind %s', (kind) => {
    const type = sequenceEventType('staging', 'delivery', kind);
    expect(type).toBe(`sh.keptn.event.staging.delivery.${kind}`);
    expect(parseEventType(type)).toEqual({ category: 'sequence', stage: 'staging', sequence: 'delivery', kind });
  });
});
