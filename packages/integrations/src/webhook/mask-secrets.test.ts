import { describe, expect, it } from 'vitest';
import { secretMasker } from './mask-secrets.js';

describe('secretMasker', () => {
  const mask = secretMasker(['s3cr3t', 'p@ss word/+', 'abc', '']);

  // [text, masked]
  const table: Array<[string, string]> = [
    ['token s3cr3t here', 'token *** here'],
    ['s3cr3ts3cr3t', '******'],
    ['raw p@ss word/+', 'raw ***'],
    ['component p%40ss%20word%2F%2B', 'component ***'],
    ['lower hex p%40ss%20word%2f%2b', 'lower hex ***'],
    ['uri p@ss%20word/+', 'uri ***'],
    ['form p%40ss+word%2F%2B', 'form ***'],
    ['short abc and abcd', 'short *** and ***d'],
    ['nothing to hide', 'nothing to hide'],
    ['', ''],
  ];
  it.each(table)('%j → %j', (text, masked) => {
    expect(mask.text(text)).toBe(masked);
  });

  it('masks JSON-escaped values and every string of a structure, keys included, without changing the input', () => {
    const quoted = secretMasker(['a"b\\c']);
    expect(quoted.text(JSON.stringify({ echo: 'a"b\\c' }))).toBe('{"echo":"***"}');
    const input = { headers: { authorization: 'Bearer s3cr3t' }, list: ['abc', 1, null, true], s3cr3t: 'key' };
    expect(mask.value(input)).toEqual({ headers: { authorization: 'Bearer ***' }, list: ['***', 1, null, true], '***': 'key' });
    expect(input.headers.authorization).toBe('Bearer s3cr3t');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    expect(secretMasker(['abc', 'abcdef']).text('abcdef abc')).toBe('*** ***');
  });
});
