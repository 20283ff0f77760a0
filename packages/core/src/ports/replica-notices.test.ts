/**
 * Notices on the wire: `parseNotice` keeps what a replica can act on and refuses the rest, and
 * `fitNotice` splits what would not fit into one PostgreSQL NOTIFY.
 */
import { describe, expect, it } from 'vitest';
import { MAX_NOTICE_BYTES, fitNotice, parseNotice } from './replica-notices.js';
import type { ReplicaNotice } from './replica-notices.js';

describe('parseNotice', () => {
  it('takes a changes notice with lists of names', () => {
    const notice = { kind: 'changes', projects: ['shop'], topics: ['secrets'] };
    expect(parseNotice(notice)).toEqual(notice);
    expect(parseNotice({ kind: 'changes', projects: [], topics: [] })).toEqual({ kind: 'changes', projects: [], topics: [] });
  });

  it('refuses a changes notice whose projects or topics are not lists of names', () => {
    expect(parseNotice({ kind: 'changes', projects: 'shop', topics: [] })).toBeUndefined();
    expect(parseNotice({ kind: 'changes', projects: ['shop'] })).toBeUndefined();
    expect(parseNotice({ kind: 'changes', projects: [1], topics: [] })).toBeUndefined();
    expect(parseNotice({ kind: 'changes', projects: [], topics: [null] })).toBeUndefined();
  });

  it('refuses what is no notice of a known kind', () => {
    expect(parseNotice(null)).toBeUndefined();
    expect(parseNotice('changes')).toBeUndefined();
    expect(parseNotice({ kind: 'dashboards' })).toBeUndefined();
  });
});

describe('fitNotice', () => {
  it('leaves a notice that fits as it is', () => {
    const notice: ReplicaNotice = { kind: 'changes', projects: ['shop'], topics: ['secrets'] };
    expect(fitNotice(notice)).toEqual([notice]);
  });

  it('splits a changes notice with many projects into notices that fit, every project once and the topics once', () => {
    const projects = Array.from({ length: 400 }, (_, i) => `project-with-a-rather-long-name-${String(i).padStart(3, '0')}`);
    const parts = fitNotice({ kind: 'changes', projects, topics: ['integrations', 'secrets'] });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    const changes = parts.map((part) => (part.kind === 'changes' ? part : { projects: [], topics: [] }));
    expect(changes.flatMap((part) => part.projects)).toEqual(projects);
    expect(changes.flatMap((part) => part.topics)).toEqual(['integrations', 'secrets']);
  });
});
