/** The change feed: batches per project, nothing gathered without listeners, close ends listeners. */
import { describe, expect, it } from 'vitest';
import { fixtureEvent } from '@shipmate/testing';
import { createChangeFeed } from './change-feed.js';
import type { ChangeBatch } from './change-feed.js';

/** The next batch `feed` tells, or a rejection after `ms`. */
function nextBatch(feed: ReturnType<typeof createChangeFeed>, ms = 2000): Promise<ChangeBatch> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no batch within ${ms} ms`)), ms);
    const stop = feed.subscribe((batch) => {
      clearTimeout(timer);
      stop();
      resolve(batch);
    });
  });
}

describe('createChangeFeed', () => {
  it('tells listeners the projects that changed, once per burst, sorted and without duplicates', async () => {
    const feed = createChangeFeed({ coalesceMs: 20 });
    const batch = nextBatch(feed);
    feed.changed('shop');
    feed.changedBy([
      fixtureEvent({ data: { project: 'bank' } }),
      fixtureEvent({ data: { project: 'shop' } }),
      fixtureEvent({ data: { project: undefined } }),
    ]);
    expect(await batch).toEqual({ projects: ['bank', 'shop'], topics: [] });
    feed.close();
  });

  it('tells the topics touched besides projects, once per burst, sorted', async () => {
    const feed = createChangeFeed({ coalesceMs: 20 });
    feed.touched('secrets');
    const batch = nextBatch(feed);
    feed.touched('secrets');
    feed.touched('integrations');
    feed.touched('secrets');
    expect(await batch).toEqual({ projects: [], topics: ['integrations', 'secrets'] });
    feed.close();
  });

  it('gathers nothing while nobody listens', async () => {
    const feed = createChangeFeed({ coalesceMs: 20 });
    feed.changed('before');
    const batch = nextBatch(feed);
    feed.changed('after');
    expect(await batch).toEqual({ projects: ['after'], topics: [] });
    feed.close();
  });

  it('keeps telling the others when one listener throws, and drops that one', async () => {
    const feed = createChangeFeed({ coalesceMs: 10 });
    feed.subscribe(() => {
      throw new Error('socket gone');
    });
    const batch = nextBatch(feed);
    expect(feed.size).toBe(2);
    feed.changed('shop');
    expect(await batch).toEqual({ projects: ['shop'], topics: [] });
    expect(feed.size).toBe(0);
    feed.close();
  });

  it('on close tells every listener it ended, and a later subscriber at once', () => {
    const feed = createChangeFeed();
    const ended: string[] = [];
    feed.subscribe(
      () => {},
      () => ended.push('first'),
    );
    feed.close();
    feed.subscribe(
      () => {},
      () => ended.push('late'),
    );
    expect(ended).toEqual(['first', 'late']);
    expect(feed.size).toBe(0);
  });
});
