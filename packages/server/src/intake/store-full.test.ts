import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keptnTime } from '@shipmate/core';
import type { KeptnEvent } from '@shipmate/core';
import { createSqliteStore } from '@shipmate/store-sqlite';
import type { SqliteControlPlaneStore } from '@shipmate/store-sqlite';
import { shipyardYaml, waitFor } from '@shipmate/testing';
import { createControlPlaneServer } from '../create-server.js';
import type { ControlPlaneServer } from '../create-server.js';
import { hashToken } from '../auth/token-verifier.js';
import { base64, startInProcessServer, TEST_TOKEN } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { triggerSequence } from '../test-support/sequence-events.js';

const CP = '/api/controlPlane/v1';
const SCOPE = { project: 'full', stage: 'dev', service: 'svc' };
const SHIPYARD = shipyardYaml({ dev: ['deployment', 'test'] }, { name: 'full' });
/** SQLite's largest page limit on every version: lifts the cap again. */
const NO_CAP = 1_073_741_823;

/**
 * A task `.finished` (pass) with a 300 KB log: handling it copies the log into the execution and
 * the next task's `.triggered`, so it needs hundreds of new pages however many the file has free.
 */
function bigFinished(task: KeptnEvent): KeptnEvent {
  return {
    id: randomUUID(),
    type: task.type.replace(/\.triggered$/, '.finished'),
    source: 'test',
    specversion: '1.0',
    time: keptnTime(Date.now()),
    contenttype: 'application/json',
    shkeptncontext: task.shkeptncontext,
    triggeredid: task.id,
    data: { ...SCOPE, result: 'pass', status: 'succeeded', log: 'x'.repeat(300_000) },
  };
}

/**
 * Leaves `event` as the intake leaves an event it acknowledged but could not handle at once
 * (stored, pending), then fills the database: the next write that needs a page fails with a real
 * SQLITE_FULL. Then lets the processor try it.
 */
async function pendingWhileFull(store: SqliteControlPlaneStore, server: ControlPlaneServer, event: KeptnEvent): Promise<void> {
  await store.appendEvents([event], { pending: true });
  store.maxPageCount(1);
  await server.processor.idle();
}

describe('an acknowledged event while the database is full (real SQLITE_FULL)', () => {
  let api: InProcessServer;
  let restarted: { store: SqliteControlPlaneStore; server: ControlPlaneServer } | undefined;
  const errors: string[] = [];
  const openTask = async (server: ControlPlaneServer, task: string) => {
    const reply = await server.app.inject({
      method: 'GET',
      url: `${CP}/event/triggered/sh.keptn.event.${task}.triggered?project=full`,
      headers: { 'x-token': TEST_TOKEN },
    });
    return (JSON.parse(reply.body) as { events: KeptnEvent[] }).events[0];
  };
  const pendingIds = async (store: SqliteControlPlaneStore) => (await store.pendingEvents(10)).map((p) => p.event.id);

  beforeAll(async () => {
    api = await startInProcessServer({ resources: undefined });
    api.server.app.log.error = (obj: unknown, msg?: string) => void errors.push(String(msg ?? obj));
    expect((await api.call('POST', `${CP}/project`, { name: 'full', shipyard: base64(SHIPYARD) })).status).toBe(201);
    expect((await api.call('POST', `${CP}/project/full/service`, { serviceName: 'svc' })).status).toBe(200);
  });

  afterAll(async () => {
    if (restarted) {
      await restarted.server.close();
      await restarted.store.close();
    } else {
      await api.server.close();
      await api.store.close();
    }
    rmSync(api.dir, { recursive: true, force: true });
  });

  it('keeps the event pending, retries with backoff, and the sequence goes on once the database may grow', async () => {
    const context = await triggerSequence(api, SCOPE);
    const deployment = await openTask(api.server, 'deployment');
    expect(deployment?.shkeptncontext).toBe(context);

    const finished = bigFinished(deployment!);
    await pendingWhileFull(api.store, api.server, finished);
    expect(errors.join('\n')).toMatch(/SQLITE_FULL.*nothing is dropped, retry 1 in 100 ms/);
    // Retries keep failing while the database is full, with growing pauses; the event stays pending.
    await waitFor('a third retry', async () => (errors.some((e) => e.includes('retry 3 in 400 ms')) ? true : undefined));
    expect(await pendingIds(api.store)).toEqual([finished.id]);
    expect(await openTask(api.server, 'test')).toBeUndefined();

    api.store.maxPageCount(NO_CAP);
    const test = await waitFor('the next task', () => openTask(api.server, 'test'));
    expect(test.shkeptncontext).toBe(context);
    expect(test.data.log).toHaveLength(300_000);
    expect(await pendingIds(api.store)).toEqual([]);
  });

  it('picks up an event still pending at shutdown after a restart on the same file, and the sequence completes', async () => {
    const test = await openTask(api.server, 'test');
    const finished = bigFinished(test!);
    await pendingWhileFull(api.store, api.server, finished);
    expect(await pendingIds(api.store)).toEqual([finished.id]);

    await api.server.close();
    await api.store.close();
    const store = createSqliteStore({ path: join(api.dir, 'store.db') });
    const server = await createControlPlaneServer({ store, apiTokenSha256: hashToken(TEST_TOKEN), resources: undefined });
    restarted = { store, server };
    await server.app.ready();
    await server.processor.start();

    expect(await pendingIds(store)).toEqual([]);
    const states = await server.app.inject({ method: 'GET', url: `${CP}/sequence/full`, headers: { 'x-token': TEST_TOKEN } });
    const [state] = (JSON.parse(states.body) as { states: Array<{ state: string; stages: Array<{ state: string }> }> }).states;
    expect(state).toMatchObject({ state: 'finished', stages: [{ state: 'succeeded' }] });
  });
});
