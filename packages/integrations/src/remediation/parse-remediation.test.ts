import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { RemediationParseError, parseRemediation } from './parse-remediation.js';

const fixture = (path: string): string => readFileSync(new URL(`../../../../fixtures/keptn-compat/${path}`, import.meta.url), 'utf8');

const HEAD = 'apiVersion: spec.keptn.sh/0.1.4\nkind: Remediation\nmetadata:\n  name: r\n';

describe('parseRemediation', () => {
  it("reads Keptn's example remediation.yaml: problem types in file order, actions with any value", () => {
    expect(parseRemediation(fixture('examples/remediation.yaml'))).toEqual({
      name: 'carts-remediation',
      remediations: [
        {
          problemType: 'Response time degradation',
          actionsOnOpen: [{ name: 'scaling', action: 'scaling', description: 'Scale up', value: 1 }],
        },
        {
          problemType: 'response_time_p90',
          actionsOnOpen: [{ name: 'scaling', action: 'scaling', description: 'Scale up', value: '1' }],
        },
      ],
    });
  });

  it("reads the remediation-service's test file with a default entry and mapping values", () => {
    const remediation = parseRemediation(fixture('remediation-service/remediation.yaml'));
    expect(remediation.remediations.map((r) => [r.problemType, r.actionsOnOpen.map((a) => a.action)])).toEqual([
      ['default', ['escalateDefaultAction']],
      ['problemType1', ['action1', 'action2']],
      ['problemType2', ['action11', 'action22']],
    ]);
    expect(remediation.remediations[1]?.actionsOnOpen[1]).toEqual({
      name: 'actionName2',
      action: 'action2',
      description: 'actionDescription2',
      value: { foo: 'baz' },
    });
  });

  it.each([
    {
      name: 'optional name, description and value are empty or absent; unknown keys are ignored as Keptn did',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: default\n      extra: ignored\n      actionsOnOpen:\n        - action: escalate\n`,
      want: { name: 'r', remediations: [{ problemType: 'default', actionsOnOpen: [{ name: '', action: 'escalate', description: '' }] }] },
    },
    {
      name: 'an empty actionsOnOpen list is kept (the remediation then ends at once)',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: p\n      actionsOnOpen: []\n`,
      want: { name: 'r', remediations: [{ problemType: 'p', actionsOnOpen: [] }] },
    },
    {
      name: 'a number problem type is read as text; anchors in values are resolved',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: 500\n      actionsOnOpen:\n        - action: a\n          value: &v {replicas: 2}\n        - action: b\n          value: *v\n`,
      want: {
        name: 'r',
        remediations: [
          {
            problemType: '500',
            actionsOnOpen: [
              { name: '', action: 'a', description: '', value: { replicas: 2 } },
              { name: '', action: 'b', description: '', value: { replicas: 2 } },
            ],
          },
        ],
      },
    },
  ])('$name', ({ yaml, want }) => {
    expect(parseRemediation(yaml)).toEqual(want);
  });

  it.each([
    { name: 'not YAML', yaml: 'apiVersion: spec.kept\n  kind: Remediation\n', message: /^remediation\.yaml line \d+: not valid YAML: / },
    { name: 'not a mapping', yaml: '- a\n- b\n', message: /^remediation\.yaml line 1: the document must be a mapping with apiVersion/ },
    {
      name: 'missing apiVersion',
      yaml: 'kind: Remediation\nspec: {remediations: []}\n',
      message: /apiVersion is missing; write 'apiVersion: spec\.keptn\.sh\/0\.1\.4'/,
    },
    {
      name: 'wrong apiVersion',
      yaml: 'apiVersion: spec.keptn.sh/0.2.0\nkind: Remediation\nspec: {remediations: []}\n',
      message:
        /^remediation\.yaml line 1: apiVersion 'spec\.keptn\.sh\/0\.2\.0' is not supported; write 'apiVersion: spec\.keptn\.sh\/0\.1\.4'/,
    },
    {
      name: 'wrong kind',
      yaml: 'apiVersion: spec.keptn.sh/0.1.4\nkind: Shipyard\nspec: {remediations: []}\n',
      message: /^remediation\.yaml line 2: kind 'Shipyard' is not Remediation; write 'kind: Remediation'/,
    },
    { name: 'missing spec', yaml: HEAD, message: /spec is missing; add 'spec:' with a 'remediations:' list/ },
    {
      name: 'missing remediations',
      yaml: `${HEAD}spec:\n  other: 1\n`,
      message: /^remediation\.yaml line 6: spec\.remediations is missing/,
    },
    {
      name: 'remediations not a list',
      yaml: `${HEAD}spec:\n  remediations:\n    problemType: x\n`,
      message: /^remediation\.yaml line 7: spec\.remediations must be a list of \{problemType, actionsOnOpen\}/,
    },
    {
      name: 'missing problemType',
      yaml: `${HEAD}spec:\n  remediations:\n    - actionsOnOpen:\n        - action: a\n`,
      message:
        /^remediation\.yaml line 7: spec\.remediations\[0\]\.problemType is missing; name the problem title or root cause it handles, or 'default'/,
    },
    {
      name: 'missing actionsOnOpen (a typo)',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: p\n      actionOnOpen:\n        - action: a\n`,
      message: /^remediation\.yaml line 7: spec\.remediations\[0\] \(problemType 'p'\) has no actionsOnOpen; add the list of actions/,
    },
    {
      name: 'actionsOnOpen not a list',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: p\n      actionsOnOpen:\n        action: a\n`,
      message: /^remediation\.yaml line 9: spec\.remediations\[0\] \(problemType 'p'\)\.actionsOnOpen must be a list/,
    },
    {
      name: 'missing action',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: p\n      actionsOnOpen:\n        - name: only a name\n`,
      message:
        /^remediation\.yaml line 9: spec\.remediations\[0\] \(problemType 'p'\)\.actionsOnOpen\[0\]\.action is missing; name what the action provider does/,
    },
    {
      name: 'description not a string',
      yaml: `${HEAD}spec:\n  remediations:\n    - problemType: p\n      actionsOnOpen:\n        - action: a\n          description: [x]\n`,
      message: /^remediation\.yaml line 10: spec\.remediations\[0\] \(problemType 'p'\)\.actionsOnOpen\[0\]\.description must be a string/,
    },
  ])('refuses $name with the line, the field and the fix', ({ yaml, message }) => {
    let thrown: unknown;
    try {
      parseRemediation(yaml);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RemediationParseError);
    expect((thrown as RemediationParseError).code).toBe(ErrorCode.invalidRemediation);
    expect((thrown as Error).message).toMatch(message);
  });
});
