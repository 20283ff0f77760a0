import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { fixtureProject } from '@shipmate/testing';
import { MIGRATIONS, SCHEMA_VERSION, applyMigrations } from './migrations.js';
import { createSqliteStore } from './sqlite-store.js';
import type { SqliteControlPlaneStore } from './sqlite-store.js';

/**
 * The roots by their definition, read from `events` alone: per project (or none) and context, the
 * event with no earlier one (by time, then seq). Sorted, as `[project, context, seq]` strings.
 */
const ROOTS_BY_DEFINITION = `
  SELECT ifnull(e.project, '') AS project, e.shkeptncontext AS context, e.seq AS seq FROM events e
  WHERE NOT EXISTS (SELECT 1 FROM events r
                    WHERE r.shkeptncontext = e.shkeptncontext AND r.project IS e.project
                      AND (r.time < e.time OR (r.time = e.time AND r.seq < e.seq)))`;
const ROOTS_KEPT = "SELECT ifnull(project, '') AS project, shkeptncontext AS context, seq FROM events WHERE root = 1";

interface RootRow {
  project: string;
  context: string;
  seq: number;
}

function rootsOf(file: string, sql: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).all() as RootRow[]).map((r) => `${r.project}|${r.context}|${r.seq}`).sort();
  } finally {
    db.close();
  }
}

