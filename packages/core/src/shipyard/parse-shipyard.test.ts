import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import { decodeShipyard, findSequence, findStage, parentStages, parseShipyardYaml, sequencesTriggeredBy } from './parse-shipyard.js';
import type { Shipyard } from './shipyard.js';

const sockshopYaml = readFileSync(new URL('../../../../fixtures/keptn-compat/examples/shipyard-sockshop.yaml', import.meta.url), 'utf8');

/** Lines joined with '\n', so a case's line numbers can be read off its array index + 1. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

const HEADER = ['apiVersion: spec.keptn.sh/0.2.4', 'kind: Shipyard', 'metadata:', '  name: test', 'spec:', '  stages:'];

/** A shipyard whose stages start at line 7. */
function withStages(...stageLines: string[]): string {
  return yaml(...HEADER, ...stageLines);
}

function shipyardError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(ErrorCode.invalidShipyard);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('parseShipyardYaml', () => {
  it('parses the Keptn sockshop example', () => {
    const shipyard = parseShipyardYaml(sockshopYaml);
    expect(shipyard.apiVersion).toBe('spec.keptn.sh/0.2.0');
    expect(shipyard.kind).toBe('Shipyard');
    expect(shipyard.metadata).toEqual({ name: 'shipyard-sockshop' });
    expect(shipyard.spec.stages.map((stage) => stage.name)).toEqual(['dev', 'staging', 'production']);
    expect(shipyard.spec.stages[0]?.sequences[0]).toEqual({
      name: 'delivery',
      tasks: [
        { name: 'deployment', properties: { deploymentstrategy: 'direct' } },
        { name: 'test', properties: { teststrategy: 'functional' } },
        { name: 'evaluation' },
        { name: 'release' },
      ],
    });
    expect(findSequence(shipyard, 'staging', 'rollback')).toEqual({
      name: 'rollback',
      triggeredOn: [{ event: 'staging.delivery.finished', selector: { match: { result: 'fail' } } }],
      tasks: [{ name: 'rollback' }],
    });
    expect(findSequence(shipyard, 'production', 'remediation')?.tasks[2]).toEqual({
      name: 'evaluation',
      triggeredAfter: '10m',
    });
  });

  it('accepts a minimal shipyard with every optional feature', () => {
    const shipyard = parseShipyardYaml(
      withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: delivery',
        '          tasks:',
        '            - name: deployment',
        '              triggeredAfter: 1h30m',
        '              finishTimeout: 15m',
        '              properties: {nested: {a: [1, true]}, anything: goes}',
        '            - name: test',
        '              properties:',
        '    - name: prod',
        '      sequences:',
        '        - name: delivery',
        '          triggeredOn:',
        '            - event: dev.delivery.finished',
        '              selector: {match: {test.result: warning, result: pass}}',
        '          tasks: [{name: release}]',
      ),
    );
    expect(shipyard.spec.stages[0]?.sequences[0]?.tasks).toEqual([
      {
        name: 'deployment',
        triggeredAfter: '1h30m',
        finishTimeout: '15m',
        properties: { nested: { a: [1, true] }, anything: 'goes' },
      },
      { name: 'test' },
    ]);
    expect(shipyard.spec.stages[1]?.sequences[0]?.triggeredOn).toEqual([
      { event: 'dev.delivery.finished', selector: { match: { 'test.result': 'warning', result: 'pass' } } },
    ]);
  });

  it.each(['spec.keptn.sh/0.2.0', 'spec.keptn.sh/0.2.3', 'spec.keptn.sh/0.2.4', '0.2.4', 'spec.keptn.sh/0.3', 'spec.keptn.sh/1.0.0'])(
    'accepts apiVersion %s',
    (apiVersion) => {
      const text = withStages('    - name: dev', '      sequences: []').replace('spec.keptn.sh/0.2.4', apiVersion);
      expect(parseShipyardYaml(text).apiVersion).toBe(apiVersion);
    },
  );

  it('accepts a stage without sequences (Keptn quality-gate shipyards) and reads numbers as text', () => {
    const shipyard = parseShipyardYaml(
      yaml('apiVersion: 0.2', 'kind: Shipyard', 'metadata: {name: qg}', 'spec:', '  stages:', '    - name: quality-gate'),
    );
    expect(shipyard.apiVersion).toBe('0.2');
    expect(shipyard.spec.stages).toEqual([{ name: 'quality-gate', sequences: [] }]);
  });

  it('reads aliases like the anchored node', () => {
    const shipyard = parseShipyardYaml(
      withStages(
        '    - name: dev',
        '      sequences:',
        '        - &delivery',
        '          name: delivery',
        '          tasks: [{name: deployment}]',
        '    - name: prod',
        '      sequences: [*delivery]',
      ),
    );
    expect(findSequence(shipyard, 'prod', 'delivery')?.tasks).toEqual([{ name: 'deployment' }]);
  });

  const delivery = ['    - name: dev', '      sequences:', '        - name: delivery', '          tasks:'];

  it.each([
    {
      name: 'unknown task field',
      text: withStages(...delivery, '            - name: deployment', '            - name: test', '              timeout: 5m'),
      want: "shipyard line 13, column 15 (spec.stages[0].sequences[0].tasks[1]): unknown field 'timeout'; allowed fields: name, triggeredAfter, finishTimeout, properties",
    },
    {
      name: 'unknown root field',
      text: yaml('apiVersion: spec.keptn.sh/0.2.4', 'kind: Shipyard', 'metadata: {name: x}', 'specs: {}'),
      want: "line 4, column 1: unknown field 'specs'; allowed fields: apiVersion, kind, metadata, spec",
    },
    {
      name: 'missing apiVersion',
      text: yaml('kind: Shipyard', 'metadata: {name: x}', 'spec: {stages: [{name: dev}]}'),
      want: "line 1, column 1: missing required field 'apiVersion'",
    },
    {
      name: 'missing metadata.name',
      text: yaml('apiVersion: spec.keptn.sh/0.2.4', 'kind: Shipyard', 'metadata: {}', 'spec: {stages: [{name: dev}]}'),
      want: "line 3, column 11 (metadata): missing required field 'name'",
    },
    {
      name: 'unknown metadata field',
      text: yaml(
        'apiVersion: spec.keptn.sh/0.2.4',
        'kind: Shipyard',
        'metadata:',
        '  name: x',
        '  labels: {}',
        'spec: {stages: [{name: dev}]}',
      ),
      want: "line 5, column 3 (metadata): unknown field 'labels'; allowed fields: name",
    },
    {
      name: 'old apiVersion',
      text: withStages('    - name: dev').replace('spec.keptn.sh/0.2.4', 'spec.keptn.sh/0.1.7'),
      want: "line 1, column 13 (apiVersion): apiVersion 'spec.keptn.sh/0.1.7' is not supported: the version must be 0.2 or later, e.g. 'spec.keptn.sh/0.2.4'",
    },
    {
      name: 'garbage apiVersion',
      text: withStages('    - name: dev').replace('spec.keptn.sh/0.2.4', 'v1alpha1'),
      want: "line 1, column 13 (apiVersion): apiVersion 'v1alpha1' is not a valid version",
    },
    {
      name: 'no stages',
      text: yaml(...HEADER.slice(0, 5), '  stages: []'),
      want: 'line 6, column 11 (spec.stages): a shipyard needs at least one stage',
    },
    {
      name: 'stages is a mapping',
      text: yaml(...HEADER, '    dev: {}'),
      want: "line 7, column 5 (spec.stages): spec.stages must be a list (items starting with '- '), got a mapping",
    },
    {
      name: 'invalid stage name',
      text: withStages('    - name: Dev_1'),
      want: "line 7, column 13 (spec.stages[0].name): stage name 'Dev_1' is invalid: it must start with a lower-case letter",
    },
    {
      name: 'stage name longer than a git branch can be',
      text: withStages(`    - name: ${'s'.repeat(300)}`),
      want: `line 7, column 13 (spec.stages[0].name): stage name '${'s'.repeat(300)}' is invalid: it is 300 characters long, the maximum is 200; use a shorter name`,
    },
    {
      name: 'duplicate stage name',
      text: withStages('    - name: dev', '    - name: prod', '    - name: dev'),
      want: "line 9, column 13 (spec.stages[2].name): stage name 'dev' is used twice (first at line 7, column 13 (spec.stages[0].name)); stage names must be unique",
    },
    {
      name: 'stage without name',
      text: withStages('    - sequences: []'),
      want: "line 7, column 7 (spec.stages[0]): missing required field 'name'",
    },
    {
      name: 'duplicate sequence name',
      text: withStages(...delivery, '            - name: deployment', '        - name: delivery', '          tasks: [{name: x}]'),
      want: "line 12, column 17 (spec.stages[0].sequences[1].name): sequence name 'delivery' is used twice in stage 'dev' (first at line 9",
    },
    {
      name: 'sequence without tasks',
      text: withStages('    - name: dev', '      sequences:', '        - name: delivery', '          tasks: []'),
      want: "line 10, column 18 (spec.stages[0].sequences[0].tasks): sequence 'delivery' has no tasks, and a sequence with zero tasks cannot be started",
    },
    {
      name: 'sequence with empty tasks key',
      text: withStages('    - name: dev', '      sequences:', '        - name: delivery', '          tasks:'),
      want: "sequence 'delivery' has no tasks",
    },
    {
      name: 'sequence missing tasks',
      text: withStages('    - name: dev', '      sequences:', '        - name: delivery'),
      want: "line 9, column 11 (spec.stages[0].sequences[0]): missing required field 'tasks'",
    },
    {
      name: 'dotted sequence name',
      text: withStages('    - name: dev', '      sequences:', '        - name: my.delivery', '          tasks: [{name: x}]'),
      want: "line 9, column 17 (spec.stages[0].sequences[0].name): sequence name 'my.delivery' must not contain '.'",
    },
    {
      name: 'empty task name',
      text: withStages(...delivery, '            - name: ""'),
      want: 'line 11, column 21 (spec.stages[0].sequences[0].tasks[0].name): task name is empty',
    },
    {
      name: 'dotted task name',
      text: withStages(...delivery, '            - name: deploy.ment'),
      want: "line 11, column 21 (spec.stages[0].sequences[0].tasks[0].name): task name 'deploy.ment' must not contain '.'",
    },
    {
      name: 'task name not a string',
      text: withStages(...delivery, '            - name: [a]'),
      want: 'line 11, column 21 (spec.stages[0].sequences[0].tasks[0].name): task name must be a string, got a list',
    },
    {
      name: 'task is a string',
      text: withStages(...delivery, '            - deployment'),
      want: "line 11, column 15 (spec.stages[0].sequences[0].tasks[0]): a task must be a mapping (key: value pairs), got the string 'deployment'",
    },
    {
      name: 'bad triggeredAfter',
      text: withStages(...delivery, '            - name: deployment', '              triggeredAfter: 5d'),
      want: "line 12, column 31 (spec.stages[0].sequences[0].tasks[0].triggeredAfter): triggeredAfter '5d' is not a valid duration: unknown unit 'd'",
    },
    {
      name: 'unitless finishTimeout',
      text: withStages(...delivery, '            - name: deployment', '              finishTimeout: 10'),
      want: "line 12, column 30 (spec.stages[0].sequences[0].tasks[0].finishTimeout): finishTimeout '10' is not a valid duration: the number '10' has no unit",
    },
    {
      name: 'zero finishTimeout',
      text: withStages(...delivery, '            - name: deployment', '              finishTimeout: 0s'),
      want: "finishTimeout '0s' must be longer than 0",
    },
    {
      name: 'properties not a mapping',
      text: withStages(...delivery, '            - name: deployment', '              properties: [a]'),
      want: 'line 12, column 27 (spec.stages[0].sequences[0].tasks[0].properties): properties must be a mapping',
    },
    {
      name: 'triggeredOn without event',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: delivery',
        '          triggeredOn:',
        '            - selector: {match: {result: pass}}',
        '          tasks: [{name: x}]',
      ),
      want: "line 11, column 15 (spec.stages[0].sequences[0].triggeredOn[0]): missing required field 'event'",
    },
    {
      name: 'triggeredOn event without .finished',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: delivery',
        '          triggeredOn:',
        '            - event: staging.delivery',
        '          tasks: [{name: x}]',
      ),
      want: "line 11, column 22 (spec.stages[0].sequences[0].triggeredOn[0].event): triggeredOn event 'staging.delivery' is invalid: it must have the form '<stage>.<sequence>.finished', e.g. 'staging.delivery.finished'",
    },
    {
      name: 'triggeredOn event with .triggered',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: delivery',
        '          triggeredOn:',
        '            - event: sh.keptn.event.staging.delivery.triggered',
        '          tasks: [{name: x}]',
      ),
      want: "line 11, column 22 (spec.stages[0].sequences[0].triggeredOn[0].event): triggeredOn event 'sh.keptn.event.staging.delivery.triggered' is invalid",
    },
    {
      name: "selector 'failed'",
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: rollback',
        '          triggeredOn:',
        '            - event: dev.delivery.finished',
        '              selector:',
        '                match:',
        '                  result: failed',
        '          tasks: [{name: rollback}]',
      ),
      want: "line 14, column 27 (spec.stages[0].sequences[0].triggeredOn[0].selector.match.result): selector.match value 'failed' for 'result' is invalid: Keptn's 'failed' never matches because results are pass, warning or fail; use 'fail'",
    },
    {
      name: 'selector other value',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: rollback',
        '          triggeredOn:',
        '            - event: dev.delivery.finished',
        '              selector: {match: {evaluation.result: ok}}',
        '          tasks: [{name: rollback}]',
      ),
      want: "line 12, column 53 (spec.stages[0].sequences[0].triggeredOn[0].selector.match.evaluation.result): selector.match value 'ok' for 'evaluation.result' is invalid: it must be one of pass, warning, fail",
    },
    {
      name: 'selector unknown key',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: rollback',
        '          triggeredOn:',
        '            - event: dev.delivery.finished',
        '              selector: {match: {status: errored}}',
        '          tasks: [{name: rollback}]',
      ),
      want: "line 12, column 34 (spec.stages[0].sequences[0].triggeredOn[0].selector.match): selector.match key 'status' is invalid",
    },
    {
      name: 'selector without match',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: rollback',
        '          triggeredOn:',
        '            - event: dev.delivery.finished',
        '              selector: {result: fail}',
        '          tasks: [{name: rollback}]',
      ),
      want: "line 12, column 26 (spec.stages[0].sequences[0].triggeredOn[0].selector): unknown field 'result'; allowed fields: match",
    },
    {
      name: 'empty selector match',
      text: withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: rollback',
        '          triggeredOn:',
        '            - event: dev.delivery.finished',
        '              selector: {match: {}}',
        '          tasks: [{name: rollback}]',
      ),
      want: 'selector.match is empty, so the sequence would never be triggered',
    },
    {
      name: 'YAML syntax error',
      text: yaml('apiVersion: spec.keptn.sh/0.2.4', 'kind: Shipyard', 'metadata:', '  name: [x', 'spec: {}'),
      want: 'shipyard line 5, column 1: invalid YAML:',
    },
    {
      name: 'duplicate YAML key',
      text: yaml('apiVersion: spec.keptn.sh/0.2.4', 'kind: Shipyard', 'kind: Shipyard'),
      want: 'shipyard line 3, column 1: invalid YAML: Map keys must be unique',
    },
    {
      name: 'empty document',
      text: '',
      want: 'shipyard line 1, column 1: the document is empty',
    },
    {
      name: 'document is a list',
      text: yaml('- a'),
      want: 'shipyard line 1, column 1: the shipyard document must be a mapping (key: value pairs), got a list',
    },
  ])('rejects: $name', ({ text, want }) => {
    expect(shipyardError(() => parseShipyardYaml(text)).message).toContain(want);
  });
});

