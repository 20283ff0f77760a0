import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { actionsTaken } from './actions-taken.js';

const TRIGGER: KeptnEvent = {
  id: 'get-action-3',
  type: 'sh.keptn.event.get-action.triggered',
  source: 'shipyard-controller',
  specversion: '1.0',
  time: '2024-01-01T00:00:00.000Z',
  shkeptncontext: 'ctx-1',
  data: { project: 'p', stage: 'production', service: 'carts' },
};

const finished = (action: unknown): KeptnEvent => ({
  ...TRIGGER,
  type: 'sh.keptn.event.get-action.finished',
  data: { ...TRIGGER.data, action },
});

/** A datastore that answers pages of `events` (`pageSize` each) and records the paths asked. */
function datastore(events: readonly KeptnEvent[], pageSize = 100): { api: (path: string) => Promise<unknown>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    api: (path) => {
      asked.push(path);
      const offset = Number(new URL(path, 'http://x').searchParams.get('nextPageKey') ?? '0');
      const page = events.slice(offset, offset + pageSize);
      const next = offset + page.length < events.length ? { nextPageKey: String(offset + page.length) } : {};
      return Promise.resolve({ events: page, ...next });
    },
  };
}

const SCALING = { name: 'Scale up', action: 'scaling' };

describe('actionsTaken', () => {
  it.each([
    { name: 'nothing taken yet', events: [], carried: undefined, want: 0 },
    {
      name: 'earlier get-action.finished events with an action',
      events: [finished(SCALING), finished(SCALING)],
      carried: undefined,
      want: 2,
    },
    {
      name: 'one that ended the remediation (no action, or an empty one) does not count',
      events: [finished(SCALING), finished(undefined), finished({}), finished({ action: '' })],
      carried: undefined,
      want: 1,
    },
    { name: "Keptn's carried actionIndex when larger", events: [finished(SCALING)], carried: { actionIndex: 3 }, want: 3 },
    {
      name: 'the count when the carried index is smaller',
      events: [finished(SCALING), finished(SCALING)],
      carried: { actionIndex: 1 },
      want: 2,
    },
    { name: 'a carried index that is not a whole number is ignored', events: [], carried: { actionIndex: '2' }, want: 0 },
  ])('$name → $want', async ({ events, carried, want }) => {
    const store = datastore(events);
    const data = { ...TRIGGER.data, ...(carried === undefined ? {} : { 'get-action': carried }) };
    expect(await actionsTaken({ api: store.api, event: { ...TRIGGER, data }, data })).toBe(want);
  });

  it('asks for the get-action.finished events of the context, project, stage and service, page by page', async () => {
    const store = datastore([finished(SCALING), finished(SCALING), finished(SCALING)], 2);
    expect(await actionsTaken({ api: store.api, event: TRIGGER, data: TRIGGER.data })).toBe(3);
    expect(store.asked).toHaveLength(2);
    const query = new URL(store.asked[1] ?? '', 'http://x');
    expect(query.pathname).toBe('/mongodb-datastore/event');
    expect(Object.fromEntries(query.searchParams)).toEqual({
      keptnContext: 'ctx-1',
      project: 'p',
      stage: 'production',
      service: 'carts',
      type: 'sh.keptn.event.get-action.finished',
      pageSize: '100',
      nextPageKey: '2',
    });
  });
});
