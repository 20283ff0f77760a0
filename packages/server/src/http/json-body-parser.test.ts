import { describe, expect, it } from 'vitest';
import { plainJsonText } from './json-body-parser.js';

describe('plainJsonText', () => {
  it('takes an ordinary event body', () => {
    expect(plainJsonText('{"type":"sh.keptn.event.test.finished","data":{"project":"shop","result":"pass"}}')).toBe(true);
  });

  it('leaves to the checking parser a body that could hold a __proto__ or constructor key, or starts with a byte order mark', () => {
    expect(plainJsonText('{"__proto__":{"a":1}}')).toBe(false);
    expect(plainJsonText('{"\\u005f_proto__":{"a":1}}')).toBe(false);
    expect(plainJsonText('{"constructor":{"prototype":{}}}')).toBe(false);
    expect(plainJsonText('{"c\\u006fnstructor":{}}')).toBe(false);
    expect(plainJsonText('\ufeff{"type":"x"}')).toBe(false);
  });
});
