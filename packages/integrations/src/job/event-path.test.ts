import { describe, expect, it } from 'vitest';
import { EnvFormat, EventPathError, formatEnvValue, lookupEventPath, parseEventPath } from './event-path.js';

const EVENT = {
  id: 'e1',
  type: 'sh.keptn.event.test.triggered',
  data: {
    project: 'shop',
    labels: { 'app-version': '1.2', owner: 'team' },
    deployment: { deploymentURIsPublic: ['http://a', 'http://b'] },
    test: { teststrategy: 'performance', retries: 3, enabled: true, nothing: null },
  },
};

describe('parseEventPath', () => {
  // [path, segments]
  const good: Array<[string, Array<string | number>]> = [
    ['$', []],
    ['$.data.project', ['data', 'project']],
    ['$.data.deployment.deploymentURIsPublic[1]', ['data', 'deployment', 'deploymentURIsPublic', 1]],
    ["$.data.labels['app-version']", ['data', 'labels', 'app-version']],
    ['$["data"]["labels"].owner', ['data', 'labels', 'owner']],
    ['$.data.labels.app-version', ['data', 'labels', 'app-version']],
    ['  $.id  ', ['id']],
  ];
  it.each(good)('reads %s', (path, segments) => expect(parseEventPath(path)).toEqual(segments));

  // [path, part of the message]
  const bad: Array<[string, string]> = [
    ['data.project', "'data.project' is not a JSONPath: it must start with $"],
    ['$..project', 'recursive descent'],
    ['$.data.*', 'wildcard'],
    ['$.data.labels[*]', 'neither a quoted key nor an index'],
    ['$.data.list[?(@.a == 1)]', 'neither a quoted key nor an index'],
    ['$.data.list[0:2]', 'neither a quoted key nor an index'],
    ['$.data.', 'has an empty key'],
    ['$data', "has 'd' where . or [ was expected"],
  ];
  it.each(bad)('refuses %s', (path, message) => {
    expect(() => parseEventPath(path)).toThrow(EventPathError);
    expect(() => parseEventPath(path)).toThrow(message);
  });
});

describe('lookupEventPath', () => {
  // [path, expected]
  const cases: Array<[string, ReturnType<typeof lookupEventPath>]> = [
    ['$.data.project', { found: true, value: 'shop' }],
    ['$.data.deployment.deploymentURIsPublic[0]', { found: true, value: 'http://a' }],
    ["$.data.labels['app-version']", { found: true, value: '1.2' }],
    ['$.data.test.nothing', { found: true, value: null }],
    ['$.data.test.retries', { found: true, value: 3 }],
    ['$.data.nope.deeper', { found: false, missing: '$.data.nope' }],
    ['$.data.deployment.deploymentURIsPublic[5]', { found: false, missing: '$.data.deployment.deploymentURIsPublic[5]' }],
    ['$.data.project.length', { found: false, missing: '$.data.project.length' }],
    ['$.data.labels[0]', { found: false, missing: '$.data.labels[0]' }],
    ["$.data.labels['no such']", { found: false, missing: "$.data.labels['no such']" }],
    ['$.data.toString', { found: false, missing: '$.data.toString' }],
  ];
  it.each(cases)('%s', (path, expected) => expect(lookupEventPath(EVENT, parseEventPath(path))).toEqual(expected));
});

describe('formatEnvValue', () => {
  // [value, as, text]
  const cases: Array<[unknown, EnvFormat, string]> = [
    ['text', EnvFormat.plain, 'text'],
    [3, EnvFormat.plain, '3'],
    [true, EnvFormat.plain, 'true'],
    [null, EnvFormat.plain, '<nil>'],
    [['a', 'b'], EnvFormat.plain, '[a b]'],
    [{ b: 1, a: 'x' }, EnvFormat.plain, '{"b":1,"a":"x"}'],
    [['a', 'b'], EnvFormat.json, '["a","b"]'],
    ['text', EnvFormat.json, '"text"'],
    [{ a: [1, 2] }, EnvFormat.yaml, 'a:\n  - 1\n  - 2\n'],
  ];
  it.each(cases)('%j as %s', (value, as, text) => expect(formatEnvValue(value, as)).toBe(text));
});
