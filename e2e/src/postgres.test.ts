/**
 * `shipmate server --store postgres://…` (issue 13 point 2): a real server process on a PostgreSQL
 * database of its own runs a whole delivery through `shipmate agent` and a stand-in integration,
 * and a restarted server finds everything again. A store URL that cannot be used exits 2 naming
 * SHIPMATE_STORE_URL. Needs PostgreSQL (SHIPMATE_TEST_POSTGRES_URL, see @shipmate/testing).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  KeptnApiClient,
  createTestPostgresDatabase,
  exitOf,
  freePort,
  spawnShipmate,
  startAgentProcess,
  startRecipient,
  startServerProcess,
  testPostgresAdminUrl,
} from '@shipmate/testing';
import type { ServerProcess, TestPostgresDatabase } from '@shipmate/testing';
import { waitForState } from './executor.js';
import { THREE_STAGE_DELIVERED_TASKS, THREE_STAGE_SHIPYARD, THREE_STAGE_TOPICS } from './shipyards.js';

const TOPICS = THREE_STAGE_TOPICS;
const DELIVERED_TASKS = THREE_STAGE_DELIVERED_TASKS;

let database: TestPostgresDatabase;
const running: Array<{ stop(): Promise<unknown> }> = [];
const dataDirs = new Set<string>();

beforeAll(async () => {
  database = await createTestPostgresDatabase();
});

afterEach(async () => {
  for (const process of running.splice(0).reverse()) await process.stop();
});

afterAll(async () => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

/** A server on the test database, stopped after the test unless the test stops it. */
async function serverOnPostgres(dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({
    ...(dataDir === undefined ? {} : { dataDir }),
    env: { SHIPMATE_STORE_URL: database.url, SHIPMATE_TASK_LEASE: '3s' },
  });
  running.push(server);
  dataDirs.add(server.dataDir);
  return server;
}

/** A `shipmate agent` with a recipient behind it that answers every task; returns the tasks it got. */
async function plane(server: ServerProcess): Promise<{ tasksOf(context: string): string[] }> {
  const recipient = await startRecipient();
  running.push({ stop: () => recipient.close() });
  const agent = await startAgentProcess({
    endpoint: `${server.url}/api`,
    token: server.token,
    name: 'helm-postgres',
    topics: TOPICS,
    recipientPort: recipient.port,
    env: {},
  });
  running.push(agent);
  recipient.setAgentUrl(agent.surfaceUrl);
  return {
    tasksOf: (context) =>
      recipient
        .tasks()
        .filter((e) => e.shkeptncontext === context)
        .map((e) => `${String(e.data.stage)}/${e.type.split('.')[3] ?? ''}`),
  };
}

describe('shipmate server on PostgreSQL', () => {
  it('runs a whole delivery through an agent and keeps projects, events and sequences across a restart', async () => {
    const first = await serverOnPostgres();
    const client = new KeptnApiClient(first.url, first.token);
    await client.createProject('shop', THREE_STAGE_SHIPYARD);
    await client.createService('shop', 'carts');
    const firstPlane = await plane(first);

    const context = await client.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitForState(client, 'shop', context, (s) => s === 'finished', 'finished');
    expect(firstPlane.tasksOf(context)).toEqual(DELIVERED_TASKS);
    const events = (await client.contextEvents('shop', context)).map((e) => e.id);
    expect(first.output()).toContain(`store PostgreSQL ${database.url}`);
    // The store lives in PostgreSQL: the data dir holds no SQLite file, only the repositories and keys.
    expect(existsSync(join(first.dataDir, 'shipmate.db'))).toBe(false);

    for (const process of running.splice(0).reverse()) await process.stop();
    const second = await serverOnPostgres(first.dataDir);
    const again = new KeptnApiClient(second.url, second.token);
    expect(
      (await again.request<{ projects: Array<{ projectName: string }> }>('GET', '/api/controlPlane/v1/project')).body.projects,
    ).toEqual([expect.objectContaining({ projectName: 'shop' })]);
    expect((await again.contextEvents('shop', context)).map((e) => e.id)).toEqual(events);
    expect((await again.sequenceState('shop', context))?.state).toBe('finished');

    const secondPlane = await plane(second);
    const next = await again.triggerSequence('shop', 'dev', 'delivery', 'carts');
    await waitForState(again, 'shop', next, (s) => s === 'finished', 'finished');
    expect(secondPlane.tasksOf(next)).toEqual(DELIVERED_TASKS);
  });

  it('refuses a second replica on another data dir than the first one, naming both and the fix', async () => {
    // A database of its own: the first test's server recorded its data dir in the shared one.
    const own = await createTestPostgresDatabase();
    running.push({ stop: () => own.drop() });
    const first = await startServerProcess({ env: { SHIPMATE_STORE_URL: own.url } });
    running.push(first);
    dataDirs.add(first.dataDir);
    const dataDir = mkdtempSync(join(tmpdir(), 'shipmate-e2e-'));
    dataDirs.add(dataDir);
    const other = spawnShipmate(['server', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir], {
      SHIPMATE_STORE_URL: own.url,
      SHIPMATE_API_TOKEN: 'e2e-token',
    });
    running.push(other);
    expect(await exitOf(other, 20_000)).toBe(2);
    expect(other.output()).toMatch(new RegExp(`use another data dir \\(id [0-9a-f-]{36}\\) than ${dataDir}.*must share one data dir`));
    // The same data dir is welcome.
    const second = await startServerProcess({ dataDir: first.dataDir, env: { SHIPMATE_STORE_URL: own.url } });
    running.push(second);
    expect((await fetch(`${second.url}/health`)).ok).toBe(true);
  });

  describe('a store URL that cannot be used exits 2 naming SHIPMATE_STORE_URL', () => {
    const withUser = (user: string) => {
      const url = new URL(testPostgresAdminUrl());
      url.username = user;
      return url.toString();
    };

    it.each<[string, () => Promise<string>, RegExp]>([
      [
        'not a postgres:// URL',
        async () => 'mysql://root@127.0.0.1/shipmate',
        /SHIPMATE_STORE_URL is not valid: .*postgres:\/\/.*not mysql:/,
      ],
      [
        'a server that does not listen',
        async () => `postgres://shipmate:hunter2@127.0.0.1:${await freePort()}/shipmate`,
        /SHIPMATE_STORE_URL names a store that cannot be opened: .*cannot be reached \(ECONNREFUSED\)/,
      ],
      [
        'a login the server refuses',
        async () => withUser('no_such_shipmate_user'),
        /SHIPMATE_STORE_URL names a store that cannot be opened: .*refused the login \(28/,
      ],
    ])('%s', async (_case, storeUrl, message) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'shipmate-e2e-'));
      dataDirs.add(dataDir);
      const process = spawnShipmate(['server', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir], {
        SHIPMATE_STORE_URL: await storeUrl(),
        SHIPMATE_API_TOKEN: 'e2e-token',
      });
      running.push(process);
      expect(await exitOf(process, 20_000)).toBe(2);
      expect(process.output()).toMatch(message);
      expect(process.output()).toMatch(/Fix SHIPMATE_STORE_URL|leave SHIPMATE_STORE_URL unset/);
      expect(process.output()).not.toContain('hunter2');
    });
  });
});
