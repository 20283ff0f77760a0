import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError, TooLargeError } from '../errors/errors.js';
import { decodeResourceContent, isBase64 } from './base64-content.js';
import { checkResourceUri, checkResourceUriFromPath } from './resource-uri.js';

describe('checkResourceUriFromPath', () => {
  it.each([
    ['helm/carts.tgz', 'helm/carts.tgz'],
    ['helm%2Fcarts.tgz', 'helm/carts.tgz'],
    ['slo.yaml', 'slo.yaml'],
    ['a.b/..c/d..', 'a.b/..c/d..'],
  ])('accepts %s as %s', (input, expected) => {
    expect(checkResourceUriFromPath(input)).toBe(expected);
  });

  it.each([
    '../x',
    'a/../../x',
    '/etc/passwd',
    '%2e%2e%2fx',
    '%2E%2E/x',
    '%252e%252e%252fx',
    './x',
    'a//b',
    '~/x',
    'a\\..\\b',
    'a\u0000b',
    '',
    '%zz%2e',
    'x'.repeat(1025),
  ])('refuses %j', (input) => {
    expect(() => checkResourceUriFromPath(input)).toThrow(InputError);
  });
});

describe('checkResourceUri (body)', () => {
  it('does not decode: a literal %2F is refused as still encoded', () => {
    expect(() => checkResourceUri('helm%2Fcarts.tgz')).toThrow(/still URL-encoded/);
    expect(checkResourceUri('helm/carts.tgz')).toBe('helm/carts.tgz');
    expect(() => checkResourceUri(42)).toThrow(InputError);
  });
});

describe('decodeResourceContent', () => {
  it('decodes padded standard base64 and ignores line breaks', () => {
    expect(decodeResourceContent('aGk=', 'x', 10).toString()).toBe('hi');
    expect(decodeResourceContent('aGVs\nbG8=', 'x', 10).toString()).toBe('hello');
    expect(decodeResourceContent('', 'x', 10).length).toBe(0);
  });

  it.each(['aGk', 'a===', 'aG!=', 'aGk=aGk=', 'aGk-', 'aGk_', '====', '=aGk', 'aG=k', 'aGk==', 'aGvs bG8='])('refuses %j', (value) => {
    expect(() => decodeResourceContent(value, 'x', 10)).toThrow(InputError);
    expect(isBase64(value)).toBe(false);
  });

  it.each(['', 'aGk=', 'aA==', 'aGVsbG8gd29ybGQh', '+/+/'])('takes %j as base64', (value) => {
    expect(isBase64(value)).toBe(true);
  });

  it('decodes 10 MiB (checked without a backtracking group, which overflowed the stack from about 3 MiB)', () => {
    const content = randomBytes(10 * 1024 * 1024 + 1);
    expect(decodeResourceContent(content.toString('base64'), 'big.tgz', 10 * 1024 * 1024 + 1).equals(content)).toBe(true);
    expect(() => decodeResourceContent(`${content.toString('base64')}!`, 'big.tgz', 11 * 1024 * 1024)).toThrow(InputError);
  });

  it('checks the decoded size against the limit', () => {
    expect(decodeResourceContent(Buffer.alloc(10).toString('base64'), 'x', 10).length).toBe(10);
    expect(() => decodeResourceContent(Buffer.alloc(11).toString('base64'), 'x', 10)).toThrow(TooLargeError);
  });
});
