import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { JobConfigError, parseJobConfig } from './parse-job-config.js';

/** A valid file: the Keptn locust example in JES's v2 format, with every task key. */
const FULL = `apiVersion: v2
actions:
  - name: "Run locust"
    events:
      - name: "sh.keptn.event.test.triggered"
        jsonpath:
          property: "$.data.test.teststrategy"
          match: "locust"
    tasks:
      - name: "Run locust smoke tests"
        files:
          - locust/basic.py
          - /locust/locust.conf
        image: "locustio/locust"
        imagePullPolicy: IfNotPresent
        cmd: ["locust"]
        args: ["--config", "/keptn/locust/locust.conf", "-f", "/keptn/locust/basic.py", "--host", "$(HOST)", "--users", 10]
        env:
          - name: HOST
            value: "$.data.deployment.deploymentURIsLocal[0]"
            valueFrom: event
          - name: DATA
            value: "$.data"
            valueFrom: event
            as: YAML
          - name: locust-secret
            valueFrom: secret
          - name: MODE
            value: fast
            valueFrom: string
        workingDir: /keptn
        maxPollDuration: 600
        resources:
          limits: {cpu: 1, memory: 512Mi}
        ttlSecondsAfterFinished: 600
        annotations: {team: perf}
`;

describe('parseJobConfig', () => {
  it('reads every key of a task, with the Kubernetes-only ones kept as written', () => {
    const config = parseJobConfig(FULL);
    const action = config.actions[0]!;
    expect(action).toMatchObject({ name: 'Run locust', silent: false });
    expect(action.events[0]).toMatchObject({
      name: 'sh.keptn.event.test.triggered',
      jsonpath: { property: '$.data.test.teststrategy', path: ['data', 'test', 'teststrategy'], match: 'locust' },
    });
    expect(action.tasks[0]).toEqual({
      name: 'Run locust smoke tests',
      image: 'locustio/locust',
      cmd: ['locust'],
      args: ['--config', '/keptn/locust/locust.conf', '-f', '/keptn/locust/basic.py', '--host', '$(HOST)', '--users', '10'],
      env: [
        {
          valueFrom: 'event',
          name: 'HOST',
          value: '$.data.deployment.deploymentURIsLocal[0]',
          path: ['data', 'deployment', 'deploymentURIsLocal', 0],
          as: 'plain',
        },
        { valueFrom: 'event', name: 'DATA', value: '$.data', path: ['data'], as: 'yaml' },
        { valueFrom: 'secret', name: 'locust-secret' },
        { valueFrom: 'string', name: 'MODE', value: 'fast' },
      ],
      files: ['locust/basic.py', 'locust/locust.conf'],
      workingDir: '/keptn',
      maxPollDurationSeconds: 600,
      kubernetes: {
        image: 'locustio/locust',
        imagePullPolicy: 'IfNotPresent',
        resources: { limits: { cpu: 1, memory: '512Mi' } },
        ttlSecondsAfterFinished: 600,
        annotations: { team: 'perf' },
      },
    });
  });

  it('defaults maxPollDuration to 300 s and silent to false; image is optional on a plain host', () => {
    const config = parseJobConfig(
      'apiVersion: v2\nactions:\n  - name: a\n    events: [{name: x}]\n    tasks: [{name: t, cmd: [echo, hi]}]\n',
    );
    expect(config.actions[0]).toMatchObject({
      silent: false,
      tasks: [{ maxPollDurationSeconds: 300, image: undefined, args: [], env: [], files: [] }],
    });
  });

  const task = (lines: string): string =>
    `apiVersion: v2\nactions:\n  - name: a\n    events:\n      - name: sh.keptn.event.test.triggered\n    tasks:\n      - name: t\n${lines}`;

  // [case, yaml, message]
  const bad: Array<[string, string, string]> = [
    ['not YAML', 'apiVersion: v2\nactions: [\n', 'line 3: not valid YAML'],
    ['not a mapping', '- a\n', 'line 1: the document must be a mapping with apiVersion: v2 and actions'],
    ['no apiVersion', 'actions: []\n', 'line 1: apiVersion is missing: add apiVersion: v2 at the top'],
    [
      'unknown apiVersion',
      'apiVersion: v1\nactions: []\n',
      "line 1: apiVersion 'v1' is not supported: use apiVersion: v2 (JES 0.3.0's format)",
    ],
    ['unknown top-level key', 'apiVersion: v2\nactoins: []\n', "line 2: unknown key 'actoins' in the document: use apiVersion, actions"],
    ['no actions', 'apiVersion: v2\n', 'actions is missing: add at least one action with name, events and tasks'],
    [
      'an action without events',
      'apiVersion: v2\nactions:\n  - name: a\n    tasks: [{name: t, cmd: [x]}]\n',
      'line 3: actions[0].events is missing',
    ],
    [
      'unknown action key',
      'apiVersion: v2\nactions:\n  - name: a\n    event: x\n',
      "line 4: unknown key 'event' in actions[0]: use name, events, tasks, silent",
    ],
    [
      'bad regex',
      'apiVersion: v2\nactions:\n  - name: a\n    events: [{name: "sh.keptn.(test"}]\n',
      "line 4: actions[0].events[0].name 'sh.keptn.(test' is not a regular expression",
    ],
    [
      'jsonpath without match',
      'apiVersion: v2\nactions:\n  - name: a\n    events: [{name: x, jsonpath: {property: $.data.x}}]\n',
      'actions[0].events[0].jsonpath.match must be a string',
    ],
    [
      'jsonpath with a filter',
      'apiVersion: v2\nactions:\n  - name: a\n    events: [{name: x, jsonpath: {property: "$.data[?(@.a)]", match: y}}]\n',
      'actions[0].events[0].jsonpath.property',
    ],
    [
      'no cmd',
      task('        image: alpine\n'),
      'line 7: actions[0].tasks[0].cmd is missing: give the program and its first arguments as a list',
    ],
    [
      'empty cmd',
      task('        cmd: []\n'),
      "line 8: actions[0].tasks[0].cmd is empty: give the program and its first arguments as a list, e.g. cmd: ['sh', '-c', 'echo hello']",
    ],
    [
      'cmd as one string (JES < 0.2)',
      task('        cmd: "echo hi"\n'),
      'line 8: actions[0].tasks[0].cmd must be a list of strings, not one string',
    ],
    ['an empty word in cmd', task('        cmd: [""]\n'), 'line 8: actions[0].tasks[0].cmd[0] is empty'],
    [
      'unknown task key',
      task('        cmd: [x]\n        command: [y]\n'),
      "line 9: unknown key 'command' in actions[0].tasks[0]: use name, cmd, args, env, files, workingDir, maxPollDuration, image",
    ],
    [
      'unknown valueFrom',
      task('        cmd: [x]\n        env: [{name: A, value: b, valueFrom: configmap}]\n'),
      "line 9: actions[0].tasks[0].env[0].valueFrom 'configmap' is not supported: use one of event, secret, string",
    ],
    [
      'env from event without a path',
      task('        cmd: [x]\n        env: [{name: A, valueFrom: event}]\n'),
      'actions[0].tasks[0].env[0].value is missing: give a JSONPath into the event',
    ],
    [
      'env path without $',
      task('        cmd: [x]\n        env: [{name: A, value: data.project, valueFrom: event}]\n'),
      "line 9: actions[0].tasks[0].env[0].value 'data.project' is not a JSONPath: it must start with $",
    ],
    [
      'env name not a variable',
      task('        cmd: [x]\n        env: [{name: my-var, value: x, valueFrom: string}]\n'),
      "actions[0].tasks[0].env[0].name 'my-var' is not an env var name",
    ],
    [
      'env name twice',
      task('        cmd: [x]\n        env: [{name: A, value: x, valueFrom: string}, {name: A, value: y, valueFrom: string}]\n'),
      "env[1].name 'A' is given twice",
    ],
    [
      'secret with a value',
      task('        cmd: [x]\n        env: [{name: s, value: key, valueFrom: secret}]\n'),
      "env[0].value is not used with valueFrom: secret (every key of secret 's' becomes an env var): remove value",
    ],
    [
      'bad as',
      task('        cmd: [x]\n        env: [{name: A, value: $.data, valueFrom: event, as: xml}]\n'),
      'env[0].as must be json or yaml',
    ],
    [
      'file leaving the directory',
      task('        cmd: [x]\n        files: [../etc/passwd]\n'),
      "line 9: actions[0].tasks[0].files[0] '../etc/passwd' must name a resource of the service, without '..'",
    ],
    [
      'maxPollDuration as a duration',
      task('        cmd: [x]\n        maxPollDuration: 5m\n'),
      'line 9: actions[0].tasks[0].maxPollDuration must be a whole number of seconds from 1, e.g. maxPollDuration: 600',
    ],
    [
      'silent not a boolean',
      'apiVersion: v2\nactions:\n  - name: a\n    silent: yes please\n    events: [{name: x}]\n    tasks: [{name: t, cmd: [x]}]\n',
      'line 4: actions[0].silent must be true or false',
    ],
  ];
  it.each(bad)('refuses %s', (_case, yaml, message) => {
    let caught: unknown;
    try {
      parseJobConfig(yaml);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JobConfigError);
    expect((caught as JobConfigError).code).toBe(ErrorCode.invalidJobConfig);
    expect((caught as Error).message).toContain(message);
  });
});
