import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import {
  createTestPostgresDatabase,
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
  testPostgresAdminUrl,
} from '@shipmate/testing';
import type { TestPostgresDatabase } from '@shipmate/testing';
import { NOT_INVALIDATED_CLAUSE, ROOT_EVENT_CLAUSE, autovacuumWarning, createPostgresStore } from './postgres-store.js';
import type { PostgresControlPlaneStore, PostgresStoreOptions } from './postgres-store.js';
import { applyMigrations, readMigrations } from './migrations.js';

/** The databases of the stores the contract suites opened, dropped after each test. */
const contractDatabases = new Map<object, TestPostgresDatabase>();

/** Opens a store on a database of its own. */
async function openTempStore(): Promise<PostgresControlPlaneStore> {
  const database = await createTestPostgresDatabase();
  try {
    const store = await createPostgresStore(database.url);
    contractDatabases.set(store, database);
    return store;
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** Closes a store and drops its database (also when closing fails). */
async function removeTempStore(store: PostgresControlPlaneStore): Promise<void> {
  const database = contractDatabases.get(store);
  contractDatabases.delete(store);
  try {
    await store.close();
  } finally {
    await database?.drop();
  }
}

describeStoreContract('PostgreSQL', openTempStore, (store) => removeTempStore(store as PostgresControlPlaneStore));
describeRegistryStoreContract('PostgreSQL', openTempStore, removeTempStore);
describeTaskLeaseStoreContract('PostgreSQL', openTempStore, removeTempStore);
describeSecretStoreContract('PostgreSQL', openTempStore, removeTempStore);
describeApiTokenStoreContract('PostgreSQL', openTempStore, removeTempStore);

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One node of a PostgreSQL JSON plan (the fields the tests read). */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Heap Fetches'?: number;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

/** Every node of a plan, depth first. */
function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe('createPostgresStore', () => {
  let database: TestPostgresDatabase;
  const opened: PostgresControlPlaneStore[] = [];
  const clients: pg.Client[] = [];
  const onTeardown: Array<() => Promise<void>> = [];

  async function open(options: PostgresStoreOptions = {}): Promise<PostgresControlPlaneStore> {
    const store = await createPostgresStore(database.url, options);
    opened.push(store);
    return store;
  }

  /** A plain connection to the test database, as an operator's psql would be. */
  async function psql(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: database.url });
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeEach(async () => {
    database = await createTestPostgresDatabase();
  });

  afterEach(async () => {
    try {
      for (const client of clients.splice(0)) await client.end();
      for (const store of opened.splice(0)) await store.close();
      for (const step of onTeardown.splice(0)) await step();
    } finally {
      await database.drop();
    }
  });

  it('records every migration file in schema_migrations', async () => {
    await open();
    const files = await readMigrations();
    const rows = await (
      await psql()
    ).query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows.rows).toEqual(files.map((m) => ({ version: m.version, name: m.name })));
    expect(files[0]?.name).toBe('0001_initial');
  });

  it('counts the root list from events_roots alone once vacuumed (an index-only scan, no row fetched)', async () => {
    const store = await open();
    await store.insertProject(fixtureProject('shop'));
    const roots = Array.from({ length: 200 }, (_, i) =>
      fixtureEvent({
        type: 'sh.keptn.event.dev.delivery.triggered',
        shkeptncontext: `context-${i}`,
        time: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
        triggeredid: i % 2 === 0 ? `task-${i}` : undefined,
      }),
    );
    await store.appendEvents(roots, { pending: false });
    const client = await psql();
    await client.query('VACUUM (ANALYZE) events');
    // A table this small is read whole otherwise; the plan that matters is the one of a long history.
    await client.query('SET enable_seqscan = off');
    const rows = `SELECT 1 FROM events e WHERE e.project = $1 AND ${ROOT_EVENT_CLAUSE} AND ${NOT_INVALIDATED_CLAUSE} LIMIT 520`;
    const explained = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM (${rows}) bounded`,
      ['shop'],
    );
    const scans = planNodes(explained.rows[0]!['QUERY PLAN'][0]!.Plan).filter((node) => node['Relation Name'] === 'events');
    const rootsScan = scans.find((node) => node['Index Name'] === 'events_roots');
    expect(rootsScan).toMatchObject({ 'Node Type': 'Index Only Scan', 'Heap Fetches': 0, 'Actual Rows': 200 });
  });

  it("warns when the server's autovacuum is off, and says how to turn it on", async () => {
    const store = await open();
    const setting = (await (await psql()).query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]?.autovacuum;
    expect(await store.settingWarnings()).toEqual(setting === 'on' ? [] : [autovacuumWarning(setting)]);
    expect(autovacuumWarning('on')).toBeUndefined();
    expect(autovacuumWarning('off')).toMatch(/^PostgreSQL runs with autovacuum off: .*ALTER SYSTEM SET autovacuum = on.*VACUUM \(ANALYZE\)/);
  });

  it('migrates once when several servers open a new database at the same time', async () => {
    await Promise.all([open(), open(), open(), open()]);
    const rows = await (await psql()).query<{ n: string }>('SELECT count(*)::text AS n FROM schema_migrations');
    expect(rows.rows[0]?.n).toBe(String((await readMigrations()).length));
  });

  it('opens a migrated database again without re-running migrations and keeps its data', async () => {
    const first = await open();
    await first.insertProject(fixtureProject('shop'));
    const event = fixtureEvent();
    const execution = fixtureExecution({ currentTaskId: 'task-1' });
    await first.appendEvents([event], { pending: true });
    await first.commit({ executions: [execution] });
    await first.close();

    const second = await open();
    expect(await second.getProject('shop')).toEqual(fixtureProject('shop'));
    expect((await second.pendingEvents(10)).map((p) => p.event)).toEqual([event]);
    expect(await second.findExecutionByTask('task-1')).toEqual(execution);
  });

  it('upgrades a registry of migration 1 to heartbeat rows and keeps every lastseen', async () => {
    const pool = new pg.Pool({ connectionString: database.url });
    const integration = fixtureIntegration({ id: 'a', lastseen: '2024-01-01T00:00:05.000Z' });
    const instance = fixtureInstance('a', 'i1', '2024-01-01T00:00:04.000Z');
    try {
      await applyMigrations(pool, (await readMigrations()).slice(0, 1), database.name);
      await pool.query('INSERT INTO integrations (id, name, namespace, hostname, lastseen, doc) VALUES ($1, $2, $3, $4, $5, $6)', [
        'a',
        integration.name,
        'keptn',
        'node-1',
        integration.metadata.lastseen,
        JSON.stringify(integration),
      ]);
      await pool.query('INSERT INTO integration_instances (integration_id, instance_id, lastseen, doc) VALUES ($1, $2, $3, $4)', [
        'a',
        'i1',
        instance.lastseen,
        JSON.stringify(instance),
      ]);
    } finally {
      await pool.end();
    }

    const store = await open();
    expect(await store.getIntegration('a')).toEqual(integration);
    expect(await store.listInstances(['a'])).toEqual([instance]);
    expect(await store.deleteIntegrationsSeenBefore('2024-01-01T00:00:05.000Z')).toBe(0);
    expect(await store.listInstances(['a'])).toEqual([]);
  });

  it('renews heartbeats without writing new versions of the documents', async () => {
    const store = await open();
    await store.saveRegistration({ integration: fixtureIntegration({ id: 'a' }), instance: fixtureInstance('a', 'i1') });
    const client = await psql();
    // xmin is the transaction that wrote the row version: it stays when no new version is written.
    const versions = async () =>
      (await client.query<{ xmin: string }>('SELECT xmin::text FROM integrations UNION ALL SELECT xmin::text FROM integration_instances'))
        .rows;
    const before = await versions();
    expect(await store.touchInstances([{ integrationId: 'a', instanceId: 'i1' }], '2030-01-01T00:00:00.000Z')).toEqual([true]);
    expect(await store.touchIntegration('a', '2030-01-01T00:00:01.000Z', 'i1')).toBeDefined();
    expect(await versions()).toEqual(before);
    expect((await store.getInstance('a', 'i1'))?.lastseen).toBe('2030-01-01T00:00:01.000Z');
  });

  it('sees the commits of another store on the same database', async () => {
    const writer = await open();
    const reader = await open();
    await writer.appendEvents([fixtureEvent()], { pending: true });
    expect(await reader.pendingEvents(10)).toHaveLength(1);
  });

  it('refuses a database written by a newer schema', async () => {
    await (await open()).close();
    await (await psql()).query("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')");
    await expect(open()).rejects.toMatchObject({ code: ErrorCode.storeUnavailable, message: expect.stringContaining('upgrade Shipmate') });
  });

  it('rolls back every migration of a run when one fails', async () => {
    const pool = new pg.Pool({ connectionString: database.url });
    try {
      const migrations = [
        { version: 1, name: '0001_a', sql: 'CREATE TABLE a (x integer)' },
        { version: 2, name: '0002_again', sql: 'CREATE TABLE a (x integer)' },
      ];
      await expect(applyMigrations(pool, migrations, database.name)).rejects.toThrow(/already exists/);
      const left = await pool.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('a', 'schema_migrations')");
      expect(left.rows[0]).toEqual({ n: 0 });
      expect(await applyMigrations(pool, migrations.slice(0, 1), database.name)).toBe(0);
      expect(await applyMigrations(pool, migrations.slice(0, 1), database.name)).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('sorts names byte by byte, as SQLite does, whatever the database collation', async () => {
    // en-US would sort _x, a, B, Z9; the schema's COLLATE "C" keeps SQLite's byte order.
    const icu = await createTestPostgresDatabase({ icuLocale: 'en-US' });
    const store = await createPostgresStore(icu.url).catch(async (error: unknown) => {
      await icu.drop();
      throw error;
    });
    onTeardown.push(
      () => store.close(),
      () => icu.drop(),
    );
    for (const name of ['a', 'B', '_x', 'Z9']) await store.insertProject(fixtureProject(name));
    expect((await store.listProjects()).map((p) => p.name)).toEqual(['B', 'Z9', '_x', 'a']);
  });

  it('cancels a statement stuck behind a lock after statementTimeoutMs and says so', async () => {
    const store = await open({ statementTimeoutMs: 100 });
    const locker = await psql();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    try {
      await expect(store.appendEvents([fixtureEvent()], { pending: true })).rejects.toMatchObject({
        code: ErrorCode.storeUnavailable,
        message: expect.stringContaining('statement_timeout'),
      });
    } finally {
      await locker.query('ROLLBACK');
    }
    await expect(store.appendEvents([fixtureEvent()], { pending: true })).resolves.toBeUndefined();
  });

  it('closes its pool once, however often close is called', async () => {
    const store = await open();
    await Promise.all([store.close(), store.close()]);
    await expect(store.close()).resolves.toBeUndefined();
    await expect(store.listProjects()).rejects.toThrow();
  });

  it('exposes the options without the password', async () => {
    const url = new URL(database.url);
    url.password = 'hunter2';
    const store = await createPostgresStore(url.toString(), { poolSize: 3 });
    opened.push(store);
    expect(store.options).toEqual({
      redactedUrl: expect.not.stringContaining('hunter2'),
      poolSize: 3,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 10_000,
    });
  });
});

describe('createPostgresStore with a bad URL or option', () => {
  it('rejects a URL that is not postgres://, naming the scheme it got', async () => {
    await expect(createPostgresStore('mysql://root@localhost/shipmate')).rejects.toMatchObject({
      code: ErrorCode.invalidField,
      message: expect.stringMatching(/postgres:\/\/.*not mysql:/),
    });
  });

  it('rejects a postgres URL without a host', async () => {
    await expect(createPostgresStore('postgres:///shipmate')).rejects.toMatchObject({ code: ErrorCode.invalidField });
  });

  it('says a server that does not listen cannot be reached, without the password', async () => {
    const port = await closedPort();
    const failure = createPostgresStore(`postgres://shipmate:hunter2@127.0.0.1:${port}/shipmate`, { connectTimeoutMs: 2000 });
    await expect(failure).rejects.toMatchObject({
      code: ErrorCode.storeUnavailable,
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}.*cannot be reached \\(ECONNREFUSED\\).*start it`)),
    });
    await expect(failure).rejects.toMatchObject({ message: expect.not.stringContaining('hunter2') });
  });

  it('says the server refused the login of an unknown user', async () => {
    const url = new URL(testPostgresAdminUrl());
    url.username = 'no_such_shipmate_user';
    await expect(createPostgresStore(url.toString())).rejects.toMatchObject({
      code: ErrorCode.storeUnavailable,
      message: expect.stringMatching(/refused the login \(28\w+.*check the user and password/),
    });
  });

  it('says which database is missing and how to create it', async () => {
    const url = new URL(testPostgresAdminUrl());
    url.pathname = '/shipmate_no_such_database';
    await expect(createPostgresStore(url.toString())).rejects.toMatchObject({
      code: ErrorCode.storeUnavailable,
      message: expect.stringMatching(/shipmate_no_such_database.*createdb/),
    });
  });

  it.each([
    ['poolSize', { poolSize: 0 }],
    ['statementTimeoutMs', { statementTimeoutMs: 1.5 }],
    ['connectTimeoutMs', { connectTimeoutMs: -1 }],
  ])('rejects a bad %s, naming it', async (field, options) => {
    await expect(createPostgresStore('postgres://postgres@127.0.0.1/x', options)).rejects.toMatchObject({
      code: ErrorCode.invalidField,
      message: expect.stringContaining(field),
    });
  });
});

describe('readMigrations', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-migrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the files in version order', async () => {
    await writeFile(join(dir, '0002_b.sql'), 'SELECT 2');
    await writeFile(join(dir, '0001_a.sql'), 'SELECT 1');
    await writeFile(join(dir, 'README.md'), 'not a migration');
    expect(await readMigrations(dir)).toEqual([
      { version: 1, name: '0001_a', sql: 'SELECT 1' },
      { version: 2, name: '0002_b', sql: 'SELECT 2' },
    ]);
  });

  it('rejects a badly named file, naming it', async () => {
    await writeFile(join(dir, '1_initial.sql'), 'SELECT 1');
    await expect(readMigrations(dir)).rejects.toThrow(/'1_initial.sql'.*NNNN_<name>\.sql/);
  });

  it('rejects a gap in the versions', async () => {
    await writeFile(join(dir, '0001_a.sql'), 'SELECT 1');
    await writeFile(join(dir, '0003_c.sql'), 'SELECT 3');
    await expect(readMigrations(dir)).rejects.toThrow(/'0003_c.sql'.*expected 2/);
  });
});

describe('shareDataDir', () => {
  it('records the first data dir id and returns it to every later caller, whatever id they bring', async () => {
    const database = await createTestPostgresDatabase();
    const [a, b] = [await createPostgresStore(database.url), await createPostgresStore(database.url)];
    try {
      expect(await a.shareDataDir('first')).toBe('first');
      expect(await b.shareDataDir('second')).toBe('first');
      expect(await a.shareDataDir('first')).toBe('first');
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
    }
  });
});
