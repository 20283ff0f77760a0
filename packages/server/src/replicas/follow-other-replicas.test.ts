import { describe, expect, it } from 'vitest';
import { createTaskWaiters } from '@shipmate/core';
import type { NoticeListener, ReplicaNotice, ReplicaNoticeBus } from '@shipmate/core';
import { followOtherReplicas } from './follow-other-replicas.js';
import { announceUpstreamChanges } from './announce-upstream.js';

/** A bus whose notices the test hands in as if another replica sent them; records what is published. */
function handBus(): ReplicaNoticeBus & { hear(notice: ReplicaNotice): void; reconnect(): void; published: ReplicaNotice[] } {
  const listeners: Array<{ listener: NoticeListener; onReconnect?: () => void }> = [];
  const published: ReplicaNotice[] = [];
  return {
    kind: 'hand',
    published,
    publish: (notice) => void published.push(notice),
    subscribe(listener, onReconnect) {
      const entry = { listener, ...(onReconnect ? { onReconnect } : {}) };
      listeners.push(entry);
      return () => listeners.splice(listeners.indexOf(entry), 1);
    },
    hear: (notice) => listeners.forEach(({ listener }) => listener(notice)),
    reconnect: () => listeners.forEach(({ onReconnect }) => onReconnect?.()),
    close: async () => undefined,
  };
}

function follow(bus: ReplicaNoticeBus) {
  const calls: string[] = [];
  const stop = followOtherReplicas({
    notices: bus,
    store: { queryEvents: async () => ({ items: [], totalCount: 0 }) },
    waiters: createTaskWaiters(),
    subscribers: { refresh: async (id) => void calls.push(`refresh ${id ?? 'all'}`) },
    apiTokens: { load: async () => void calls.push('tokens') },
    owners: {
      bind: (integrationId, instanceId, owner, options) =>
        void calls.push(`bind ${integrationId}/${instanceId} ${owner} ${String(options?.announce)}`),
    },
    answers: { stored: () => undefined },
    upstream: { reload: async (project) => void calls.push(`upstream ${project}`) },
    changes: {
      changed: (project) => void calls.push(`changed ${project}`),
      touched: (topic) => void calls.push(`touched ${topic}`),
    },
    claims: { shared: false, hold: (_scopes, work) => work() },
    registryRefreshMs: 3_600_000,
    onError: (_error, what) => calls.push(`error ${what}`),
  });
  return { calls, stop };
}

describe('followOtherReplicas', () => {
  it("applies each kind of another replica's notice to what this replica keeps", async () => {
    const bus = handBus();
    const { calls, stop } = follow(bus);
    bus.hear({ kind: 'registry', integrationId: 'i-1' });
    bus.hear({ kind: 'registry' });
    bus.hear({ kind: 'tokens' });
    bus.hear({ kind: 'owner', integrationId: 'i-1', instanceId: 'pod-1', owner: 'token-eu' });
    bus.hear({ kind: 'upstream', project: 'shop' });
    bus.hear({ kind: 'changes', projects: ['shop', 'cart'], topics: ['secrets', 'integrations'] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([
      'refresh i-1',
      'refresh all',
      'tokens',
      'bind i-1/pod-1 token-eu false',
      'upstream shop',
      'changed shop',
      'changed cart',
      'touched secrets',
      'touched integrations',
    ]);
    calls.length = 0;
    bus.reconnect();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['refresh all', 'tokens']);
    stop();
    bus.hear({ kind: 'tokens' });
    expect(calls).toEqual(['refresh all', 'tokens']);
  });

  it("passes on the topics this version knows and leaves a newer replica's other topics out", () => {
    const bus = handBus();
    const { calls, stop } = follow(bus);
    bus.hear({ kind: 'changes', projects: [], topics: ['dashboards', 'secrets'] });
    expect(calls).toEqual(['touched secrets']);
    stop();
  });

  it('announces a configured or forgotten upstream after the change, and not a failed one', async () => {
    const bus = handBus();
    const upstream = announceUpstreamChanges(
      {
        configure: async (project) => {
          if (project === 'broken') throw new Error('refused');
        },
        forget: async () => undefined,
        reload: async () => undefined,
        pull: async () => undefined,
        pushSoon: () => undefined,
        status: () => undefined,
        close: async () => undefined,
      },
      bus,
    );
    await upstream.configure('shop', undefined);
    await upstream.forget('old');
    await expect(upstream.configure('broken', undefined)).rejects.toThrow('refused');
    expect(bus.published).toEqual([
      { kind: 'upstream', project: 'shop' },
      { kind: 'upstream', project: 'old' },
    ]);
  });
});
