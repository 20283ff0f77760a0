import { describe, expect, it } from 'vitest';
import type { KeptnEvent } from '@shipmate/api';
import { SequenceStepReader, StepKind, outcomeExitCode, sequenceOutcome, stepLine } from './sequence-steps.js';
import type { SequenceStep } from './sequence-steps.js';
import { createStyle } from './verb-output.js';

const plain = createStyle(false);

function event(
  type: string,
  data: Record<string, unknown> = {},
  source = 'shipyard-controller',
  more: Partial<KeptnEvent> = {},
): KeptnEvent {
  return {
    id: more.id ?? `id-${type}`,
    type,
    source,
    specversion: '1.0',
    time: '2024-05-01T12:00:00.000Z',
    shkeptncontext: 'c',
    ...more,
    data: { project: 'p', stage: 'staging', service: 'carts', ...data },
  };
}

/** Answers to the task `.triggered` with id `t`. */
const answer = (type: string, data: Record<string, unknown> = {}, source = 'deployment-service') =>
  event(type, data, source, { id: `${type}-answer`, triggeredid: 't' });

describe('SequenceStepReader and stepLine', () => {
  const rows: Array<[string, KeptnEvent, string | undefined]> = [
    ['a sequence starts', event('sh.keptn.event.staging.delivery.triggered', {}, 'me'), '▸ staging: delivery started'],
    [
      'a task is triggered',
      event('sh.keptn.event.deployment.triggered', {}, 'shipyard-controller', { id: 't' }),
      '  staging     deployment  triggered',
    ],
    ['a task starts', answer('sh.keptn.event.deployment.started'), '  staging     deployment  started  deployment-service'],
    [
      'a task reports progress',
      answer('sh.keptn.event.approval.status.changed', { message: "Approval strategy for result 'pass': manual" }, 'approval-service'),
      "  staging     approval    …  Approval strategy for result 'pass': manual",
    ],
    [
      'a deployment says where the version runs',
      answer('sh.keptn.event.deployment.finished', {
        result: 'pass',
        status: 'succeeded',
        deployment: { deploymentURIsLocal: ['http://127.0.0.1:9001'] },
      }),
      '  staging     deployment  pass  serving at http://127.0.0.1:9001',
    ],
    [
      'a test gives its figures',
      answer(
        'sh.keptn.event.test.finished',
        { result: 'pass', status: 'succeeded', test: { latencyP95Ms: 6.25, throughputRps: 812.4, errorRate: 0 } },
        'http-test-service',
      ),
      '  staging     test        pass  p95 6.3 ms, 812 req/s, 0.0 % errors',
    ],
    [
      'an evaluation gives its score',
      answer(
        'sh.keptn.event.evaluation.finished',
        { result: 'pass', status: 'succeeded', evaluation: { score: 100, indicatorResults: [{ score: 1 }] } },
        'lighthouse-service',
      ),
      '  staging     evaluation  pass  quality gate score 100',
    ],
    [
      'an evaluation without objectives says why it passed',
      answer(
        'sh.keptn.event.evaluation.finished',
        { result: 'pass', status: 'succeeded', message: 'no SLO file found', evaluation: { score: 0 } },
        'lighthouse-service',
      ),
      '  staging     evaluation  pass  no SLO file found',
    ],
    [
      'a failed evaluation gives its message',
      answer(
        'sh.keptn.event.evaluation.finished',
        { result: 'fail', status: 'succeeded', message: 'Evaluation failed due to key_sli', evaluation: { score: 0 } },
        'lighthouse-service',
      ),
      '  staging     evaluation  fail  Evaluation failed due to key_sli',
    ],
    [
      'an errored task says it',
      answer('sh.keptn.event.deployment.finished', { result: 'fail', status: 'errored', message: 'no deployment/process.yaml' }),
      '  staging     deployment  fail (errored)  no deployment/process.yaml',
    ],
    [
      'a task without figures gives its message',
      answer('sh.keptn.event.rollback.finished', {
        result: 'pass',
        status: 'succeeded',
        message: "Finished rollback: 'fast' serves again",
      }),
      "  staging     rollback    pass  Finished rollback: 'fast' serves again",
    ],
    [
      'a sequence ends',
      event('sh.keptn.event.staging.delivery.finished', { result: 'fail', status: 'succeeded', message: 'gate' }),
      '▸ staging: delivery fail - gate',
    ],
    ['sub-tasks sent by integrations are not shown', event('sh.keptn.event.get-sli.triggered', {}, 'lighthouse-service'), undefined],
    [
      'answers to tasks the shipyard did not trigger are not shown',
      event('sh.keptn.event.get-sli.finished', { result: 'pass' }, 'prometheus-service', { triggeredid: 'other' }),
      undefined,
    ],
    ['other events are not shown', event('sh.keptn.log.error', {}, 'someone'), undefined],
  ];
  for (const [name, input, line] of rows) {
    it(name, () => {
      const reader = new SequenceStepReader();
      reader.remember([event('sh.keptn.event.deployment.triggered', {}, 'shipyard-controller', { id: 't' })]);
      const step = reader.read(input);
      expect(step === undefined ? undefined : stepLine(step, plain)).toBe(line);
    });
  }

  it('counts an answer read before its .triggered once the batch was remembered', () => {
    const triggered = event('sh.keptn.event.test.triggered', {}, 'shipyard-controller', { id: 't' });
    const started = answer('sh.keptn.event.test.started', {}, 'http-test-service');
    expect(new SequenceStepReader().read(started)).toBeUndefined();
    const reader = new SequenceStepReader();
    reader.remember([started, triggered]);
    expect(reader.read(started)?.kind).toBe(StepKind.taskStarted);
  });

  it('colours outcomes on a terminal', () => {
    const step = new SequenceStepReader().read(event('sh.keptn.event.staging.delivery.finished', { result: 'fail', status: 'succeeded' }));
    expect(step && stepLine(step, createStyle(true))).toContain('\u001b[31mfail\u001b[39m');
  });
});

