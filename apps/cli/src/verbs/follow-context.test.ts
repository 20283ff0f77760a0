import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { outcomeLine, planWatch, waitingApprovals, watchTimeoutMs } from './follow-context.js';
import { StepKind } from './sequence-steps.js';
import type { SequenceStep } from './sequence-steps.js';
import { createStyle } from './verb-output.js';

describe('planWatch', () => {
  it.each([
    ['follows on a terminal by default', {}, true, true, 3_600_000],
    ['returns at once off a terminal by default', {}, false, false, 0],
    ['--watch follows off a terminal', { watch: true }, false, true, 3_600_000],
    ['--no-watch returns on a terminal', { watch: false }, true, false, 0],
    ['--timeout implies --watch', { timeout: '90s' }, false, true, 90_000],
    ["Keptn's --watch-time is seconds", { watchTime: '600' }, false, true, 600_000],
  ])('%s', (_name, flags, interactive, watch, timeoutMs) => {
    expect(planWatch(flags, interactive)).toEqual({ watch, timeoutMs });
  });

  it('checks the timeout only when it follows', () => {
    expect(planWatch({ watch: false, timeout: 'soon' }, true)).toEqual({ watch: false, timeoutMs: 0 });
  });
});

describe('watchTimeoutMs', () => {
  it.each([
    [{ timeout: 'soon' }, "--timeout 'soon' is not a valid duration"],
    [{ timeout: '0s' }, "--timeout '0s' must be longer than 0, e.g. 10m"],
    [{ watchTime: '5m' }, "--watch-time '5m' is not a number of seconds: give e.g. --watch-time 600, or --timeout 10m"],
    [{ watchTime: '10', timeout: '10s' }, 'give --timeout or --watch-time, not both'],
  ])('refuses %j', (flags, message) => {
    expect(() => watchTimeoutMs(flags)).toThrow(ConfigError);
    expect(() => watchTimeoutMs(flags)).toThrow(message);
  });
});

const step = (kind: SequenceStep['kind'], triggeredId: string, more: Partial<SequenceStep> = {}): SequenceStep => ({
  kind,
  time: 't',
  stage: 'prod',
  task: 'approval',
  source: 'approval-service',
  triggeredId,
  ...more,
});

describe('waitingApprovals', () => {
  it('names the approvals left to a person that nobody decided yet', () => {
    const steps = [
      step(StepKind.taskTriggered, 'a'),
      step(StepKind.taskProgress, 'a', { message: "Approval strategy for result 'pass': manual; approve or decline it …" }),
      step(StepKind.taskFinished, 'a', { result: 'pass' }),
      step(StepKind.taskProgress, 'b', { message: "Approval strategy for result 'pass': automatic" }),
      step(StepKind.taskProgress, 'c', { message: "Approval strategy for result 'warning': manual; approve or decline it …" }),
      step(StepKind.taskProgress, 'd', { task: 'deployment', message: 'manual: nothing to do with approvals' }),
    ];
    expect(waitingApprovals(steps)).toEqual(['c']);
  });
});

describe('outcomeLine', () => {
  it('gives the result, the stages and, when it did not pass, why', () => {
    const plain = createStyle(false);
    expect(outcomeLine({ result: 'pass', stages: [{ stage: 'dev', sequence: 'delivery', result: 'pass' }] }, plain)).toBe(
      'Result: pass  (dev delivery pass)',
    );
    expect(
      outcomeLine(
        {
          result: 'fail',
          stages: [
            { stage: 'dev', sequence: 'delivery', result: 'pass' },
            { stage: 'staging', sequence: 'delivery', result: 'fail' },
          ],
          message: 'staging: gate',
        },
        plain,
      ),
    ).toBe('Result: fail  (dev delivery pass, staging delivery fail) - staging: gate');
    expect(outcomeLine({ result: 'aborted', stages: [] }, plain)).toBe('Result: aborted');
  });
});
