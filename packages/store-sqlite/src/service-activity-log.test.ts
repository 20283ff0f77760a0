import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServiceActivity } from '@shipmate/core';
import { fixtureProject } from '@shipmate/testing';
import { createSqliteStore } from './sqlite-store.js';
import { MIGRATIONS, applyMigrations } from './migrations.js';
import type { SqliteControlPlaneStore } from './sqlite-store.js';

const DEPLOYED = 'sh.keptn.event.deployment.finished';
const TESTED = 'sh.keptn.event.test.finished';

function note(eventType: string, eventId: string, deployedImage?: string): ServiceActivity {
  return {
    project: 'shop',
    stage: 'dev',
    service: 'carts',
    eventType,
    ref: { eventId, keptnContext: 'ctx-1', time: `${eventId}000` },
    ...(deployedImage ? { deployedImage } : {}),
  };
}

describe('service activity written behind (service-activity-log.ts)', () => {
  let dir: string;
  let file: string;
  const opened: SqliteControlPlaneStore[] = [];

  async function open(): Promise<SqliteControlPlaneStore> {
    const store = createSqliteStore({ path: file });
    opened.push(store);
    return store;
  }

  /** The carts row and the log as another connection sees them (an operator's sqlite3 shell). */
  function raw(): { lastEventTypes: unknown; deployedImage: unknown; logged: number } {
    const db = new Database(file, { readonly: true });
    try {
      const row = db.prepare("SELECT last_event_types, deployed_image FROM services WHERE name = 'carts'").get() as {
        last_event_types: string;
        deployed_image: string | null;
      };
      const batches = db.prepare('SELECT notes FROM service_activity_batches').pluck().all() as string[];
      const logged = batches.reduce((sum, notes) => sum + (JSON.parse(notes) as unknown[]).length, 0);
      return { lastEventTypes: JSON.parse(row.last_event_types), deployedImage: row.deployed_image, logged };
    } finally {
      db.close();
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-activity-'));
    file = join(dir, 'shipmate.db');
    const store = await open();
    await store.insertProject(fixtureProject('shop', { stages: ['dev'] }));
    await store.insertService('shop', 'carts', ['dev'], '1');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("logs a commit's activity without touching the service row, and applies it before services are read", async () => {
    const [store] = opened;
    await store!.commit({ serviceActivity: [note(DEPLOYED, 'e1', 'carts:1'), note(TESTED, 'e2')] });
    await store!.commit({ serviceActivity: [note(DEPLOYED, 'e3')] });

    expect(raw()).toEqual({ lastEventTypes: {}, deployedImage: null, logged: 3 });

    const [carts] = await store!.listServices('shop');
    // The same document as the updates one after the other: deployment moved to the end by its second note.
    expect(Object.keys(carts!.lastEventTypes)).toEqual([TESTED, DEPLOYED]);
    expect(carts!.lastEventTypes[DEPLOYED]?.eventId).toBe('e3');
    expect(carts!.deployedImage).toBe('carts:1');
    expect(raw()).toMatchObject({ deployedImage: 'carts:1', logged: 0 });
  });

  it('applies the log on its timer when nothing reads services', async () => {
    const [store] = opened;
    await store!.commit({ serviceActivity: [note(DEPLOYED, 'e1')] });

    await vi.waitFor(() => expect(raw().logged).toBe(0), { timeout: 5000, interval: 100 });
    expect(raw().lastEventTypes).toEqual({ [DEPLOYED]: { eventId: 'e1', keptnContext: 'ctx-1', time: 'e1000' } });
  });

  it('applies the log on close', async () => {
    const store = opened.pop()!;
    await store.commit({ serviceActivity: [note(DEPLOYED, 'e1', 'carts:1')] });
    await store.close();

    expect(raw()).toMatchObject({ deployedImage: 'carts:1', logged: 0 });
  });

  it("applies another connection's log when it reads services (a process that died before its fold)", async () => {
    const [writer] = opened;
    const reader = await open();
    await writer!.commit({ serviceActivity: [note(DEPLOYED, 'e1', 'carts:1')] });

    const [carts] = await reader.listServices('shop');
    expect(carts).toMatchObject({ deployedImage: 'carts:1', lastEventTypes: { [DEPLOYED]: { eventId: 'e1' } } });
    expect(raw().logged).toBe(0);
  });

  it("applies a deleted project's log before its rows go, so the project created again starts without it", async () => {
    const [store] = opened;
    await store!.commit({ serviceActivity: [note(DEPLOYED, 'e1', 'carts:1')] });
    await store!.deleteProject('shop');
    await store!.insertProject(fixtureProject('shop', { stages: ['dev'] }));
    await store!.insertService('shop', 'carts', ['dev'], '2');

    expect(await store!.listServices('shop')).toEqual([
      { project: 'shop', stage: 'dev', name: 'carts', creationDate: '2', lastEventTypes: {} },
    ]);
  });

  it('drops nothing when a commit rolls back: its notes go with it', async () => {
    const [store] = opened;
    // The notes are logged, then the changeset's last write fails (a trigger refuses it): the
    // whole changeset rolls back, the notes with it (a log written outside the commit's
    // transaction would keep them).
    const db = new Database(file);
    db.exec("CREATE TRIGGER refuse BEFORE UPDATE OF last_event_context ON projects BEGIN SELECT RAISE(ABORT, 'refused'); END");
    db.close();
    const changes = { serviceActivity: [note(DEPLOYED, 'e1')], projectLastContext: [{ project: 'shop', keptnContext: 'ctx-1' }] };
    await expect(store!.commit(changes)).rejects.toThrow(/refused/);

    expect(raw().logged).toBe(0);
    expect((await store!.listServices('shop'))[0]?.lastEventTypes).toEqual({});
  });

  it('moves the notes a version-8 database logged one per row into one batch, in their order', async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
    dir = await mkdtemp(join(tmpdir(), 'shipmate-activity-'));
    file = join(dir, 'shipmate.db');
    const db = new Database(file);
    applyMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 8),
    );
    db.exec(`INSERT INTO projects (name, creation_date, doc) VALUES ('shop', '1', '{}');
      INSERT INTO services (project, stage, name, creation_date) VALUES ('shop', 'dev', 'carts', '1')`);
    const log = db.prepare(
      'INSERT INTO service_activity_log (project, stage, service, event_type, ref, deployed_image) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const n of [note(DEPLOYED, 'e1', 'carts:1'), note(TESTED, 'e2'), note(DEPLOYED, 'e3')]) {
      log.run(n.project, n.stage, n.service, n.eventType, JSON.stringify(n.ref), n.deployedImage ?? null);
    }
    db.close();

    const store = await open();
    expect(raw().logged).toBe(3);
    const [carts] = await store.listServices('shop');
    expect(Object.keys(carts!.lastEventTypes)).toEqual([TESTED, DEPLOYED]);
    expect(carts!.lastEventTypes[DEPLOYED]).toEqual({ eventId: 'e3', keptnContext: 'ctx-1', time: 'e3000' });
    expect(carts!.deployedImage).toBe('carts:1');
  });
});