describe('sequenceOutcome', () => {
  const finished = (stage: string, result: string, status = 'succeeded', message?: string): SequenceStep => ({
    kind: StepKind.sequenceFinished,
    time: 't',
    stage,
    sequence: 'delivery',
    source: 'shipyard-controller',
    result,
    status,
    ...(message ? { message } : {}),
    triggeredId: stage,
  });
  const rows: Array<[string, SequenceStep[], string, string, number]> = [
    ['every stage passed', [finished('dev', 'pass'), finished('prod', 'pass')], 'finished', 'pass', 0],
    ['a warning passes with a warning', [finished('dev', 'warning')], 'finished', 'warning', 0],
    ['a failed stage fails', [finished('dev', 'pass'), finished('staging', 'fail', 'succeeded', 'gate')], 'finished', 'fail', 1],
    ['an errored stage is errored', [finished('dev', 'fail', 'errored', 'no stage')], 'finished', 'errored', 1],
    ['an aborted context is aborted', [finished('dev', 'pass')], 'aborted', 'aborted', 1],
    ['a timed-out context is timed out', [], 'timedOut', 'timedOut', 1],
  ];
  for (const [name, steps, state, result, exitCode] of rows) {
    it(name, () => {
      const outcome = sequenceOutcome(steps, state);
      expect(outcome.result).toBe(result);
      expect(outcomeExitCode(outcome)).toBe(exitCode);
    });
  }

  it('names the first failing stage and its message', () => {
    const outcome = sequenceOutcome([finished('dev', 'pass'), finished('staging', 'fail', 'succeeded', 'gate')], 'finished');
    expect(outcome.message).toBe('staging: gate');
    expect(outcome.stages.map((stage) => `${stage.stage} ${stage.result}`)).toEqual(['dev pass', 'staging fail']);
  });
});
