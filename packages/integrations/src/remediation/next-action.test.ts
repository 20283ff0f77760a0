import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeProblem, nextAction, problemDetailsOf } from './next-action.js';
import type { NextAction, ProblemDetails } from './next-action.js';
import { parseRemediation } from './parse-remediation.js';

const fixture = (path: string): string => readFileSync(new URL(`../../../../fixtures/keptn-compat/${path}`, import.meta.url), 'utf8');

// The remediation-service's own test files: problemType1/2 with two actions each, with and without `default`.
const WITH_DEFAULT = parseRemediation(fixture('remediation-service/remediation.yaml'));
const WITHOUT_DEFAULT = parseRemediation(fixture('remediation-service/remediation-without-default.yaml'));
// Keptn 0.6 spelled the catch-all '*'.
const STAR = parseRemediation(
  'apiVersion: spec.keptn.sh/0.1.4\nkind: Remediation\nspec:\n  remediations:\n    - problemType: "*"\n      actionsOnOpen:\n        - action: escalate\n',
);

const problem = (problemTitle: string, rootCause: string): ProblemDetails => ({ problemTitle, rootCause });

/** The chosen action's `action`, or the kind when there is none. */
function summary(next: NextAction): string {
  return next.kind === 'action' ? `${next.action.action} (${next.matchedBy}, ${next.index + 1}/${next.of})` : next.kind;
}

describe('nextAction', () => {
  it.each([
    { name: 'by root cause', remediation: WITH_DEFAULT, problem: problem('', 'problemType1'), index: 0, want: 'action1 (root cause, 1/2)' },
    {
      name: 'by problem title',
      remediation: WITH_DEFAULT,
      problem: problem('problemType1', ''),
      index: 0,
      want: 'action1 (problem title, 1/2)',
    },
    {
      name: 'root cause before title',
      remediation: WITH_DEFAULT,
      problem: problem('problemType1', 'problemType2'),
      index: 0,
      want: 'action11 (root cause, 1/2)',
    },
    {
      name: 'title when the root cause has no entry',
      remediation: WITH_DEFAULT,
      problem: problem('problemType2', 'unknown'),
      index: 1,
      want: 'action22 (problem title, 2/2)',
    },
    {
      name: 'the second run takes the second action',
      remediation: WITH_DEFAULT,
      problem: problem('', 'problemType1'),
      index: 1,
      want: 'action2 (root cause, 2/2)',
    },
    {
      name: 'default for an unknown problem',
      remediation: WITH_DEFAULT,
      problem: problem('Other', 'other'),
      index: 0,
      want: 'escalateDefaultAction (default, 1/1)',
    },
    {
      name: 'default for no problem at all',
      remediation: WITH_DEFAULT,
      problem: problem('', ''),
      index: 0,
      want: 'escalateDefaultAction (default, 1/1)',
    },
    { name: "Keptn 0.6's '*' catch-all", remediation: STAR, problem: problem('Other', ''), index: 0, want: 'escalate (default, 1/1)' },
    { name: 'no entry and no default', remediation: WITHOUT_DEFAULT, problem: problem('Other', ''), index: 0, want: 'unmatched' },
    { name: 'no action left', remediation: WITH_DEFAULT, problem: problem('', 'problemType1'), index: 2, want: 'exhausted' },
    { name: 'the default has one action only', remediation: WITH_DEFAULT, problem: problem('', ''), index: 1, want: 'exhausted' },
  ])('$name', ({ remediation, problem: p, index, want }) => {
    expect(summary(nextAction(remediation, p, index))).toBe(want);
  });

  it('hands out the action as written, value included', () => {
    expect(nextAction(WITH_DEFAULT, problem('', 'problemType1'), 1)).toMatchObject({
      kind: 'action',
      action: { name: 'actionName2', action: 'action2', description: 'actionDescription2', value: { foo: 'baz' } },
      problemType: 'problemType1',
    });
  });

  it('says why nothing matched and how to fix it', () => {
    const next = nextAction(WITHOUT_DEFAULT, problem('Response time degradation', ''), 0);
    expect(next.kind === 'unmatched' && next.message).toBe(
      "remediation.yaml has no remediation for problem title 'Response time degradation' and no 'default' entry " +
        "(problem types: 'problemType1', 'problemType2'); add '- problemType: Response time degradation' (or 'default' for any problem) with its actionsOnOpen",
    );
  });

  it('says that the actions ran out, which ones were taken, and that the remediation ends', () => {
    const next = nextAction(WITH_DEFAULT, problem('', 'problemType1'), 2);
    expect(next.kind === 'exhausted' && next.message).toBe(
      "no remediation action left for root cause 'problemType1': problemType 'problemType1' in remediation.yaml has 2 actions " +
        '(actionName1, actionName2), all already taken in this remediation; the remediation ends here (add actions to its actionsOnOpen to try more)',
    );
  });
});

describe('problemDetailsOf', () => {
  it.each([
    {
      name: "Keptn's get-action.triggered test event",
      data: (JSON.parse(fixture('remediation-service/get-action.triggered-0.json')) as { data: Record<string, unknown> }).data,
      want: problem('Response time degradation', 'Response time degradation'),
    },
    { name: 'no problem', data: {}, want: problem('', '') },
    {
      name: 'mistyped fields read as empty, as Go decoded them',
      data: { problem: { problemTitle: 3, rootCause: null } },
      want: problem('', ''),
    },
    { name: 'a problem that is not an object', data: { problem: 'down' }, want: problem('', '') },
  ])('$name', ({ data, want }) => {
    expect(problemDetailsOf(data)).toEqual(want);
  });

  it.each([
    { p: problem('t', 'r'), want: "root cause 'r'" },
    { p: problem('t', ''), want: "problem title 't'" },
    { p: problem('', ''), want: 'a problem without root cause or title' },
  ])('describes $p as $want', ({ p, want }) => {
    expect(describeProblem(p)).toBe(want);
  });
});