describe('decodeShipyard', () => {
  it('decodes and parses base64 YAML', () => {
    expect(decodeShipyard(base64(sockshopYaml))).toEqual(parseShipyardYaml(sockshopYaml));
  });

  it('ignores line breaks, as Go does for wrapped base64', () => {
    const wrapped = base64(sockshopYaml).replace(/(.{76})/g, '$1\n');
    expect(decodeShipyard(wrapped).metadata.name).toBe('shipyard-sockshop');
  });

  it('reports YAML errors of the decoded text with their line', () => {
    const text = withStages('    - name: Dev');
    expect(shipyardError(() => decodeShipyard(base64(text))).message).toContain(
      "line 7, column 13 (spec.stages[0].name): stage name 'Dev'",
    );
  });

  it.each([
    { input: 42, want: 'expected a string, got number' },
    { input: null, want: 'expected a string, got null' },
    { input: '', want: 'it is empty' },
    {
      input: 'apiVersion: spec.keptn.sh/0.2.4',
      want: "character ':' at position 10 is outside the base64 alphabet (this looks like plain YAML)",
    },
    { input: 'YWJj%A==', want: "character '%' at position 4 is outside the base64 alphabet" },
    { input: 'YW-j', want: "character '-' at position 2 is outside the base64 alphabet (this looks like URL-safe base64" },
    { input: 'YWJjZA', want: 'its length 6 is not a multiple of 4' },
    { input: 'YWJjZA=', want: 'its length 7 is not a multiple of 4' },
    { input: 'YW=j', want: "'=' padding may only appear at the end" },
    { input: 'Y===', want: "'=' padding may only appear at the end" },
  ])('rejects $input', ({ input, want }) => {
    const message = shipyardError(() => decodeShipyard(input)).message;
    expect(message).toContain(`shipyard is not valid base64: ${want}`);
    expect(message).toContain('encode the YAML file, e.g. base64 -w0 shipyard.yaml');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(shipyardError(() => decodeShipyard(Buffer.from([0xff, 0xfe, 0x41]).toString('base64'))).message).toContain(
      'shipyard is not valid UTF-8 text after base64 decoding',
    );
  });
});

