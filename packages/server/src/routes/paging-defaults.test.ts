/**
 * Every store-backed list pages by default and counts `totalCount` only up to the page's end plus
 * TOTAL_COUNT_LOOKAHEAD (issue 13, point 7: costs flat as history grows); following nextPageKey
 * still reaches every item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEvent, fixtureExecution, fixtureSequenceState } from '@shipmate/testing';
import { DEFAULT_PAGE_SIZE, TOTAL_COUNT_LOOKAHEAD } from '../http/pagination.js';
import { SOCKSHOP_SHIPYARD, base64, startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';

const CP = '/api/controlPlane/v1';
const DS = '/api/mongodb-datastore';
const PROJECT = 'sockshop';
/** More than one page plus the lookahead, so the bound shows. */
const HISTORY = DEFAULT_PAGE_SIZE + TOTAL_COUNT_LOOKAHEAD + 80;

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
const context = (i: number) => `ctx-${String(i).padStart(5, '0')}`;

interface StatesPage {
  states: Array<{ shkeptncontext: string }>;
  nextPageKey?: number;
  totalCount: number;
}
interface EventsPage {
  events: Array<{ id: string }>;
  nextPageKey?: string;
  pageSize: number;
  totalCount: number;
}

let api: InProcessServer;

beforeAll(async () => {
  api = await startInProcessServer();
  expect((await api.call('POST', `${CP}/project`, { name: PROJECT, shipyard: base64(SOCKSHOP_SHIPYARD) })).status).toBe(201);
  const indexes = Array.from({ length: HISTORY }, (_, i) => i);
  await api.store.commit({
    sequenceStates: indexes.map((i) => fixtureSequenceState({ project: PROJECT, keptnContext: context(i), time: at(i) })),
    executions: indexes.map((i) =>
      fixtureExecution({ project: PROJECT, keptnContext: context(i), triggeredAt: at(i), triggeredId: `t-${i}` }),
    ),
  });
  await api.store.appendEvents(
    indexes.map((i) => fixtureEvent({ shkeptncontext: context(i), time: at(i), data: { project: PROJECT } })),
    { pending: false },
  );
});

afterAll(async () => {
  await api?.close();
});

describe('GET /sequence/{project}', () => {
  it('answers a request without pageSize (or pageSize=0) with the default page and a nextPageKey', async () => {
    for (const query of ['', '?pageSize=0']) {
      const reply = await api.call<StatesPage>('GET', `${CP}/sequence/${PROJECT}${query}`);
      expect(reply.status).toBe(200);
      expect(reply.body.states.map((s) => s.shkeptncontext)).toEqual(
        Array.from({ length: DEFAULT_PAGE_SIZE }, (_, i) => context(HISTORY - 1 - i)),
      );
      expect(reply.body.nextPageKey).toBe(DEFAULT_PAGE_SIZE);
      expect(reply.body.totalCount).toBe(DEFAULT_PAGE_SIZE + TOTAL_COUNT_LOOKAHEAD);
    }
  });

  it('answers a list of more contexts than the default page in one page, with the exact count', async () => {
    const asked = Array.from({ length: 30 }, (_, i) => context(i * 7));
    const reply = await api.call<StatesPage>('GET', `${CP}/sequence/${PROJECT}?keptnContext=${asked.join(',')}`);
    expect(reply.body.states.map((s) => s.shkeptncontext).sort()).toEqual([...asked].sort());
    expect(reply.body.nextPageKey).toBeUndefined();
    expect(reply.body.totalCount).toBe(30);
  });

  it('reaches every state by nextPageKey although totalCount is a lower bound on the first pages', async () => {
    const seen = new Set<string>();
    let key: number | undefined = 0;
    let last: StatesPage | undefined;
    while (key !== undefined) {
      last = (await api.call<StatesPage>('GET', `${CP}/sequence/${PROJECT}?pageSize=100&nextPageKey=${key}`)).body;
      for (const state of last.states) seen.add(state.shkeptncontext);
      key = last.nextPageKey;
    }
    expect(seen.size).toBe(HISTORY);
    // Near the end the count reaches every match: exact.
    expect(last?.totalCount).toBe(HISTORY);
  });
});

describe('GET /sequence-execution', () => {
  it('answers a request without pageSize with the default page and a nextPageKey', async () => {
    const reply = await api.call<{ sequenceExecutions: unknown[]; nextPageKey?: number; totalCount: number }>(
      'GET',
      `${CP}/sequence-execution?project=${PROJECT}`,
    );
    expect(reply.body.sequenceExecutions).toHaveLength(DEFAULT_PAGE_SIZE);
    expect(reply.body.nextPageKey).toBe(DEFAULT_PAGE_SIZE);
    expect(reply.body.totalCount).toBe(DEFAULT_PAGE_SIZE + TOTAL_COUNT_LOOKAHEAD);
  });

  it('finds the executions of one context', async () => {
    const reply = await api.call<{ sequenceExecutions: Array<{ scope: { keptnContext: string } }>; totalCount: number }>(
      'GET',
      `${CP}/sequence-execution?project=${PROJECT}&keptnContext=${context(3)}`,
    );
    expect(reply.body.sequenceExecutions.map((e) => e.scope.keptnContext)).toEqual([context(3)]);
    expect(reply.body.totalCount).toBe(1);
  });
});

describe('GET /mongodb-datastore/event', () => {
  it('counts totalCount up to the page end plus the lookahead, exactly once fewer remain', async () => {
    const first = (await api.call<EventsPage>('GET', `${DS}/event?project=${PROJECT}`)).body;
    expect(first.events).toHaveLength(DEFAULT_PAGE_SIZE);
    expect(first.nextPageKey).toBe(String(DEFAULT_PAGE_SIZE));
    expect(first.totalCount).toBe(DEFAULT_PAGE_SIZE + TOTAL_COUNT_LOOKAHEAD);

    const roots = (await api.call<EventsPage>('GET', `${DS}/event?project=${PROJECT}&root=true&pageSize=10`)).body;
    expect(roots.totalCount).toBe(10 + TOTAL_COUNT_LOOKAHEAD);

    // Creating the project stored events of its own: the exact count comes from the store.
    const all = (await api.store.queryEvents({ project: PROJECT, offset: 0, limit: 1 })).totalCount;
    const deep = (await api.call<EventsPage>('GET', `${DS}/event?project=${PROJECT}&pageSize=100&nextPageKey=${all - 150}`)).body;
    expect(deep.totalCount).toBe(all);
    expect(deep.nextPageKey).toBe(String(all - 50));
  });
});
