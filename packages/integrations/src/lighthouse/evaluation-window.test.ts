import { describe, expect, it } from 'vitest';
import { evaluationWindow } from './evaluation-window.js';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');

describe('evaluationWindow', () => {
  const rows: Array<{ name: string; data: Record<string, unknown>; window?: [string, string]; error?: RegExp }> = [
    {
      name: 'evaluation start and end',
      data: { evaluation: { start: '2026-06-01T10:00:00Z', end: '2026-06-01T10:05:00Z' } },
      window: ['2026-06-01T10:00:00.000Z', '2026-06-01T10:05:00.000Z'],
    },
    {
      name: 'timeframe alone ends now',
      data: { evaluation: { timeframe: '5m' } },
      window: ['2026-06-01T11:55:00.000Z', '2026-06-01T12:00:00.000Z'],
    },
    {
      name: 'start with timeframe',
      data: { evaluation: { start: '2026-06-01T10:00:00Z', timeframe: '1h30m' } },
      window: ['2026-06-01T10:00:00.000Z', '2026-06-01T11:30:00.000Z'],
    },
    {
      name: 'the test task window when the evaluation has none',
      data: { test: { start: '2026-06-01T09:00:00Z', end: '2026-06-01T09:10:00Z' } },
      window: ['2026-06-01T09:00:00.000Z', '2026-06-01T09:10:00.000Z'],
    },
    {
      name: 'the evaluation window wins over the test window',
      data: { evaluation: { timeframe: '1m' }, test: { start: '2026-06-01T09:00:00Z', end: '2026-06-01T09:10:00Z' } },
      window: ['2026-06-01T11:59:00.000Z', '2026-06-01T12:00:00.000Z'],
    },
    { name: 'no window at all', data: {}, error: /no time frame to evaluate.*run a test task before the evaluation/ },
    {
      name: 'a start that is not a time',
      data: { evaluation: { start: 'yesterday', end: '2026-06-01T10:05:00Z' } },
      error: /evaluation.start '"yesterday"' is not a time/,
    },
    { name: 'a bad timeframe', data: { evaluation: { timeframe: '5 minutes' } }, error: /timeframe/ },
    { name: 'start without end', data: { evaluation: { start: '2026-06-01T10:00:00Z' } }, error: /must be given together/ },
    {
      name: 'an end before the start',
      data: { evaluation: { start: '2026-06-01T10:05:00Z', end: '2026-06-01T10:00:00Z' } },
      error: /ends .* before it starts/,
    },
    {
      name: 'a test window with a broken end',
      data: { test: { start: '2026-06-01T09:00:00Z', end: 42 } },
      error: /test.end '42' is not a time/,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const result = evaluationWindow(row.data, NOW);
      if (row.window) expect(result).toEqual({ ok: true, start: row.window[0], end: row.window[1] });
      else {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.message).toMatch(row.error ?? /./);
      }
    });
  }
});
