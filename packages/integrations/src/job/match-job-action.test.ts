import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/core';
import { matchJobAction } from './match-job-action.js';
import { parseJobConfig } from './parse-job-config.js';

const TASKS = '    tasks: [{name: t, cmd: ["true"]}]';
const CONFIG = parseJobConfig(
  [
    'apiVersion: v2',
    'actions:',
    '  - name: locust',
    '    events:',
    '      - name: sh.keptn.event.test.triggered',
    '        jsonpath:',
    '          property: $.data.test.teststrategy',
    '          match: locust',
    TASKS,
    '  - name: numbers',
    '    events:',
    '      - name: sh.keptn.event.test.triggered',
    '        jsonpath: {property: $.data.test.retries, match: "3"}',
    TASKS,
    '  - name: any-deploy',
    '    events:',
    '      - name: sh.keptn.event.deployment.triggered',
    '      - name: ^sh\\.keptn\\.event\\.release\\.triggered$',
    TASKS,
    '  - name: by-context',
    '    events:',
    '      - name: sh.keptn.event.*.triggered',
    '        jsonpath: {property: $.shkeptncontext, match: ctx-special}',
    TASKS,
    '  - name: wildcard',
    '    events:',
    '      - name: sh.keptn.event.*.triggered',
    '        jsonpath: {property: $.data.labels.run, match: "yes"}',
    TASKS,
  ].join('\n'),
);

function event(type: string, data: Record<string, unknown> = {}, context = 'ctx-1'): KeptnEvent {
  return {
    id: 'e1',
    type,
    source: 'shipyard-controller',
    specversion: '1.0',
    time: '2024-01-01T00:00:00.000Z',
    shkeptncontext: context,
    data: { project: 'p', stage: 'dev', service: 's', ...data },
  };
}

describe('matchJobAction', () => {
  // [case, event, action name or undefined]
  const cases: Array<[string, KeptnEvent, string | undefined]> = [
    ['type and jsonpath match', event('sh.keptn.event.test.triggered', { test: { teststrategy: 'locust' } }), 'locust'],
    ['jsonpath value differs', event('sh.keptn.event.test.triggered', { test: { teststrategy: 'jmeter' } }), undefined],
    ['jsonpath property absent', event('sh.keptn.event.test.triggered'), undefined],
    ['a number never equals the string match (as in Go)', event('sh.keptn.event.test.triggered', { test: { retries: 3 } }), undefined],
    ['a string equal to match', event('sh.keptn.event.test.triggered', { test: { retries: '3' } }), 'numbers'],
    ['second event of an action', event('sh.keptn.event.release.triggered'), 'any-deploy'],
    ['unanchored regex: a longer type matches', event('sh.keptn.event.deployment.triggered.extra'), 'any-deploy'],
    ['anchored regex refuses a longer type', event('sh.keptn.event.release.triggeredx'), undefined],
    ['jsonpath on the envelope', event('sh.keptn.event.evaluation.triggered', {}, 'ctx-special'), 'by-context'],
    [
      'sh.keptn.event.*.triggered is a regex matching every task',
      event('sh.keptn.event.get-sli.triggered', { labels: { run: 'yes' } }),
      'wildcard',
    ],
    [
      'the first matching action wins',
      event('sh.keptn.event.test.triggered', { test: { teststrategy: 'locust', retries: '3' } }),
      'locust',
    ],
    ['no action for the type', event('sh.keptn.event.approval.triggered'), undefined],
  ];
  it.each(cases)('%s', (_case, triggered, name) => expect(matchJobAction(CONFIG, triggered)?.name).toBe(name));
});
