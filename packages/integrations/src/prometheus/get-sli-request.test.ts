import { describe, expect, it } from 'vitest';
import { parseSliTime, readGetSliRequest } from './get-sli-request.js';

const base = {
  project: 'shop',
  stage: 'dev',
  service: 'carts',
  labels: { owner: 'a' },
  'get-sli': { sliProvider: 'prometheus', start: '2024-01-01T10:00:00Z', end: '2024-01-01T10:05:00Z', indicators: ['p95'] },
};
const withSli = (sli: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  ...base,
  ...rest,
  'get-sli': { ...base['get-sli'], ...sli },
});

describe('parseSliTime', () => {
  it.each([
    ['2024-01-01T10:00:00Z', Date.UTC(2024, 0, 1, 10)],
    ['2024-01-01T10:00:00.500Z', Date.UTC(2024, 0, 1, 10, 0, 0, 500)],
    ['2024-01-01T12:00:00+02:00', Date.UTC(2024, 0, 1, 10)],
    ['1704103200', Date.UTC(2024, 0, 1, 10)],
  ])('reads %s', (text, ms) => {
    expect(parseSliTime(text)?.getTime()).toBe(ms);
  });
  it.each(['yesterday', '2024-01-01', '2024-13-01T10:00:00Z', '1.5', ''])('rejects %s', (text) => {
    expect(parseSliTime(text)).toBeUndefined();
  });
});

describe('readGetSliRequest', () => {
  it('reads the request, with the deployment from data, else labels, else primary (Keptn)', () => {
    const request = readGetSliRequest(withSli({ customFilters: [{ key: 'handler', value: 'x' }] }, { deployment: 'canary' }));
    expect(request).toMatchObject({
      project: 'shop',
      stage: 'dev',
      service: 'carts',
      deployment: 'canary',
      sliProvider: 'prometheus',
      startText: '2024-01-01T10:00:00Z',
      indicators: ['p95'],
      customFilters: [{ key: 'handler', value: 'x' }],
    });
    expect(request.end.toISOString()).toBe('2024-01-01T10:05:00.000Z');
    expect(readGetSliRequest(withSli({}, { labels: { deployment: 'direct' } })).deployment).toBe('direct');
    // A deployment task's output object is not a deployment type.
    expect(readGetSliRequest(withSli({}, { deployment: { deploymentNames: ['x'] } })).deployment).toBe('primary');
    expect(readGetSliRequest(withSli({ indicators: undefined })).indicators).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no get-sli block', { ...base, 'get-sli': undefined }, /has no data\["get-sli"\] block/],
    ['no start', withSli({ start: undefined }), /has no data\["get-sli"\]\.start; the evaluation must send the window as RFC 3339/],
    ['a bad end', withSli({ end: 'now' }), /data\["get-sli"\]\.end 'now' is not a time; give RFC 3339 .* or Unix seconds/],
    ['an end before the start', withSli({ end: '2024-01-01T09:00:00Z' }), /end '2024-01-01T09:00:00Z' is before start/],
    ['indicators not a list', withSli({ indicators: 'p95' }), /data\["get-sli"\]\.indicators must be a list of indicator names/],
    ['a bad custom filter', withSli({ customFilters: [{ key: 'a', value: 1 }] }), /customFilters\[0\] must be \{"key"/],
  ])('rejects %s naming the field', (_, data, message) => {
    expect(() => readGetSliRequest(data)).toThrow(message);
  });
});
