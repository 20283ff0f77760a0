import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { DEFAULT_WORKLOADS, WorkloadParseError, findWorkload, knownStrategies, parseWorkloads } from './parse-workloads.js';

const FILE = 'jmeter/jmeter.conf.yaml (service level)';

/** A file in the shape of Keptn's jmeter-service sample: Keptn's keys only. */
const KEPTN_CONF = `---
spec_version: '0.1.0'
workloads:
  - teststrategy: performance
    vuser: 100
    loopcount: 10
    thinktime: 250
    script: jmeter/load.jmx
    acceptederrorrate: 1.0
  - teststrategy: performance_light
    vuser: 50
    loopcount: 10
    script: jmeter/load.jmx
    acceptederrorrate: 0.1
    avgrtvalidation: 500
    properties:
      DT_LTN: light
`;

const base = {
  vuser: 1,
  loopcount: 1,
  thinktimeMs: 0,
  acceptedErrorRate: 0,
  avgRtValidationMs: 0,
  durationMs: undefined,
  script: undefined,
  requests: [],
  checks: [],
};

describe('parseWorkloads', () => {
  it('reads a Keptn jmeter.conf.yaml: vuser, loopcount, thinktime, acceptederrorrate (a fraction), avgrtvalidation; script and properties kept aside', () => {
    expect(parseWorkloads(KEPTN_CONF, FILE)).toEqual([
      {
        ...base,
        teststrategy: 'performance',
        vuser: 100,
        loopcount: 10,
        thinktimeMs: 250,
        acceptedErrorRate: 1,
        script: 'jmeter/load.jmx',
      },
      {
        ...base,
        teststrategy: 'performance_light',
        vuser: 50,
        loopcount: 10,
        acceptedErrorRate: 0.1,
        avgRtValidationMs: 500,
        script: 'jmeter/load.jmx',
      },
    ]);
  });

  it.each([
    { name: 'an empty file has no workloads', yaml: '', want: [] },
    { name: 'a file without workloads has none', yaml: "spec_version: '0.1.0'\n", want: [] },
    {
      name: 'absent fields: 1 connection, 1 pass, no think time, no error allowed, no response time limit',
      yaml: 'workloads:\n  - teststrategy: smoke\n',
      want: [{ ...base, teststrategy: 'smoke' }],
    },
    {
      name: 'duration is a Go duration',
      yaml: 'workloads:\n  - teststrategy: soak\n    vuser: 4\n    duration: 1m30s\n',
      want: [{ ...base, teststrategy: 'soak', vuser: 4, durationMs: 90_000 }],
    },
    {
      name: 'requests with method (any case), path, headers, body and their own checks; workload checks of every kind',
      yaml: `workloads:
  - teststrategy: functional
    requests:
      - path: /health
      - method: post
        path: /orders?dry=1
        headers: {content-type: application/json, x-n: 1}
        body: '{"item": 1}'
        checks:
          - status: [200, 201]
    checks:
      - status: 200
      - bodyContains: ok
      - maxLatencyMs: 250
`,
      want: [
        {
          ...base,
          teststrategy: 'functional',
          requests: [
            { method: 'GET', path: '/health', headers: {}, body: undefined, checks: [] },
            {
              method: 'POST',
              path: '/orders?dry=1',
              headers: { 'content-type': 'application/json', 'x-n': '1' },
              body: '{"item": 1}',
              checks: [{ kind: 'status', statuses: [200, 201] }],
            },
          ],
          checks: [
            { kind: 'status', statuses: [200] },
            { kind: 'bodyContains', text: 'ok' },
            { kind: 'maxLatencyMs', ms: 250 },
          ],
        },
      ],
    },
    {
      name: 'acceptederrorrate may be 0 or 1; thinktime and avgrtvalidation may be 0',
      yaml: 'workloads:\n  - teststrategy: a\n    acceptederrorrate: 0\n    thinktime: 0\n    avgrtvalidation: 0\n  - teststrategy: b\n    acceptederrorrate: 1\n',
      want: [
        { ...base, teststrategy: 'a' },
        { ...base, teststrategy: 'b', acceptedErrorRate: 1 },
      ],
    },
  ])('$name', ({ yaml, want }) => {
    expect(parseWorkloads(yaml, FILE)).toEqual(want);
  });

  it.each([
    { name: 'not YAML', yaml: 'workloads:\n  - teststrategy: [a\n', line: 3, message: /not valid YAML/ },
    { name: 'not a mapping', yaml: '- a\n', line: 1, message: /the document must be a mapping with a 'workloads' list/ },
    {
      name: 'an unknown top-level key',
      yaml: 'workload:\n  - teststrategy: a\n',
      line: 1,
      message: /the file has unknown key 'workload' \(did you mean 'workloads'\?\); the keys are spec_version, workloads/,
    },
    { name: 'workloads not a list', yaml: 'workloads: {teststrategy: a}\n', line: 1, message: /workloads must be a list/ },
    {
      name: 'a workload without teststrategy',
      yaml: 'workloads:\n  - vuser: 2\n',
      line: 2,
      message: /workloads\[0\]\.teststrategy is missing; name the strategy it runs/,
    },
    {
      name: 'an unknown workload key (a typo)',
      yaml: 'workloads:\n  - teststrategy: performance\n    vusers: 50\n',
      line: 3,
      message:
        /workloads\[0\] \(teststrategy 'performance'\) has unknown key 'vusers' \(did you mean 'vuser'\?\); the keys are teststrategy, vuser/,
    },
    {
      name: 'a negative vuser',
      yaml: 'workloads:\n  - teststrategy: performance\n    vuser: -1\n',
      line: 3,
      message:
        /workloads\[0\] \(teststrategy 'performance'\)\.vuser '-1' is not valid: it is the number of concurrent connections: a whole number of at least 1, e\.g\. 10/,
    },
    {
      name: 'a zero loopcount',
      yaml: 'workloads:\n  - teststrategy: p\n    loopcount: 0\n',
      line: 3,
      message: /\.loopcount '0' is not valid: .*at least 1/,
    },
    {
      name: 'a fractional vuser',
      yaml: 'workloads:\n  - teststrategy: p\n    vuser: 2.5\n',
      line: 3,
      message: /\.vuser '2\.5' is not valid/,
    },
    {
      name: 'a negative thinktime',
      yaml: 'workloads:\n  - teststrategy: p\n    thinktime: -250\n',
      line: 3,
      message: /\.thinktime '-250' is not valid: .*pause between requests in milliseconds/,
    },
    {
      name: 'an error rate above 1 (a percentage)',
      yaml: 'workloads:\n  - teststrategy: p\n    acceptederrorrate: 10\n',
      line: 3,
      message: /\.acceptederrorrate '10' is not valid: it is the fraction of requests allowed to fail, from 0 to 1 \(0\.1 = 10 %\)/,
    },
    {
      name: 'an error rate as text',
      yaml: "workloads:\n  - teststrategy: p\n    acceptederrorrate: '10%'\n",
      line: 3,
      message: /\.acceptederrorrate '10%' is not valid/,
    },
    {
      name: 'a negative avgrtvalidation',
      yaml: 'workloads:\n  - teststrategy: p\n    avgrtvalidation: -5\n',
      line: 3,
      message: /\.avgrtvalidation '-5' is not valid/,
    },
    {
      name: 'a bad duration',
      yaml: 'workloads:\n  - teststrategy: p\n    duration: 30 seconds\n',
      line: 3,
      message: /duration '30 seconds' is not a valid duration: .*use Go duration syntax such as '300ms', '10m'/,
    },
    {
      name: 'a duration below a second',
      yaml: 'workloads:\n  - teststrategy: p\n    duration: 500ms\n',
      line: 3,
      message: /duration '500ms' is shorter than 1s/,
    },
    {
      name: 'a strategy twice',
      yaml: 'workloads:\n  - teststrategy: p\n  - teststrategy: P\n',
      line: 3,
      message: /workloads\[1\]\.teststrategy 'P' is defined twice/,
    },
    {
      name: 'a check of an unknown kind',
      yaml: 'workloads:\n  - teststrategy: p\n    checks:\n      - status: 200\n      - bodyMatches: ok\n',
      line: 5,
      message:
        /workloads\[0\] \(teststrategy 'p'\)\.checks\[1\] has unknown check kind 'bodyMatches'; the kinds are status, bodyContains, maxLatencyMs/,
    },
    {
      name: 'a check with two kinds',
      yaml: 'workloads:\n  - teststrategy: p\n    checks:\n      - {status: 200, bodyContains: a}\n',
      line: 4,
      message: /checks\[0\] must be a mapping with one of status, bodyContains, maxLatencyMs/,
    },
    {
      name: 'a status that is no HTTP status',
      yaml: 'workloads:\n  - teststrategy: p\n    checks:\n      - status: 99\n',
      line: 4,
      message: /checks\[0\]\.status '99' is not valid: give an HTTP status code/,
    },
    {
      name: 'a zero maxLatencyMs',
      yaml: 'workloads:\n  - teststrategy: p\n    checks:\n      - maxLatencyMs: 0\n',
      line: 4,
      message: /maxLatencyMs '0' is not valid/,
    },
    {
      name: 'an unknown request key',
      yaml: 'workloads:\n  - teststrategy: p\n    requests:\n      - url: http://x\n',
      line: 4,
      message: /workloads\[0\] \(teststrategy 'p'\)\.requests\[0\] has unknown key 'url'; the keys are method, path, headers, body, checks/,
    },
    {
      name: 'a path without a slash',
      yaml: 'workloads:\n  - teststrategy: p\n    requests:\n      - path: health\n',
      line: 4,
      message: /requests\[0\]\.path 'health' must start with '\/'/,
    },
    {
      name: 'an unsupported method',
      yaml: 'workloads:\n  - teststrategy: p\n    requests:\n      - method: HEAD\n',
      line: 4,
      message: /requests\[0\]\.method 'HEAD' is not supported; use one of GET, POST/,
    },
    {
      name: 'headers as a list',
      yaml: 'workloads:\n  - teststrategy: p\n    requests:\n      - headers: [a]\n',
      line: 4,
      message: /requests\[0\]\.headers must be a mapping of name to value/,
    },
  ])('refuses $name, naming the file, line $line, the field and the fix', ({ yaml, line, message }) => {
    let error: unknown;
    try {
      parseWorkloads(yaml, FILE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WorkloadParseError);
    const parseError = error as WorkloadParseError;
    expect(parseError.code).toBe(ErrorCode.invalidWorkload);
    expect(parseError.line).toBe(line);
    expect(parseError.message.startsWith(`${FILE} line ${line}: `)).toBe(true);
    expect(parseError.message).toMatch(message);
  });
});

describe('findWorkload', () => {
  const fromFile = parseWorkloads(KEPTN_CONF, FILE);

  it.each([
    { strategy: 'performance', want: { vuser: 100, loopcount: 10 } },
    { strategy: 'PERFORMANCE_light', want: { vuser: 50 } },
    { strategy: 'functional', want: { vuser: 1, loopcount: 1, thinktimeMs: 250, acceptedErrorRate: 0.1 } },
    { strategy: 'healthcheck', want: { vuser: 1, loopcount: 1, acceptedErrorRate: 0 } },
  ])("'$strategy': the file's workload, else Keptn's default", ({ strategy, want }) => {
    expect(findWorkload(strategy, fromFile)).toMatchObject(want);
  });

  it("without a file Keptn's defaults apply: performance is 10 connections × 500 passes, thinktime 250, 10 % errors allowed", () => {
    expect(findWorkload('performance', [])).toMatchObject({ vuser: 10, loopcount: 500, thinktimeMs: 250, acceptedErrorRate: 0.1 });
    expect(DEFAULT_WORKLOADS.map((w) => w.teststrategy)).toEqual(['healthcheck', 'performance', 'functional']);
  });

  it('knows no other strategy, and lists the ones it knows', () => {
    expect(findWorkload('soak', fromFile)).toBeUndefined();
    expect(knownStrategies(fromFile)).toEqual(['performance', 'performance_light', 'healthcheck', 'functional']);
  });
});
