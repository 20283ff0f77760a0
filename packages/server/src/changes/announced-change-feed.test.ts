/**
 * The change feed of a replica among several: what is noted through it reaches this replica's
 * listeners and, once per window, the other replicas as one `changes` notice; the feed it wraps
 * (where the other replicas' changes arrive) announces nothing.
 */
import { describe, expect, it } from 'vitest';
import type { KeptnEvent, ReplicaNotice } from '@shipmate/core';
import { ChangeTopic, createChangeFeed, isChangeTopic } from './change-feed.js';
import type { ChangeBatch } from './change-feed.js';
import { announceChanges } from './announced-change-feed.js';

function event(project: string): KeptnEvent {
  return {
    id: `e-${project}`,
    type: 'sh.keptn.event.deployment.started',
    source: 'test',
    specversion: '1.0',
    time: '',
    shkeptncontext: 'c',
    data: { project },
  };
}

function setUp() {
  const published: ReplicaNotice[] = [];
  const liveViews = createChangeFeed({ coalesceMs: 10 });
  const changes = announceChanges(liveViews, { publish: (notice) => void published.push(notice) }, { coalesceMs: 10 });
  const heard: ChangeBatch[] = [];
  changes.subscribe((batch) => heard.push(batch));
  return { published, liveViews, changes, heard };
}

describe('announceChanges', () => {
  it("tells this replica's listeners and announces one notice for the writes of one window", async () => {
    const { published, changes, heard } = setUp();
    changes.changed('shop');
    changes.changedBy([event('cart'), event('shop')]);
    changes.touched(ChangeTopic.secrets);
    changes.touched(ChangeTopic.integrations);
    await expect.poll(() => published.length + heard.length).toBe(2);
    expect(published).toEqual([{ kind: 'changes', projects: ['cart', 'shop'], topics: ['integrations', 'secrets'] }]);
    expect(heard).toEqual([{ projects: ['cart', 'shop'], topics: ['integrations', 'secrets'] }]);
    changes.close();
  });

  it('does not announce what other replicas changed (it arrives on the wrapped feed)', async () => {
    const { published, liveViews, changes, heard } = setUp();
    liveViews.changed('shop');
    liveViews.touched(ChangeTopic.secrets);
    await expect.poll(() => heard.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(heard).toEqual([{ projects: ['shop'], topics: ['secrets'] }]);
    expect(published).toEqual([]);
    changes.close();
  });

  it('announces changes while no listener is open here (one may be open on another replica)', async () => {
    const published: ReplicaNotice[] = [];
    const changes = announceChanges(
      createChangeFeed({ coalesceMs: 10 }),
      { publish: (notice) => void published.push(notice) },
      { coalesceMs: 10 },
    );
    changes.touched(ChangeTopic.integrations);
    await expect.poll(() => published.length).toBe(1);
    expect(published).toEqual([{ kind: 'changes', projects: [], topics: ['integrations'] }]);
    changes.close();
  });

  it('drops what was not announced yet when it closes, and closes the wrapped feed', async () => {
    const { published, liveViews, changes } = setUp();
    let closed = false;
    liveViews.subscribe(
      () => undefined,
      () => (closed = true),
    );
    changes.changed('shop');
    changes.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(published).toEqual([]);
    expect(closed).toBe(true);
    expect(changes.size).toBe(0);
  });
});

describe('isChangeTopic', () => {
  it('knows the topics of this version only', () => {
    expect(isChangeTopic('secrets')).toBe(true);
    expect(isChangeTopic('integrations')).toBe(true);
    expect(isChangeTopic('dashboards')).toBe(false);
  });
});
