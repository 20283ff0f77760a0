import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestPostgresDatabase } from '@shipmate/testing';
import type { TestPostgresDatabase } from '@shipmate/testing';
import type { ReplicaNotice, ReplicaNoticeBus } from '@shipmate/core';
import { MAX_NOTICE_BYTES } from '@shipmate/core';
import { createPostgresNoticeBus, packNotices } from './postgres-notice-bus.js';

/** Resolves with the first value `take` returns for a notice, or rejects after `ms`. */
function nextNotice(bus: ReplicaNoticeBus, ms = 3000): Promise<ReplicaNotice> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no notice within ${ms} ms`));
    }, ms);
    const stop = bus.subscribe((notice) => {
      clearTimeout(timer);
      stop();
      resolve(notice);
    });
  });
}

describe('the PostgreSQL LISTEN/NOTIFY notice bus', () => {
  let database: TestPostgresDatabase;
  const buses: ReplicaNoticeBus[] = [];
  const errors: string[] = [];
  const open = async (replicaId: string) => {
    const bus = await createPostgresNoticeBus({ url: database.url, replicaId, onError: (_error, what) => errors.push(what) });
    buses.push(bus);
    return bus;
  };

  beforeEach(async () => {
    database = await createTestPostgresDatabase();
    errors.length = 0;
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await database.drop();
  });

  it("carries a replica's notices to the others, never back to itself", async () => {
    const a = await open('a');
    const b = await open('b');
    const heardByA: ReplicaNotice[] = [];
    a.subscribe((notice) => heardByA.push(notice));
    const heard = nextNotice(b);

    a.publish({ kind: 'registry', integrationId: 'int-1' });

    expect(await heard).toEqual({ kind: 'registry', integrationId: 'int-1' });
    expect(a.kind).toBe('postgres');
    // b's own notice reaches a, and a's own never came back to it.
    const back = nextNotice(a);
    b.publish({ kind: 'tokens' });
    expect(await back).toEqual({ kind: 'tokens' });
    expect(heardByA).toEqual([{ kind: 'tokens' }]);
  });

  it('splits an emitted notice larger than NOTIFY allows into several that arrive whole', async () => {
    const a = await open('a');
    const b = await open('b');
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: `event-${i}-${'x'.repeat(100)}`,
      type: 'sh.keptn.event.deployment.triggered',
      source: 'shipyard-controller',
      specversion: '1.0',
      time: '2026-12-05T00:00:00.000Z',
      shkeptncontext: `context-${i}`,
      data: { project: 'p', stage: 'dev', service: 's' },
    }));
    const heard: string[] = [];
    const all = new Promise<void>((resolve) =>
      b.subscribe((notice) => {
        if (notice.kind === 'emitted') heard.push(...notice.events.map((e) => e.id));
        if (heard.length === events.length) resolve();
      }),
    );
    a.publish({ kind: 'emitted', events });
    await all;
    expect(heard).toEqual(events.map((e) => e.id));
    expect(errors).toEqual([]);
  });

  it('sends the notices published while a send is under way together, in order, in few notifications', async () => {
    const a = await open('a');
    const b = await open('b');
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    let notifications = 0;
    let noticesSeen = 0;
    raw.on('notification', (message) => {
      notifications += 1;
      noticesSeen += (JSON.parse(message.payload ?? '{}') as { notices?: unknown[] }).notices?.length ?? 0;
    });
    try {
      await raw.query('LISTEN shipmate_notices');
      const count = 300;
      const heard: string[] = [];
      const all = new Promise<void>((resolve) =>
        b.subscribe((notice) => {
          if (notice.kind === 'answer') heard.push(notice.eventId);
          if (heard.length === count) resolve();
        }),
      );
      // One stored .finished after the other, as the intake announces them.
      for (let i = 0; i < count; i++) a.publish({ kind: 'answer', project: 'p', triggeredId: `task-${i}`, eventId: `event-${i}` });
      await all;
      expect(heard).toEqual(Array.from({ length: count }, (_, i) => `event-${i}`));
      // About 90 bytes a notice: dozens to a payload (one notification each) instead of one each.
      await expect.poll(() => noticesSeen, { timeout: 3000 }).toBe(count);
      expect(notifications).toBeLessThanOrEqual(count / 20);
    } finally {
      await raw.end();
    }
    expect(errors).toEqual([]);
  });

  it('hears a notice in the envelope of the versions before batching (one notice, `notice`)', async () => {
    const b = await open('b');
    const heard = nextNotice(b);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`SELECT pg_notify('shipmate_notices', '{"from":"older-replica","notice":{"kind":"tokens"}}')`);
    await client.end();
    expect(await heard).toEqual({ kind: 'tokens' });
  });

  it('ignores a payload that is not a notice, saying so', async () => {
    const b = await open('b');
    const heard: ReplicaNotice[] = [];
    b.subscribe((notice) => heard.push(notice));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(
      `SELECT pg_notify('shipmate_notices', 'not json'), pg_notify('shipmate_notices', '{"from":"x","notice":{"kind":"launch"}}')`,
    );
    await client.end();
    await expect.poll(() => errors.length, { timeout: 3000 }).toBe(2);
    expect(errors[0]).toMatch(/not JSON/);
    expect(errors[1]).toMatch(/unknown form/);
    expect(heard).toEqual([]);
  });

  it('reconnects after its connection is killed and tells the subscribers to re-read', async () => {
    const a = await open('a');
    const b = await open('b');
    let reconnected = 0;
    b.subscribe(
      () => undefined,
      () => (reconnected += 1),
    );
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`);
    await admin.end();
    await expect.poll(() => reconnected, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const heard = nextNotice(b);
    a.publish({ kind: 'tokens' });
    expect(await heard).toEqual({ kind: 'tokens' });
  });

  it('refuses a channel that is not an identifier, naming the option', async () => {
    await expect(createPostgresNoticeBus({ url: database.url, channel: 'bad; DROP' })).rejects.toThrow(
      /channel must be a lower-case SQL identifier/,
    );
  });
});