describe('lookups', () => {
  const shipyard = parseShipyardYaml(sockshopYaml);

  it('finds stages and sequences', () => {
    expect(findStage(shipyard, 'staging')?.name).toBe('staging');
    expect(findStage(shipyard, 'qa')).toBeUndefined();
    expect(findSequence(shipyard, 'dev', 'delivery-direct')?.tasks.map((task) => task.name)).toEqual(['deployment', 'release']);
    expect(findSequence(shipyard, 'dev', 'rollback')).toBeUndefined();
    expect(findSequence(shipyard, 'qa', 'delivery')).toBeUndefined();
  });

  it("gives every existing stage Keptn's implicit evaluation sequence", () => {
    expect(findSequence(shipyard, 'production', 'evaluation')).toEqual({ name: 'evaluation', tasks: [{ name: 'evaluation' }] });
    expect(findSequence(shipyard, 'qa', 'evaluation')).toBeUndefined();
  });

  it('prefers an evaluation sequence the stage defines', () => {
    const own = parseShipyardYaml(
      withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: evaluation',
        '          tasks: [{name: test}, {name: evaluation}]',
      ),
    );
    expect(findSequence(own, 'dev', 'evaluation')?.tasks).toEqual([{ name: 'test' }, { name: 'evaluation' }]);
  });

  it('lists parent stages', () => {
    expect(parentStages(shipyard, 'dev')).toEqual([]);
    expect(parentStages(shipyard, 'staging')).toEqual(['dev']);
    expect(parentStages(shipyard, 'production')).toEqual(['staging']);
    expect(parentStages(shipyard, 'qa')).toEqual([]);
  });

  it('lists several parent stages once each, in order', () => {
    const fanIn = parseShipyardYaml(
      withStages(
        '    - name: a',
        '    - name: b',
        '    - name: c',
        '      sequences:',
        '        - name: s1',
        '          triggeredOn: [{event: b.x.finished}, {event: a.x.finished}, {event: c.y.finished}]',
        '          tasks: [{name: t}]',
        '        - name: s2',
        '          triggeredOn: [{event: a.y.finished}]',
        '          tasks: [{name: t}]',
      ),
    );
    expect(parentStages(fanIn, 'c')).toEqual(['b', 'a']);
  });
});