/** A small deterministic generator (no flaky seeds). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * n); // the high bits: the low ones of an LCG cycle quickly
  };
}

let counter = 0;
function event(context: string, project: string | undefined, second: number): KeptnEvent {
  return {
    id: `ev-${++counter}`,
    type: 'sh.keptn.event.deployment.triggered',
    source: 'test',
    specversion: '1.0',
    shkeptncontext: context,
    time: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`,
    data: project === undefined ? {} : { project, stage: 'dev', service: 'carts' },
  };
}

describe('root marks (event-roots.ts, migration 10): each context’s earliest event', () => {
  let dir: string;
  let file: string;
  let store: SqliteControlPlaneStore | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipmate-roots-'));
    file = join(dir, 'shipmate.db');
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('equals the roots by definition after 300 random inserts out of time order, ties, events without a project, retention and a project deletion', async () => {
    store = createSqliteStore({ path: file, beforeUpgrade: () => expect.unreachable('a new database is created, not upgraded') });
    await store.insertProject(fixtureProject('shop'));
    await store.insertProject(fixtureProject('other'));
    const next = random(7);
    const projects = ['shop', 'other', undefined];
    let most = 0;
    for (let round = 0; round < 30; round++) {
      const batch = Array.from({ length: 10 }, () => event(`ctx-${next(8)}`, projects[next(3)], 10 + next(40)));
      await store.appendEvents(batch, { pending: false });
      if (round % 7 === 6) await store.deleteEventsBefore(`2026-01-01T00:00:${10 + next(20)}.000Z`);
      const kept = rootsOf(file, ROOTS_KEPT);
      expect(kept).toEqual(rootsOf(file, ROOTS_BY_DEFINITION));
      most = Math.max(most, kept.length);
    }
    expect(most).toBeGreaterThan(15);
    expect(await store.deleteProject('other')).toBe(true);
    const left = rootsOf(file, ROOTS_KEPT);
    expect(left).toEqual(rootsOf(file, ROOTS_BY_DEFINITION));
    expect(left.some((root) => root.startsWith('other|'))).toBe(false);
    expect(left.some((root) => root.startsWith('shop|'))).toBe(true);
  });

  it('lists a project’s roots newest first, with their other filters and a bounded count, and the roots of a context without a project', async () => {
    store = createSqliteStore({ path: file });
    const a1 = event('ctx-a', 'shop', 10);
    const b1 = event('ctx-b', 'shop', 12);
    const none = event('ctx-n', undefined, 14);
    await store.appendEvents([a1, event('ctx-a', 'shop', 11), b1, event('ctx-b', 'shop', 13), none], { pending: false });
    const ids = async (query: Parameters<SqliteControlPlaneStore['queryEvents']>[0]) =>
      (await store!.queryEvents(query)).items.map((e) => e.id);
    expect(await ids({ project: 'shop', rootOnly: true, offset: 0, limit: 20 })).toEqual([b1.id, a1.id]);
    expect(await ids({ project: 'shop', rootOnly: true, keptnContext: 'ctx-a', offset: 0, limit: 20 })).toEqual([a1.id]);
    expect(await ids({ project: 'shop', rootOnly: true, offset: 1, limit: 20 })).toEqual([a1.id]);
    expect((await store.queryEvents({ project: 'shop', rootOnly: true, offset: 0, limit: 1, countLimit: 1 })).totalCount).toBe(1);
    expect((await store.queryEvents({ project: 'shop', rootOnly: true, offset: 0, limit: 1, countLimit: 10 })).totalCount).toBe(2);
    expect(await ids({ keptnContext: 'ctx-n', rootOnly: true, offset: 0, limit: 20 })).toEqual([none.id]);
    expect(await ids({ keptnContext: 'ctx-b', rootOnly: true, offset: 0, limit: 20 })).toEqual([b1.id]);
  });

  it('stays right past the 4,096 contexts it remembers, when it starts over', async () => {
    store = createSqliteStore({ path: file });
    const firsts = Array.from({ length: 5000 }, (_, i) => event(`ctx-${i}`, 'shop', 30));
    for (let i = 0; i < firsts.length; i += 500) await store.appendEvents(firsts.slice(i, i + 500), { pending: false });
    // Later events of the oldest and newest contexts, one earlier than its context's root.
    await store.appendEvents(
      [event('ctx-0', 'shop', 40), event('ctx-1', 'shop', 20), event('ctx-4999', 'shop', 40), event('ctx-4998', 'shop', 10)],
      { pending: false },
    );
    expect(rootsOf(file, ROOTS_KEPT)).toEqual(rootsOf(file, ROOTS_BY_DEFINITION));
    expect(rootsOf(file, ROOTS_KEPT)).toHaveLength(5000);
  });

  it('makes a context root by a later event when the write of its first event rolled back', async () => {
    store = createSqliteStore({ path: file });
    const first = event('ctx-r', 'shop', 10);
    // A changeset that fails after inserting the event: its seq to mark processed does not exist.
    await expect(store.commit({ newEvents: [{ event: first, pending: false }], processedSeqs: [999_999] })).rejects.toThrow();
    const later = event('ctx-r', 'shop', 20);
    await store.appendEvents([later], { pending: false });
    expect(rootsOf(file, ROOTS_KEPT)).toEqual(rootsOf(file, ROOTS_BY_DEFINITION));
    expect((await store.queryEvents({ project: 'shop', rootOnly: true, offset: 0, limit: 20 })).items.map((e) => e.id)).toEqual([later.id]);
  });

  it('finds the roots of the events a version-9 database already holds when it migrates', async () => {
    const db = new Database(file);
    applyMigrations(
      db,
      MIGRATIONS.filter((m) => m.version <= 9),
    );
    const insert = db.prepare(
      `INSERT INTO events (id, project, stage, service, type, shkeptncontext, triggeredid, source, time, pending, doc)
       VALUES (?, ?, NULL, NULL, 't', ?, NULL, 's', ?, 0, '{}')`,
    );
    // Out of time order, a tie (the first inserted stays the root), no project, one context in two projects.
    const rows: Array<[string, string | null, string, string]> = [
      ['e1', 'shop', 'ctx-a', '5'],
      ['e2', 'shop', 'ctx-a', '3'],
      ['e3', 'shop', 'ctx-a', '3'],
      ['e4', 'shop', 'ctx-b', '4'],
      ['e5', null, 'ctx-n', '9'],
      ['e6', null, 'ctx-n', '8'],
      ['e7', 'other', 'ctx-a', '7'],
    ];
    for (const row of rows) insert.run(...row);
    db.close();

    const upgrades: Array<[number, number]> = [];
    store = createSqliteStore({ path: file, beforeUpgrade: (from, to) => upgrades.push([from, to]) });
    expect(upgrades).toEqual([[9, SCHEMA_VERSION]]);
    const seqOf = (id: string) => rows.findIndex((row) => row[0] === id) + 1;
    expect(rootsOf(file, ROOTS_KEPT)).toEqual(
      [`shop|ctx-a|${seqOf('e2')}`, `shop|ctx-b|${seqOf('e4')}`, `|ctx-n|${seqOf('e6')}`, `other|ctx-a|${seqOf('e7')}`].sort(),
    );
    expect(rootsOf(file, ROOTS_KEPT)).toEqual(rootsOf(file, ROOTS_BY_DEFINITION));
  });
});