describe('packNotices', () => {
  const answer = (i: number): ReplicaNotice => ({ kind: 'answer', project: 'p', triggeredId: `task-${i}`, eventId: `event-${i}` });

  it('packs notices in order into payloads NOTIFY takes (under 8000 bytes), as many to one as fit', () => {
    const notices = Array.from({ length: 500 }, (_, i) => answer(i));
    const payloads = packNotices('replica-a', notices);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const unpacked = payloads.flatMap((payload) => (JSON.parse(payload) as { from: string; notices: ReplicaNotice[] }).notices);
    expect(unpacked).toEqual(notices);
    expect(payloads.every((payload) => (JSON.parse(payload) as { from: string }).from === 'replica-a')).toBe(true);
    // Full payloads: one more notice would not have fitted in any but the last.
    const oneMore = Buffer.byteLength(JSON.stringify(answer(0))) + 1;
    for (const payload of payloads.slice(0, -1)) expect(Buffer.byteLength(payload) + oneMore).toBeGreaterThanOrEqual(8000);
  });

  it('gives a notice as large as fitNotice lets one be a payload of its own', () => {
    const filler = { kind: 'changes', projects: [], topics: [] } satisfies ReplicaNotice;
    const base = Buffer.byteLength(JSON.stringify({ ...filler, projects: [''] }));
    const large: ReplicaNotice = { ...filler, projects: ['x'.repeat(MAX_NOTICE_BYTES - base)] };
    expect(Buffer.byteLength(JSON.stringify(large))).toBe(MAX_NOTICE_BYTES);
    const payloads = packNotices('replica-a', [answer(1), large, answer(2)]);
    expect(payloads).toHaveLength(3);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
  });

  it('sends nothing for no notices', () => {
    expect(packNotices('replica-a', [])).toEqual([]);
  });
});
