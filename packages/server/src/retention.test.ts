import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '@shipmate/core';
import { startInProcessServer } from './test-support/in-process-server.js';
import type { InProcessServer } from './test-support/in-process-server.js';

const HOUR = 3_600_000;

describe('event retention', () => {
  let now = Date.parse('2026-01-01T00:00:00.000Z');
  const clock: Clock = { nowMs: () => now };
  let api: InProcessServer;

  beforeAll(async () => {
    api = await startInProcessServer({ clock, eventRetentionMs: 24 * HOUR });
  });

  afterAll(async () => {
    await api.close();
  });

  const send = (marker: string) =>
    api.call('POST', '/api/v1/event', { type: 'sh.keptn.log.error', source: 'test', data: { project: 'p', marker } });
  const markers = async () => {
    const reply = await api.call<{ events: Array<{ data: { marker: string } }> }>(
      'GET',
      '/api/mongodb-datastore/event?project=p&pageSize=100',
    );
    return reply.body.events.map((e) => e.data.marker).sort();
  };

  it('deletes events older than the retention and keeps newer ones', async () => {
    expect((await send('old')).status).toBe(200);
    now += 20 * HOUR;
    expect((await send('new')).status).toBe(200);
    now += 5 * HOUR;
    expect(await api.server.sweepEventRetention()).toBe(1);
    expect(await markers()).toEqual(['new']);
  });
});