describe('sequencesTriggeredBy', () => {
  const shipyard = parseShipyardYaml(sockshopYaml);
  const names = (selected: Array<{ stage: string; sequence: { name: string } }>): string[] =>
    selected.map(({ stage, sequence }) => `${stage}.${sequence.name}`);

  it.each([
    // No selector: fires on pass or warning (Keptn's code), not on fail.
    { stage: 'dev', sequence: 'delivery', result: 'pass', last: 'release', want: ['staging.delivery'] },
    { stage: 'dev', sequence: 'delivery', result: 'warning', last: 'release', want: ['staging.delivery'] },
    { stage: 'dev', sequence: 'delivery', result: 'fail', last: 'release', want: [] },
    // selector.match.result: fail fires only on fail.
    { stage: 'staging', sequence: 'delivery', result: 'pass', last: 'release', want: ['production.delivery'] },
    { stage: 'staging', sequence: 'delivery', result: 'fail', last: 'evaluation', want: ['staging.rollback'] },
    { stage: 'staging', sequence: 'delivery', result: 'warning', last: 'release', want: ['production.delivery'] },
    // selector on '<task>.result' matches only when that task was the last one.
    { stage: 'production', sequence: 'remediation', result: 'fail', last: 'evaluation', want: ['production.remediation'] },
    { stage: 'production', sequence: 'remediation', result: 'fail', last: 'action', want: [] },
    { stage: 'production', sequence: 'remediation', result: 'pass', last: 'evaluation', want: [] },
    // Nothing listens to these.
    { stage: 'production', sequence: 'delivery-direct', result: 'pass', last: 'release', want: [] },
    { stage: 'qa', sequence: 'delivery', result: 'pass', last: 'release', want: [] },
  ] as const)('$stage.$sequence $result (last task $last) -> $want', ({ stage, sequence, result, last, want }) => {
    expect(names(sequencesTriggeredBy(shipyard, stage, sequence, result, last))).toEqual(want);
  });

  it('selects sequences in every stage, in shipyard order, each once', () => {
    const fanOut = parseShipyardYaml(
      withStages(
        '    - name: dev',
        '      sequences:',
        '        - name: delivery',
        '          tasks: [{name: deployment}]',
        '        - name: notify',
        '          triggeredOn: [{event: dev.delivery.finished}, {event: dev.delivery.finished, selector: {match: {result: pass}}}]',
        '          tasks: [{name: notify}]',
        '    - name: qa',
        '      sequences:',
        '        - name: delivery',
        '          triggeredOn: [{event: dev.delivery.finished, selector: {match: {result: warning, deployment.result: pass}}}]',
        '          tasks: [{name: deployment}]',
      ),
    );
    expect(names(sequencesTriggeredBy(fanOut, 'dev', 'delivery', 'pass', 'deployment'))).toEqual(['dev.notify', 'qa.delivery']);
    expect(names(sequencesTriggeredBy(fanOut, 'dev', 'delivery', 'warning', 'deployment'))).toEqual(['dev.notify', 'qa.delivery']);
    expect(names(sequencesTriggeredBy(fanOut, 'dev', 'delivery', 'pass', 'other'))).toEqual(['dev.notify']);
  });
});

describe('shipyard type', () => {
  it('round-trips through the Shipyard interface', () => {
    const shipyard: Shipyard = parseShipyardYaml(sockshopYaml);
    expect(JSON.parse(JSON.stringify(shipyard))).toEqual(shipyard);
  });
});
