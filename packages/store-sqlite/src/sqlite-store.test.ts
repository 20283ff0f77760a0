import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import type { ControlPlaneStore } from '@shipmate/core';
import {
  describeApiTokenStoreContract,
  describeRegistryStoreContract,
  describeSecretStoreContract,
  describeStoreContract,
  describeTaskLeaseStoreContract,
  fixtureEvent,
  fixtureExecution,
  fixtureInstance,
  fixtureIntegration,
  fixtureProject,
} from '@shipmate/testing';
import { PAGE_BYTES, createSqliteStore } from './sqlite-store.js';
import type { SqliteControlPlaneStore } from './sqlite-store.js';
import { MIGRATIONS, SCHEMA_VERSION, applyMigrations } from './migrations.js';

/** Temporary directories of the stores the contract suite opened, removed after each test. */
const contractDirs = new Map<ControlPlaneStore, string>();

/** Opens a store on a fresh file in its own temp dir. */
async function openTempStore(): Promise<SqliteControlPlaneStore> {
  const dir = await mkdtemp(join(tmpdir(), 'shipmate-store-'));
  const store = createSqliteStore({ path: join(dir, 'shipmate.db') });
  contractDirs.set(store, dir);
  return store;
}

/** Closes a store and removes its temp dir. */
async function removeTempStore(store: ControlPlaneStore): Promise<void> {
  await store.close();
  const dir = contractDirs.get(store);
  contractDirs.delete(store);
  if (dir) await rm(dir, { recursive: true, force: true });
}

describeStoreContract('SQLite file', openTempStore, removeTempStore);
describeRegistryStoreContract('SQLite file', openTempStore, removeTempStore);
describeTaskLeaseStoreContract('SQLite file', openTempStore, removeTempStore);
describeSecretStoreContract('SQLite file', openTempStore, removeTempStore);
describeApiTokenStoreContract('SQLite file', openTempStore, removeTempStore);

