import { describe, expect, it } from 'vitest';
import { isUuid } from '../events/keptn-context.js';
import { uuidGenerator, uuidV7 } from './id-generator.js';

describe('uuidV7', () => {
  it('makes valid, unique version-7 UUIDs that sort by time', () => {
    const ids = Array.from({ length: 2000 }, () => uuidGenerator.newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect(uuidV7(1_000) < uuidV7(2_000)).toBe(true);
    expect(uuidV7(Date.parse('2026-01-01T00:00:00Z')).slice(0, 13)).toBe('019b76da-a800');
  });
});
