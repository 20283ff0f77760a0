import { describe, expect, it } from 'vitest';
import type { EventData } from '@shipmate/core';
import { decideApproval } from './approval-strategy.js';

const base: EventData = { project: 'shop', stage: 'prod', service: 'carts' };

describe('decideApproval (Keptn approval-service rule)', () => {
  it.each([
    // strategy for pass, strategy for warning, result of the task before → decision
    ['automatic', 'automatic', 'pass', 'approve'],
    ['automatic', 'manual', 'pass', 'approve'],
    ['manual', 'automatic', 'pass', 'wait'],
    [undefined, undefined, 'pass', 'wait'],
    ['automatic', 'automatic', 'warning', 'approve'],
    ['automatic', 'manual', 'warning', 'wait'],
    ['manual', undefined, 'warning', 'wait'],
    ['automatic', 'automatic', 'fail', 'decline'],
    ['manual', 'manual', 'fail', 'decline'],
    [undefined, undefined, 'fail', 'decline'],
    ['automatic', 'automatic', '', 'wait'],
    ['automatic', 'automatic', 'unknown', 'wait'],
    ['Automatic', 'automatic', 'pass', 'wait'],
  ])('pass: %s, warning: %s, result %s → %s', (pass, warning, result, kind) => {
    const approval = { ...(pass === undefined ? {} : { pass }), ...(warning === undefined ? {} : { warning }) };
    expect(decideApproval({ ...base, result, approval }).kind).toBe(kind);
  });

  it("takes the evaluation's result when the task before set none (Keptn issue 4391)", () => {
    expect(decideApproval({ ...base, evaluation: { result: 'warning' }, approval: { warning: 'automatic' } })).toMatchObject({
      kind: 'approve',
      result: 'warning',
    });
    expect(decideApproval({ ...base, evaluation: { result: 'fail' } }).kind).toBe('decline');
  });

  it('says which strategy applied, and how to decide a manual approval', () => {
    expect(decideApproval({ ...base, result: 'pass', approval: { pass: 'automatic' } }).message).toBe(
      "Approval strategy for result 'pass': automatic",
    );
    expect(decideApproval({ ...base, result: 'warning' }).message).toMatch(
      /^Approval strategy for result 'warning': manual; approve or decline it with POST \/api\/controlPlane\/v1\/project\/shop\/approval\/\{triggeredId\}/,
    );
  });
});