describe('createSqliteStore', () => {
  let dir: string;
  let file: string;
  const opened: SqliteControlPlaneStore[] = [];

  function open(path = file): SqliteControlPlaneStore {
    const store = createSqliteStore({ path });
    opened.push(store);
    return store;
  }

  /** Reads a pragma through a separate connection, as an operator's sqlite3 shell would. */
  function pragmaOf(name: string): unknown {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma(name, { simple: true });
    } finally {
      db.close();
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-sqlite-'));
    file = join(dir, 'shipmate.db');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts the database in WAL mode with the schema version recorded', async () => {
    const store = open();
    expect(store.options).toEqual({ path: file, busyTimeoutMs: 5000, walMaxBytes: 64 * 1024 * 1024 });
    await store.close();

    expect(pragmaOf('journal_mode')).toBe('wal');
    expect(pragmaOf('user_version')).toBe(SCHEMA_VERSION);
    expect(pragmaOf('page_size')).toBe(PAGE_BYTES);
  });

  it('keeps the page size of a database made with another one and works on it', async () => {
    const db = new Database(file);
    db.pragma('page_size = 8192');
    applyMigrations(db);
    db.close();

    const store = open();
    await store.insertProject(fixtureProject('shop'));
    expect((await store.listProjects()).map((p) => p.name)).toEqual(['shop']);
    await store.close();
    expect(pragmaOf('page_size')).toBe(8192);
  });

  it('upgrades a version 1 database to the registry schema and keeps its data', async () => {
    const db = new Database(file);
    applyMigrations(
      db,
      MIGRATIONS.filter((m) => m.version === 1),
    );
    db.prepare("INSERT INTO projects (name, creation_date, doc) VALUES ('shop', '1', ?)").run(JSON.stringify(fixtureProject('shop')));
    db.close();

    const store = open();
    expect(pragmaOf('user_version')).toBe(SCHEMA_VERSION);
    expect((await store.listProjects()).map((p) => p.name)).toEqual(['shop']);
    await store.appendLogs([{ integrationid: 'i', message: 'm', time: '2024-01-01T00:00:00.000Z' }]);
    expect((await store.queryLogs({ offset: 0, limit: 0 })).totalCount).toBe(1);
  });

  it('upgrades a version 5 registry to heartbeat rows and keeps every lastseen', async () => {
    const db = new Database(file);
    applyMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    const integration = fixtureIntegration({ id: 'a', lastseen: '2024-01-01T00:00:05.000Z' });
    const instance = fixtureInstance('a', 'i1', '2024-01-01T00:00:04.000Z');
    db.prepare('INSERT INTO integrations (id, name, namespace, hostname, lastseen, doc) VALUES (?, ?, ?, ?, ?, ?)').run(
      'a',
      integration.name,
      'keptn',
      'node-1',
      integration.metadata.lastseen,
      JSON.stringify(integration),
    );
    db.prepare('INSERT INTO integration_instances (integration_id, instance_id, lastseen, doc) VALUES (?, ?, ?, ?)').run(
      'a',
      'i1',
      instance.lastseen,
      JSON.stringify(instance),
    );
    db.close();

    const store = open();
    expect(await store.getIntegration('a')).toEqual(integration);
    expect(await store.listInstances(['a'])).toEqual([instance]);
    expect(await store.deleteIntegrationsSeenBefore('2024-01-01T00:00:05.000Z')).toBe(0);
    expect(await store.listInstances(['a'])).toEqual([]);
  });

  it('renews heartbeats without rewriting the documents', async () => {
    const store = open();
    await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
    const documents = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT doc FROM integrations UNION ALL SELECT doc FROM integration_instances').pluck().all();
      } finally {
        db.close();
      }
    };
    const before = documents();
    expect(await store.touchInstances([{ integrationId: 'a', instanceId: 'i1' }], '2030-01-01T00:00:00.000Z')).toEqual([true]);
    expect(await store.touchIntegration('a', '2030-01-01T00:00:01.000Z', 'i1')).toBeDefined();
    expect(documents()).toEqual(before);
    expect((await store.getInstance('a', 'i1'))?.lastseen).toBe('2030-01-01T00:00:01.000Z');
  });

  it('opens an existing file again without re-running migrations', async () => {
    await open().close();
    await open().close();
    const store = open();
    await store.insertProject(fixtureProject('shop'));

    expect(pragmaOf('user_version')).toBe(SCHEMA_VERSION);
    expect((await store.listProjects()).map((p) => p.name)).toEqual(['shop']);
  });

  it('applies only migrations newer than the recorded version, each once', () => {
    const db = new Database(':memory:');
    try {
      const migrations = [
        { version: 1, sql: 'CREATE TABLE a (x INTEGER)' },
        { version: 2, sql: 'CREATE TABLE b (x INTEGER)' },
      ];
      expect(applyMigrations(db, migrations.slice(0, 1))).toBe(0);
      expect(applyMigrations(db, migrations)).toBe(1);
      expect(applyMigrations(db, migrations)).toBe(2);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(['a', 'b']);
    } finally {
      db.close();
    }
  });

  it('rolls back every migration of a run when one fails', () => {
    const db = new Database(':memory:');
    try {
      const migrations = [
        { version: 1, sql: 'CREATE TABLE a (x INTEGER)' },
        { version: 2, sql: 'CREATE TABLE a (x INTEGER)' },
      ];
      expect(() => applyMigrations(db, migrations)).toThrow(/already exists/);
      expect(db.pragma('user_version', { simple: true })).toBe(0);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'a'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    await open().close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    expect(() => open()).toThrow(
      expect.objectContaining({ code: ErrorCode.storeUnavailable, message: expect.stringContaining('upgrade Shipmate') }),
    );
  });

  it('keeps committed data across close and reopen', async () => {
    const first = open();
    await first.insertProject(fixtureProject('shop'));
    const event = fixtureEvent();
    const execution = fixtureExecution({ currentTaskId: 'task-1' });
    await first.appendEvents([event], { pending: true });
    await first.commit({ executions: [execution] });
    await first.close();

    const second = open();
    expect(await second.getProject('shop')).toEqual(fixtureProject('shop'));
    expect((await second.pendingEvents(10)).map((p) => p.event)).toEqual([event]);
    expect(await second.findExecutionByTask('task-1')).toEqual(execution);
  });

  it('finds the oldest execution by triggeredAt, then by insertion, when two name the same current task', async () => {
    const store = open();
    const newer = fixtureExecution({ currentTaskId: 'task-1', triggeredAt: '2026-01-01T00:00:02.000Z' });
    const older = fixtureExecution({ currentTaskId: 'task-1', triggeredAt: '2026-01-01T00:00:01.000Z' });
    const olderTwin = fixtureExecution({ currentTaskId: 'task-1', triggeredAt: '2026-01-01T00:00:01.000Z' });
    await store.commit({ executions: [newer, older, olderTwin] });
    expect(await store.findExecutionByTask('task-1')).toEqual(older);
    await store.close();
  });

  it('refuses a limit of pending events or due timers that is not a whole number >= 0, naming the limit', async () => {
    const store = open();
    await expect(store.pendingEvents(-1)).rejects.toThrow('limit must be a whole number >= 0, got -1');
    await expect(store.dueTimers(0, 1.5)).rejects.toThrow('limit must be a whole number >= 0, got 1.5');
    await store.close();
  });

  it('sees the commits of another connection to the same file', async () => {
    const writer = open();
    const reader = open();
    await writer.appendEvents([fixtureEvent()], { pending: true });
    expect(await reader.pendingEvents(10)).toHaveLength(1);
  });

  it('works in memory', async () => {
    const store = open(':memory:');
    await store.insertProject(fixtureProject('shop'));
    expect(await store.getProject('shop')).toBeDefined();
  });

  it('says which directory is missing', () => {
    const path = join(dir, 'missing', 'shipmate.db');
    expect(() => open(path)).toThrow(
      expect.objectContaining({ code: ErrorCode.storeUnavailable, message: expect.stringContaining(join(dir, 'missing')) }),
    );
  });

  it('rejects a negative busy timeout', () => {
    expect(() => createSqliteStore({ path: file, busyTimeoutMs: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.invalidField }));
  });

  it('creates the database, its WAL and shared-memory files with mode 0600, whatever the umask', async () => {
    const store = open();
    await store.appendEvents([fixtureEvent({ data: { project: 'p', stage: 'dev', service: 's' } })], { pending: false });
    for (const suffix of ['', '-wal', '-shm']) {
      expect({ file: `shipmate.db${suffix}`, mode: (await stat(`${file}${suffix}`)).mode & 0o777 }).toEqual({
        file: `shipmate.db${suffix}`,
        mode: 0o600,
      });
    }
  });

  it('rejects a WAL ceiling under 1 MiB, naming the value', () => {
    expect(() => createSqliteStore({ path: file, walMaxBytes: 4096 })).toThrow(
      expect.objectContaining({ code: ErrorCode.invalidField, message: expect.stringContaining('got 4096') }),
    );
  });

  it('maps a lock held past the busy timeout to ERR_STORE_UNAVAILABLE', async () => {
    const store = createSqliteStore({ path: file, busyTimeoutMs: 50 });
    opened.push(store);
    const locker = new Database(file);
    try {
      locker.exec('BEGIN IMMEDIATE');
      await expect(store.appendEvents([fixtureEvent()], { pending: true })).rejects.toMatchObject({ code: ErrorCode.storeUnavailable });
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    await expect(store.appendEvents([fixtureEvent()], { pending: true })).resolves.toBeUndefined();
  });
});
