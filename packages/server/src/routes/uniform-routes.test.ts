import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Integration } from '@shipmate/core';
import { startInProcessServer } from '../test-support/in-process-server.js';
import type { InProcessServer } from '../test-support/in-process-server.js';
import { manualClock } from '@shipmate/testing';

const CP = '/api/controlPlane/v1';
const REG = `${CP}/uniform/registration`;
const START_MS = Date.UTC(2024, 0, 1);

interface Plane {
  name?: string;
  namespace?: string;
  hostname: string;
  pod?: string;
  location?: string;
  stages?: string[];
  viaExtension?: boolean;
}

/** A register body as Keptn's distributor sends it. */
function registration(p: Plane): Record<string, unknown> {
  const filter = { projects: [], stages: p.stages ?? [], services: [] };
  return {
    name: p.name ?? 'helm-service',
    metadata: {
      hostname: p.hostname,
      integrationversion: '0.18.1',
      distributorversion: '0.18.0',
      location: p.location ?? 'control-plane',
      kubernetesmetadata: { namespace: p.namespace ?? 'keptn-exec', podname: p.pod ?? '', deploymentname: p.name ?? 'helm-service' },
      ...(p.viaExtension ? { shipmate: { filters: filter } } : {}),
    },
    subscriptions: [
      { event: 'sh.keptn.event.deployment.triggered', filter: p.viaExtension ? { projects: [], stages: [], services: [] } : filter },
    ],
  };
}

let api: InProcessServer;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock(START_MS);
  api = await startInProcessServer({ clock });
});

afterEach(async () => {
  await api.close();
});

async function register(p: Plane): Promise<{ status: number; id: string; instanceId: string }> {
  const reply = await api.call<{ id: string; instanceId: string }>('POST', REG, registration(p));
  return { status: reply.status, id: reply.body.id, instanceId: reply.body.instanceId };
}

async function integration(id: string): Promise<Integration> {
  const reply = await api.call<Integration>('GET', `${REG}/${id}`);
  expect(reply.status).toBe(200);
  return reply.body;
}

describe('registration', () => {
  it('gives a new integration id sha1(name-namespace-hostname) with 201, then reuses it with 200 from another host', async () => {
    // Two replicas in one plane: same location, different nodes.
    const first = await register({ hostname: 'node-1', pod: 'helm-a', location: 'cluster-a' });
    expect(first.status).toBe(201);
    expect(first.id).toMatch(/^[0-9a-f]{40}$/);
    const second = await register({ hostname: 'node-2', pod: 'helm-b', location: 'cluster-a' });
    expect(second).toMatchObject({ status: 200, id: first.id });
    const view = await integration(first.id);
    expect(view.metadata.hostname).toBe('node-1');
    expect(view.instances.map((i) => i.hostname).sort()).toEqual(['node-1', 'node-2']);
    expect(view.instances.every((i) => i.state === 'online')).toBe(true);
    expect(view.collision).toBeUndefined();
    const list = await api.call<Integration[]>('GET', `${REG}?name=helm-service`);
    expect(list.body.map((i) => i.id)).toEqual([first.id]);
    expect(list.body[0]?.instances).toHaveLength(2);
  });

  it('keeps one instance per process across re-registrations', async () => {
    const a = await register({ hostname: 'node-1', pod: 'helm-a' });
    const b = await register({ hostname: 'node-1', pod: 'helm-a' });
    expect(b.instanceId).toBe(a.instanceId);
    expect((await integration(a.id)).instances).toHaveLength(1);
  });

  it('removes one instance on DELETE .../instance/{instanceId} and keeps the integration; 404 for unknown ones', async () => {
    const a = await register({ hostname: 'node-1', pod: 'helm-a' });
    const b = await register({ hostname: 'node-1', pod: 'helm-b' });
    expect(await api.call('DELETE', `${REG}/${a.id}/instance/${a.instanceId}`)).toMatchObject({ status: 200, body: {} });
    expect((await integration(a.id)).instances.map((i) => i.instanceId)).toEqual([b.instanceId]);
    expect((await api.call('DELETE', `${REG}/${a.id}/instance/${a.instanceId}`)).status).toBe(404);
    expect((await api.call('DELETE', `${REG}/unknown/instance/${b.instanceId}`)).status).toBe(404);
  });

  it('flags a collision naming the planes and the fix, with the overlap sentence when filters overlap', async () => {
    const { id } = await register({ hostname: 'node-1', location: 'hardening' });
    await register({ hostname: 'node-9', location: 'production' });
    const view = await integration(id);
    expect(view.collision?.planes).toEqual(['hardening', 'production']);
    expect(view.collision?.message).toMatch(/identity 'helm-service' in namespace 'keptn-exec'/);
    expect(view.collision?.message).toMatch(/K8S_DEPLOYMENT_NAME.*nameOverride/);
    expect(view.collision?.message).toMatch(/tasks may reach the wrong plane/);
    const list = await api.call<Integration[]>('GET', REG);
    expect(list.body[0]?.collision?.planes).toEqual(['hardening', 'production']);
  });

  it('leaves the overlap sentence out when STAGE_FILTERs are disjoint (distributor subscriptions or the extension)', async () => {
    const { id } = await register({ hostname: 'node-1', location: 'hardening', stages: ['hardening'] });
    await register({ hostname: 'node-9', location: 'production', stages: ['production'], viaExtension: true });
    const view = await integration(id);
    expect(view.collision?.message).toMatch(/K8S_DEPLOYMENT_NAME/);
    expect(view.collision?.message).not.toMatch(/wrong plane/);
    expect(view.collision?.filtersOverlap).toBe(false);
    expect(view.instances.map((i) => i.filters.stages).sort()).toEqual([['hardening'], ['production']]);
  });

  it('identifies planes by hostname when the location is Keptn default', async () => {
    const { id } = await register({ hostname: 'node-1' });
    await register({ hostname: 'node-2', pod: 'x' });
    expect((await integration(id)).collision?.planes).toEqual(['node-1', 'node-2']);
  });

  it('reports no collision for unique names', async () => {
    const a = await register({ name: 'helm-hardening', hostname: 'node-1', location: 'hardening' });
    const b = await register({ name: 'helm-production', hostname: 'node-9', location: 'production' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect((await integration(a.id)).collision).toBeUndefined();
    expect((await integration(b.id)).collision).toBeUndefined();
  });
});

describe('heartbeat', () => {
  it('updates lastseen of the integration and the named instance and returns the current subscriptions', async () => {
    const { id, instanceId } = await register({ hostname: 'node-1' });
    const added = await api.call<{ id: string }>('POST', `${REG}/${id}/subscription`, {
      event: 'sh.keptn.event.test.triggered',
      filter: { projects: ['shop'] },
    });
    expect(added.status).toBe(201);
    clock.advance(4000);
    const ping = await api.call<Integration>('PUT', `${REG}/${id}/ping?instanceId=${instanceId}`);
    expect(ping.status).toBe(200);
    expect(ping.body.metadata.lastseen).toBe(new Date(START_MS + 4000).toISOString());
    expect(ping.body.subscriptions.map((s) => s.event)).toEqual(['sh.keptn.event.deployment.triggered', 'sh.keptn.event.test.triggered']);
    expect(ping.body.instances[0]?.lastseen).toBe(new Date(START_MS + 4000).toISOString());
    clock.advance(1000);
    const byBody = await api.call<Integration>('PUT', `${REG}/${id}/ping`, { instanceId });
    expect(byBody.body.instances[0]?.lastseen).toBe(new Date(START_MS + 5000).toISOString());
  });

  it('takes an instance offline after 3 missed intervals, while a pinging one stays online', async () => {
    const a = await register({ hostname: 'node-1', pod: 'a' });
    const b = await register({ hostname: 'node-1', pod: 'b' });
    for (let i = 0; i < 4; i += 1) {
      clock.advance(5000);
      await api.call('PUT', `${REG}/${a.id}/ping?instanceId=${a.instanceId}`);
    }
    const states = Object.fromEntries((await integration(a.id)).instances.map((i) => [i.instanceId, i.state]));
    expect(states).toEqual({ [a.instanceId]: 'online', [b.instanceId]: 'offline' });
  });

  it('stays online at exactly 3 intervals', async () => {
    const { id } = await register({ hostname: 'node-1' });
    clock.advance(15_000);
    expect((await integration(id)).instances[0]?.state).toBe('online');
    clock.advance(1);
    expect((await integration(id)).instances[0]?.state).toBe('offline');
  });
});

describe('expiry', () => {
  it('removes registrations older than the TTL and keeps fresh ones', async () => {
    const stale = await register({ name: 'stale', hostname: 'node-1' });
    clock.advance(47 * 3600 * 1000);
    const fresh = await register({ name: 'fresh', hostname: 'node-1' });
    clock.advance(2 * 3600 * 1000);
    expect(await api.server.sweepExpiredIntegrations()).toEqual({ integrations: 1, logs: 0 });
    expect((await api.call('GET', `${REG}/${stale.id}`)).status).toBe(404);
    expect((await api.call('PUT', `${REG}/${stale.id}/ping`)).status).toBe(404);
    expect((await api.call('GET', `${REG}/${fresh.id}`)).status).toBe(200);
  });
});

describe('subscriptions', () => {
  it('creates, reads, replaces and deletes', async () => {
    const { id } = await register({ hostname: 'node-1' });
    const created = await api.call<{ id: string }>('POST', `${REG}/${id}/subscription`, { event: 'sh.keptn.event.test.triggered' });
    const sid = created.body.id;
    expect((await api.call('GET', `${REG}/${id}/subscription/${sid}`)).body).toEqual({
      id: sid,
      event: 'sh.keptn.event.test.triggered',
      filter: { projects: [], stages: [], services: [] },
    });
    const put = await api.call('PUT', `${REG}/${id}/subscription/${sid}`, {
      event: 'sh.keptn.event.test.triggered',
      filter: { projects: ['shop'], stages: ['dev'], services: ['carts'] },
    });
    expect(put).toMatchObject({ status: 201, body: { id: sid } });
    const byProject = await api.call<Integration[]>('GET', `${REG}?project=shop&stage=dev&service=carts`);
    expect(byProject.body.map((i) => i.id)).toEqual([id]);
    expect((await api.call<Integration[]>('GET', `${REG}?project=other`)).body).toEqual([]);
    expect((await api.call('DELETE', `${REG}/${id}/subscription/${sid}`)).status).toBe(200);
    expect((await api.call('GET', `${REG}/${id}/subscription/${sid}`)).status).toBe(404);
    expect((await api.call<unknown[]>('GET', `${REG}/${id}/subscription`)).body).toHaveLength(1);
  });

  it('lists [] (not null) when there are none, and deletes integrations with 200 {} even when unknown', async () => {
    const body = registration({ hostname: 'node-1' });
    body.subscriptions = [];
    const { id } = (await api.call<{ id: string }>('POST', REG, body)).body;
    expect((await api.call('GET', `${REG}/${id}/subscription`)).body).toEqual([]);
    expect(await api.call('DELETE', `${REG}/${id}`)).toMatchObject({ status: 200, body: {} });
    expect(await api.call('DELETE', `${REG}/unknown`)).toMatchObject({ status: 200, body: {} });
    expect((await api.call<unknown[]>('GET', REG)).body).toEqual([]);
  });
});

describe('/log', () => {
  const LOG = `${CP}/log`;
  const t = (minute: number) => new Date(START_MS + minute * 60_000).toISOString();

  it('stores entries, fills a missing time, and pages newest first with inclusive bounds', async () => {
    const logs = [0, 1, 2, 3].map((m) => ({ integrationid: 'i1', message: `m${m}`, task: 'deployment', time: t(m) }));
    expect(await api.call('POST', LOG, { logs: [...logs, { integrationid: 'i2', message: 'now' }] })).toMatchObject({
      status: 200,
      body: {},
    });
    const other = await api.call<{ logs: Array<{ time: string }> }>('GET', `${LOG}?integrationId=i2`);
    expect(other.body.logs[0]?.time).toBe(new Date(START_MS).toISOString());

    const first = await api.call<{ logs: Array<{ message: string }>; nextPageKey?: number; totalCount: number }>(
      'GET',
      `${LOG}?integrationId=i1&fromTime=${t(1)}&beforeTime=${t(3)}&pageSize=2`,
    );
    expect(first.body).toMatchObject({ totalCount: 3, nextPageKey: 2 });
    expect(first.body.logs.map((l) => l.message)).toEqual(['m3', 'm2']);
    const second = await api.call<{ logs: Array<{ message: string }>; nextPageKey?: number }>(
      'GET',
      `${LOG}?integrationId=i1&fromTime=${t(1)}&beforeTime=${t(3)}&pageSize=2&nextPageKey=2`,
    );
    expect(second.body.logs.map((l) => l.message)).toEqual(['m1']);
    expect(second.body.nextPageKey).toBeUndefined();

    expect((await api.call('DELETE', `${LOG}?integrationId=i1&beforeTime=${t(1)}`)).status).toBe(200);
    expect((await api.call<{ totalCount: number }>('GET', `${LOG}?integrationId=i1`)).body.totalCount).toBe(2);
  });

  it('removes entries older than LOG_TTL in the sweep', async () => {
    await api.call('POST', LOG, { logs: [{ integrationid: 'i1', message: 'old' }] });
    clock.advance(100 * 3600 * 1000);
    await api.call('POST', LOG, { logs: [{ integrationid: 'i1', message: 'new' }] });
    clock.advance(21 * 3600 * 1000);
    expect((await api.server.sweepExpiredIntegrations()).logs).toBe(1);
    const left = await api.call<{ logs: Array<{ message: string }> }>('GET', LOG);
    expect(left.body.logs.map((l) => l.message)).toEqual(['new']);
  });
});

describe('concurrent registration', () => {
  it('ends on one id when processes of a new integration register at once', async () => {
    const replies = await Promise.all(['node-1', 'node-2', 'node-3'].map((hostname) => register({ hostname, location: 'cluster-a' })));
    expect(new Set(replies.map((r) => r.id)).size).toBe(1);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect((await api.call<Integration[]>('GET', REG)).body).toHaveLength(1);
  });
});

describe('registry options', () => {
  it('honours heartbeatIntervalMs, and integrationTtlMs 0 keeps registrations', async () => {
    const own = manualClock(START_MS);
    const custom = await startInProcessServer({ clock: own, heartbeatIntervalMs: 10_000, integrationTtlMs: 0, logTtlMs: 0 });
    try {
      const { id } = (await custom.call<{ id: string }>('POST', REG, registration({ hostname: 'node-1' }))).body;
      own.advance(30_000);
      expect((await custom.call<Integration>('GET', `${REG}/${id}`)).body.instances[0]?.state).toBe('online');
      own.advance(1);
      expect((await custom.call<Integration>('GET', `${REG}/${id}`)).body.instances[0]?.state).toBe('offline');
      own.advance(365 * 24 * 3600 * 1000);
      expect(await custom.server.sweepExpiredIntegrations()).toEqual({ integrations: 0, logs: 0 });
      expect((await custom.call('GET', `${REG}/${id}`)).status).toBe(200);
    } finally {
      await custom.close();
    }
  });
});
